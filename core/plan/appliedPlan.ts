/**
 * appliedPlan(): a PlanReport joined with what applyPlan() did, action by
 * action (ok, failed with its error, or skipped), for GET /plan/last, the
 * reload history and `lunhost status`. refusedPlan(): the record of a reload
 * whose declaration was invalid (nothing planned, nothing changed).
 */
import type { ConfigIssue } from '../config/ConfigError.js';
import type { ActionResult } from './applyPlan.js';
import type { Plan } from './Plan.js';
import type { AppliedAction, AppliedPlan, PlanReport } from './PlanReport.js';

export interface AppliedMeta {
  readonly trigger: string;
  readonly at: string;
  readonly generation: number;
}

export function appliedPlan(plan: Plan, report: PlanReport, results: readonly ActionResult[], meta: AppliedMeta): AppliedPlan {
  const byAction = new Map(results.map((r) => [r.action, r.error]));
  const actions: AppliedAction[] = report.actions.map((a, i) => {
    const action = plan.actions[i]!;
    if (!byAction.has(action)) return { ...a, outcome: 'skipped', error: null };
    const error = byAction.get(action) ?? null;
    return { ...a, outcome: error ? 'failed' : 'ok', error: error ? error.message : null };
  });
  const failed = actions.filter((a) => a.outcome === 'failed');
  return {
    ...meta,
    ok: failed.length === 0,
    file: report.file,
    error: failed.length ? failed.map((a) => a.error).join('\n') : null,
    issues: [],
    actions,
    summary: { ...report.summary, applied: actions.filter((a) => a.outcome === 'ok').length, failed: failed.length },
  };
}

export function refusedPlan(file: string | null, error: Error, issues: readonly ConfigIssue[], meta: AppliedMeta): AppliedPlan {
  return {
    ...meta,
    ok: false,
    file,
    error: error.message,
    issues: issues.map((i) => ({ file: i.file, line: i.line, column: i.column, field: i.field, message: i.message })),
    actions: [],
    summary: { changes: 0, refused: 0, disruptive: 0, applied: 0, failed: 0 },
  };
}
