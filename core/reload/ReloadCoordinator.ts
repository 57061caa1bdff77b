/**
 * The one reload() every trigger calls (file watcher, SIGHUP, POST /reload).
 * Reloads never overlap: a request that arrives while one runs is queued, and
 * all requests that arrive meanwhile share that single follow-up run (it
 * reads the file after them, so it sees every edit). A reload never throws:
 * the outcome is a ReloadResult, kept as the last one for /status.
 */
import { ConfigError } from '../config/ConfigError.js';
import type { Logger } from '../log/Logger.js';
import type { ReloadIssue, ReloadResult, ReloadTrigger } from '../management/ManagementView.js';

/** What one apply did: plan actions carried out, and the messages of those that failed. */
export interface ApplyOutcome {
  readonly changes: number;
  /** One message per failed action (a store that did not open, a portal that did not bind). */
  readonly failed?: readonly string[];
}

/**
 * Read, validate, plan and apply the declaration. Resolves with what was
 * applied (some actions may have failed, the others still apply); rejects
 * with ConfigError for an invalid declaration (nothing was changed) or
 * another Error when applying could not run at all.
 */
export type ApplyDeclaration = (trigger: ReloadTrigger) => Promise<ApplyOutcome>;

export class ReloadCoordinator {
  private gen = 0;
  private last: ReloadResult | null = null;
  private running: Promise<ReloadResult> | null = null;
  private queued: Promise<ReloadResult> | null = null;

  constructor(private readonly apply: ApplyDeclaration, private readonly log: Logger, private readonly now: () => Date = () => new Date()) {}

  /** Generation serving: 1 after start-up, +1 per reload that applied changes. */
  get generation(): number {
    return this.gen;
  }

  get lastResult(): ReloadResult | null {
    return this.last;
  }

  /** Record the start-up (the first apply, done by the host before serving). */
  started(outcome: ApplyOutcome): ReloadResult {
    this.gen = 1;
    return this.finish(resultOf('start', outcome));
  }

  reload(trigger: ReloadTrigger): Promise<ReloadResult> {
    if (this.queued) return this.queued;
    if (this.running) {
      this.queued = this.running.then(() => {
        this.queued = null;
        return this.start(trigger);
      });
      return this.queued;
    }
    return this.start(trigger);
  }

  private start(trigger: ReloadTrigger): Promise<ReloadResult> {
    const run = this.runOnce(trigger);
    this.running = run;
    void run.then(() => { if (this.running === run) this.running = null; });
    return run;
  }

  private async runOnce(trigger: ReloadTrigger): Promise<ReloadResult> {
    try {
      const outcome = await this.apply(trigger);
      const failed = outcome.failed?.length ?? 0;
      if (outcome.changes > failed) this.gen++;
      const result = this.finish(resultOf(trigger, outcome));
      if (failed > 0) this.log.error(`reload applied with ${failed} failed action(s):\n${result.error}`, { trigger, generation: this.gen });
      else if (outcome.changes > 0) this.log.info('reload applied', { trigger, changes: outcome.changes, generation: this.gen });
      else this.log.info('reload: the declaration matches what runs, nothing to do', { trigger });
      return result;
    } catch (err) {
      const issues: ReloadIssue[] = err instanceof ConfigError
        ? err.issues.map((i) => ({ file: i.file, line: i.line, column: i.column, field: i.field, message: i.message }))
        : [];
      const error = err instanceof Error ? err.message : String(err);
      const what = err instanceof ConfigError ? 'the declaration is invalid; the previous configuration keeps serving' : 'reload failed';
      this.log.error(`${what}:\n${error}`, { trigger, generation: this.gen });
      return this.finish({ ok: false, trigger, changes: 0, error, issues });
    }
  }

  private finish(r: Omit<ReloadResult, 'at' | 'generation'>): ReloadResult {
    const result: ReloadResult = { ...r, at: this.now().toISOString(), generation: this.gen };
    this.last = result;
    return result;
  }
}

function resultOf(trigger: ReloadTrigger, o: ApplyOutcome): Omit<ReloadResult, 'at' | 'generation'> {
  const failed = o.failed ?? [];
  return failed.length === 0
    ? { ok: true, trigger, changes: o.changes, error: null, issues: [] }
    : { ok: false, trigger, changes: o.changes, error: `${failed.length} of ${o.changes} change(s) failed:\n${failed.join('\n')}`, issues: [] };
}
