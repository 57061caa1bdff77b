/**
 * A plan as data: what `lunhost plan --json` prints, what POST /plan answers,
 * and (with outcomes) what GET /plan/last and GET /reloads keep. Plain JSON,
 * never a secret (CHAP is described by user name and where the secret comes
 * from). The shape is stable: fields are only ever added. docs/plan.md
 * documents it.
 */
import type { PlanAction } from './Plan.js';

export type PlanObject = 'portal' | 'discovery' | 'target' | 'lun';

/** + adds, ~ changes in place, - removes, ! refused (nothing is done). */
export type PlanSign = '+' | '~' | '-' | '!';

/** How an action reaches initiators that are connected. */
export type ImpactKind =
  /** CAPACITY DATA HAS CHANGED unit attention on the LUN. */
  | 'capacity-data-changed'
  /** REPORTED LUNS DATA HAS CHANGED unit attention on the target's other LUNs. */
  | 'reported-luns-changed'
  /** Sessions are asked to log out / closed (removed target, binding that no longer admits). */
  | 'logout'
  /** TCP connections through a portal are closed (portal moved or removed). */
  | 'connections-closed'
  /** Only new logins are concerned (CHAP, login options); logged-in sessions stay as they are. */
  | 'next-login';

export interface PlanImpact {
  readonly kind: ImpactKind;
  /** Sessions concerned now; for portals an upper bound (sessions of the targets it serves). */
  readonly sessions: number;
  /** Initiator names concerned, when known (logouts). */
  readonly initiators: readonly string[];
}

/** One field of an object that changes, as displayed (`from`/`to` null: absent). */
export interface FieldChange {
  readonly field: string;
  readonly from: string | null;
  readonly to: string | null;
  /** What it does to initiators, for a person; null when nothing visible. */
  readonly effect: string | null;
}

export interface PlannedAction {
  /** Stable key of the object: 'portal:NAME', 'discovery', 'target:NAME', 'lun:TARGET/N'. */
  readonly id: string;
  readonly kind: PlanAction['kind'];
  readonly sign: PlanSign;
  readonly object: PlanObject;
  readonly target: string | null;
  readonly lun: number | null;
  readonly portal: string | null;
  /** The line a person reads, without sign and effect, e.g. 'lun 1 size 1 GiB → 2 GiB'. */
  readonly text: string;
  /** What connected initiators will notice, in words; null when nothing. */
  readonly effect: string | null;
  readonly changes: readonly FieldChange[];
  readonly impacts: readonly PlanImpact[];
  /** True when a session logged in now is disturbed (an impact other than next-login with sessions > 0). */
  readonly disruptive: boolean;
  /** Why it is refused (sign '!'), or null. */
  readonly reason: string | null;
}

export interface PlanSummary {
  /** Actions that change something (refusals not counted). */
  readonly changes: number;
  readonly refused: number;
  /** Changes that disturb a connected initiator. */
  readonly disruptive: number;
}

export interface PlanReport {
  /** Shape version of this document. */
  readonly format: 1;
  /** The declaration planned (absolute path), or null when built in code. */
  readonly file: string | null;
  /** What it was compared with: the running daemon, or nothing (no daemon runs). */
  readonly against: 'running' | 'empty';
  /** Generation of the running daemon compared with (null against empty). */
  readonly generation: number | null;
  /** Sessions logged in when the plan was made (discovery sessions not counted). */
  readonly sessions: number;
  /** In the order a reload applies them. */
  readonly actions: readonly PlannedAction[];
  readonly summary: PlanSummary;
}

export type ActionOutcomeKind = 'ok' | 'failed' | 'skipped';

export interface AppliedAction extends PlannedAction {
  readonly outcome: ActionOutcomeKind;
  /** Why it failed (the object kept its previous state), or null. */
  readonly error: string | null;
}

/** One reload attempt (start-up included) as kept by the daemon. */
export interface AppliedPlan {
  /** 'start', 'file', 'signal', 'api', 'rescan'. */
  readonly trigger: string;
  /** ISO 8601 time the apply finished. */
  readonly at: string;
  /** Generation serving after it. */
  readonly generation: number;
  /** Declaration valid and every action applied. */
  readonly ok: boolean;
  readonly file: string | null;
  /** Invalid declaration or apply error, one problem per line; null when ok. */
  readonly error: string | null;
  /** file:line:field problems of an invalid declaration (then `actions` is empty). */
  readonly issues: readonly { readonly file: string | null; readonly line: number; readonly column: number; readonly field: string; readonly message: string }[];
  readonly actions: readonly AppliedAction[];
  readonly summary: PlanSummary & { readonly applied: number; readonly failed: number };
}
