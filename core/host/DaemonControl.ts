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
import type { ApplyReport } from '../plan/applyPlan.js';
import type { Plan } from '../plan/Plan.js';
import type { Host } from './Host.js';
import { HostManagementView } from './HostManagementView.js';

export interface DaemonControlOptions {
  /** What Host.start() applied. */
  readonly started: ApplyReport & { readonly plan: Plan };
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

export class DaemonControl {
  readonly reloads: ReloadCoordinator;
  readonly view: HostManagementView;
  private server: ManagementServer | null = null;
  private watcher: DeclarationWatcher | null = null;
  private stopping: Promise<void> | null = null;
  private readonly log: Logger;

  private constructor(private readonly host: Host, private readonly opts: DaemonControlOptions) {
    this.log = host.log;
    this.reloads = new ReloadCoordinator(() => this.applyFromFile(), this.log);
    this.reloads.started(outcomeOf(opts.started));
    this.view = new HostManagementView(host, this.reloads, opts.startedAt);
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
    const server = new ManagementServer(control.view, { socketPath, log: host.log });
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
    return control;
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
    return this.reloads.reload(trigger);
  }

  /** Stop watching and answering, then stop the host (log out initiators, drain, flush, close). */
  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      this.watcher?.stop();
      this.watcher = null;
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

  private async applyFromFile(): Promise<ApplyOutcome> {
    const report = await this.host.reload();
    const decl = this.host.current();
    if (decl && this.server && managementSocketPath(decl) !== this.server.socketPath) {
      this.log.warn('management.socket changed; the API keeps its socket until lunhost restarts', { socket: this.server.socketPath });
    }
    return outcomeOf(report);
  }
}

function outcomeOf(report: ApplyReport & { readonly plan: Plan }): ApplyOutcome {
  return {
    changes: report.plan.actions.length,
    failed: report.failed.map((f) => f.error?.message ?? `${f.action.kind} failed`),
  };
}
