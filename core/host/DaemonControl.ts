/**
 * Everything that controls a started Host from outside: the management API
 * on its Unix socket, the declaration file watcher, and the one reload path
 * they (and SIGHUP) share; plus the graceful shutdown that undoes it all.
 * main.ts attaches it once Host.start() has applied the declaration.
 */
import type { Logger } from '../log/Logger.js';
import { ManagementServer } from '../management/ManagementServer.js';
import { managementSocketPath } from '../management/managementSocketPath.js';
import type { ReloadResult, ReloadTrigger } from '../management/ManagementView.js';
import { DeclarationWatcher } from '../reload/DeclarationWatcher.js';
import { ReloadCoordinator, type ApplyOutcome } from '../reload/ReloadCoordinator.js';
import { ConfigError } from '../config/ConfigError.js';
import type { ApplyReport } from '../plan/applyPlan.js';
import { appliedPlan, refusedPlan } from '../plan/appliedPlan.js';
import type { Plan } from '../plan/Plan.js';
import { PlanHistory } from '../plan/PlanHistory.js';
import type { AppliedPlan, PlanReport } from '../plan/PlanReport.js';
import type { PlanRequest, PlanView } from '../plan/PlanView.js';
import type { AppliedReport, Host } from './Host.js';
import { HostManagementView } from './HostManagementView.js';

export interface DaemonControlOptions {
  /** What Host.start() applied. */
  readonly started: ApplyReport & { readonly plan: Plan; readonly described: PlanReport };
  /** How long initiators get to log out and in-flight I/O to finish on shutdown. */
  readonly graceMs: number;
  /**
   * Bound on the whole host stop (transports, draining in-flight I/O, flushing
   * and closing stores): a store that hangs must not keep the process alive.
   * Default graceMs + 10 s.
   */
  readonly stopTimeoutMs?: number;
  /** Watch the declaration file (default true). */
  readonly watch?: boolean;
  /** Override the socket path (default: the declaration's). */
  readonly socketPath?: string;
  readonly startedAt?: Date;
}

export class DaemonControl implements PlanView {
  readonly reloads: ReloadCoordinator;
  readonly view: HostManagementView;
  /** The last reloads with their plans and per-action outcomes (GET /plan/last, /reloads, status). */
  readonly history = new PlanHistory();
  private server: ManagementServer | null = null;
  private watcher: DeclarationWatcher | null = null;
  private stopping: Promise<void> | null = null;
  /** The next periodic size check (sizeCheckInterval), or null when off. */
  private sizeCheckTimer: NodeJS.Timeout | null = null;
  private readonly log: Logger;

  private constructor(private readonly host: Host, private readonly opts: DaemonControlOptions) {
    this.log = host.log;
    this.reloads = new ReloadCoordinator((trigger) => this.applyDeclaration(trigger), this.log);
    const start = this.reloads.started(outcomeOf(opts.started));
    this.history.record(appliedPlan(opts.started.plan, opts.started.described, opts.started.results, { trigger: 'start', at: start.at, generation: start.generation }));
    this.view = new HostManagementView(host, this.reloads, opts.startedAt, this.history);
  }

  /**
   * Start the management API and the watcher. A socket that cannot be opened
   * is logged, not fatal: the targets keep serving, only the API is missing.
   */
  static async attach(host: Host, opts: DaemonControlOptions): Promise<DaemonControl> {
    const control = new DaemonControl(host, opts);
    const decl = host.current();
    if (!decl) throw new Error('DaemonControl.attach: the host has not started');
    const socketPath = opts.socketPath ?? managementSocketPath(decl);
    const server = new ManagementServer(control.view, { socketPath, log: host.log, plans: control });
    try {
      await server.listen();
      control.server = server;
    } catch (err) {
      host.log.error(`management API not available: ${(err as Error).message}`);
    }
    if (opts.watch !== false && decl.file) {
      const watcher = new DeclarationWatcher({ file: decl.file, log: host.log, onChange: () => { void control.reload('file'); } });
      try {
        await watcher.start();
        control.watcher = watcher;
      } catch (err) {
        host.log.warn('cannot watch the declaration file; reload with SIGHUP or `lunhost reload`', { file: decl.file, err });
      }
    }
    control.scheduleSizeCheck();
    return control;
  }

