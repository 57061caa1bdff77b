/**
 * The daemon's memory of its reloads: the last `limit` applied plans (start-up
 * included, invalid declarations too), newest last. GET /plan/last and
 * GET /reloads read it; `lunhost status` takes the errors of what is still
 * not applied from it.
 */
import type { AppliedAction, AppliedPlan } from './PlanReport.js';

export const RELOAD_HISTORY_LIMIT = 20;

export class PlanHistory {
  private readonly records: AppliedPlan[] = [];

  constructor(private readonly limit = RELOAD_HISTORY_LIMIT) {}

  record(applied: AppliedPlan): void {
    this.records.push(applied);
    if (this.records.length > this.limit) this.records.splice(0, this.records.length - this.limit);
  }

  /** Newest first. */
  all(): AppliedPlan[] {
    return [...this.records].reverse();
  }

  /** The last plan that was applied (a refused declaration applies no plan), or null. */
  lastApplied(): AppliedPlan | null {
    for (let i = this.records.length - 1; i >= 0; i--) {
      const r = this.records[i]!;
      // A refused declaration (or an apply that could not run) has an error and no actions.
      if (!(r.actions.length === 0 && r.error !== null)) return r;
    }
    return null;
  }

  /** The most recent outcome of an action on object `id` (e.g. 'lun:iqn.../4'), and when. */
  lastOutcome(id: string): { readonly action: AppliedAction; readonly at: string } | null {
    for (let i = this.records.length - 1; i >= 0; i--) {
      const r = this.records[i]!;
      const action = r.actions.find((a) => a.id === id);
      if (action) return { action, at: r.at };
    }
    return null;
  }
}
