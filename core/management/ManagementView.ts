/**
 * What the management API needs from the running daemon. Host implements it;
 * tests give the server a fake. Every report is plain JSON-ready data: the
 * server sends it as is and the CLI reads the same shapes back.
 */
import type { SessionInfo } from '../transport/Transport.js';
import type { LunCounterSnapshot } from './LunCounters.js';
import type { NotApplied } from '../plan/NotApplied.js';

/** What started a reload ('rescan': a rescan retrying actions that failed, on the serving declaration). */
export type ReloadTrigger = 'start' | 'file' | 'signal' | 'api' | 'rescan';

/** One problem of a declaration that was refused (ConfigIssue, flattened). */
export interface ReloadIssue {
  readonly file: string | null;
  readonly line: number;
  readonly column: number;
  readonly field: string;
  readonly message: string;
}

export interface ReloadResult {
  readonly ok: boolean;
  readonly trigger: ReloadTrigger;
  /** ISO 8601 time the reload finished. */
  readonly at: string;
  /** Generation serving after this reload (unchanged when it failed). */
  readonly generation: number;
  /** Number of plan actions applied (0: the file changed nothing). */
  readonly changes: number;
  /** One-paragraph description of the failure (every issue, one per line), or null. */
  readonly error: string | null;
  /** The declaration problems, when the failure was an invalid declaration. */
  readonly issues: readonly ReloadIssue[];
}

export interface StatusReport {
  readonly version: string;
  readonly pid: number;
  /** ISO 8601 start time. */
  readonly startedAt: string;
  readonly uptimeSeconds: number;
  /** The declaration file serving, or null when built in code. */
  readonly configFile: string | null;
  /** 1 after start-up, +1 for every reload that changed the configuration. */
  readonly generation: number;
  /** The last reload attempt (start-up included), or null before the first. */
  readonly lastReload: ReloadResult | null;
  readonly targets: number;
  readonly luns: number;
  readonly sessions: number;
  /**
   * What the serving declaration asks for that does not run (a store that
   * did not open, a portal that did not bind, a refused shrink), with the
   * last error; retried at the next reload or rescan. Empty when all applied.
   */
  readonly notApplied?: readonly NotApplied[];
}

export interface TargetReport {
  readonly name: string;
  readonly alias: string | null;
  readonly portals: readonly string[];
  /** Declared LUN numbers that are attached. */
  readonly luns: readonly number[];
  /** Bindings as written (ALL, initiator names, addresses). */
  readonly bindings: readonly string[];
  readonly auth: 'none' | 'chap' | 'mutual-chap';
  readonly sessions: number;
}

export interface LunReport {
  readonly target: string;
  readonly lun: number;
  readonly store: string;
  /** Bytes, as the store reports it now. */
  readonly size: number;
  readonly blockSize: number;
  readonly readOnly: boolean;
  readonly counters: LunCounterSnapshot;
}

export interface RescanRequest {
  /** Only this target; null = every target. */
  readonly target: string | null;
  /** Only this LUN of the target; null = every LUN. */
  readonly lun: number | null;
}

export interface RescanChange {
  readonly target: string;
  readonly lun: number;
  readonly previousSize: number;
  readonly size: number;
}

export interface RescanResult {
  /** LUNs whose size was re-read. */
  readonly checked: number;
  /** Those whose size changed (CAPACITY DATA HAS CHANGED raised). */
  readonly changed: readonly RescanChange[];
  /** When actions of the declaration had failed, the rescan retried them: that reload's result. */
  readonly retried?: ReloadResult | null;
}

/** A failure the API reports with a 4xx status rather than 500 (unknown target, bad LUN number). */
export class ManagementRequestError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
    this.name = 'ManagementRequestError';
  }
}

export interface ManagementView {
  status(): StatusReport;
  targets(): TargetReport[];
  sessions(): SessionInfo[];
  luns(): LunReport[];
  /** Re-read the declaration and apply it. Resolves with the result, failed or not. */
  reload(trigger: ReloadTrigger): Promise<ReloadResult>;
  /** Re-read store sizes. Rejects with ManagementRequestError for an unknown target or LUN. */
  rescan(req: RescanRequest): Promise<RescanResult>;
}