  /**
   * Re-read every store's size every `sizeCheckInterval` seconds of the
   * serving declaration (read again each time, so a reload can change it).
   * The same rescan as `lunhost rescan`: a change raises CAPACITY DATA HAS CHANGED.
   */
  private scheduleSizeCheck(): void {
    this.sizeCheckTimer = null;
    const seconds = this.host.current()?.sizeCheckInterval ?? 0;
    if (this.stopping || seconds <= 0) return;
    this.sizeCheckTimer = setTimeout(() => {
      this.view.rescan({ target: null, lun: null })
        .catch((err: unknown) => this.log.warn('periodic size check failed', { err }))
        .finally(() => this.scheduleSizeCheck());
    }, seconds * 1000);
    this.sizeCheckTimer.unref();
  }

  get socketPath(): string | null {
    return this.server?.socketPath ?? null;
  }

  reload(trigger: ReloadTrigger): Promise<ReloadResult> {
    if (this.stopping) {
      return Promise.resolve({
        ok: false, trigger, at: new Date().toISOString(), generation: this.reloads.generation, changes: 0,
        error: 'lunhost is shutting down; the reload was not done', issues: [],
      });
    }
    const done = this.reloads.reload(trigger);
    // A reload may turn the periodic size check on (or change its interval: the next tick reads it).
    if (!this.sizeCheckTimer) void done.finally(() => { if (!this.sizeCheckTimer) this.scheduleSizeCheck(); });
    return done;
  }

  /** Stop watching and answering, then stop the host (log out initiators, drain, flush, close). */
  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      this.watcher?.stop();
      this.watcher = null;
      if (this.sizeCheckTimer) clearTimeout(this.sizeCheckTimer);
      this.sizeCheckTimer = null;
      await this.server?.close().catch((err: unknown) => this.log.warn('closing the management API failed', { err }));
      this.server = null;
      const limit = this.opts.stopTimeoutMs ?? this.opts.graceMs + 10_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), limit); });
      const outcome = await Promise.race([this.host.stop(this.opts.graceMs).then(() => 'stopped' as const), timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') this.log.warn(`stopping did not finish within ${limit} ms (in-flight I/O or a store that does not answer); exiting anyway`);
    })();
    return this.stopping;
  }

  /** POST /plan: what a reload with this file would do; nothing changes. */
  async plan(req: PlanRequest): Promise<PlanReport> {
    const { declaration, plan } = await this.host.plan(req.file);
    return this.host.describe(plan, declaration, this.reloads.generation, 'running');
  }

  lastPlan(): AppliedPlan | null {
    return this.history.lastApplied();
  }

  reloadHistory(): AppliedPlan[] {
    return this.history.all();
  }

  /**
   * The one apply path of every trigger: read the file, plan, apply (a
   * rescan re-applies the serving declaration instead: it retries what
   * failed without taking in edits). Every attempt is kept in the history.
   */
  private async applyDeclaration(trigger: ReloadTrigger): Promise<ApplyOutcome> {
    let report: AppliedReport;
    try {
      report = trigger === 'rescan' ? await this.host.retry() : await this.host.reload();
    } catch (err) {
      const issues = err instanceof ConfigError ? err.issues : [];
      this.history.record(refusedPlan(this.host.current()?.file ?? null, err as Error, issues, {
        trigger, at: new Date().toISOString(), generation: this.reloads.generation,
      }));
      throw err;
    }
    const outcome = outcomeOf(report);
    // The coordinator counts a generation when something was applied; recorded the same way here.
    const applied = outcome.changes > (outcome.failed?.length ?? 0);
    this.history.record(appliedPlan(report.plan, report.described, report.results, {
      trigger, at: new Date().toISOString(), generation: this.reloads.generation + (applied ? 1 : 0),
    }));
    const decl = this.host.current();
    if (decl && this.server && managementSocketPath(decl) !== this.server.socketPath) {
      this.log.warn('management.socket changed; the API keeps its socket until lunhost restarts', { socket: this.server.socketPath });
    }
    return outcome;
  }
}

function outcomeOf(report: ApplyReport & { readonly plan: Plan }): ApplyOutcome {
  return {
    changes: report.plan.actions.length,
    failed: report.failed.map((f) => f.error?.message ?? `${f.action.kind} failed`),
  };
}
