/**
 * The plan side of the management API (routes in ManagementServer):
 *
 *   POST /plan        body {"file"?: "/abs/path/targets.yaml"} (none: the daemon's own file)
 *                     200 PlanReport | 422 {"error", "issues": [{file, line, column, field, message}]}
 *   GET  /plan/last   200 AppliedPlan: the last plan applied, each action with its outcome | 404
 *   GET  /reloads     200 AppliedPlan[]: the last reloads (start-up included), newest first
 *
 * Planning changes nothing: the declaration is validated and compared with
 * what runs; a reload then applies the same plan (Host.reload).
 */
import path from 'node:path';
import { ConfigError } from '../config/ConfigError.js';
import type { AppliedPlan, PlanReport } from './PlanReport.js';

export interface PlanRequest {
  /** Absolute path of the declaration to plan; null: the one the daemon serves. */
  readonly file: string | null;
}

export interface PlanView {
  /** Validate and plan against what runs. Rejects with ConfigError for an invalid declaration. */
  plan(req: PlanRequest): Promise<PlanReport>;
  lastPlan(): AppliedPlan | null;
  /** Newest first. */
  reloadHistory(): AppliedPlan[];
}

export interface PlanReply {
  readonly status: number;
  readonly body: unknown;
}

/** `{}` or empty: the daemon's file; `{"file": "/abs/path"}`. */
export function parsePlanRequest(body: string): PlanRequest | PlanReply {
  if (body.trim() === '') return { file: null };
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return { status: 400, body: { error: 'the body of POST /plan must be JSON, e.g. {"file": "/etc/lunhost/targets.yaml"} or {}' } };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { status: 400, body: { error: 'the body of POST /plan must be a JSON object' } };
  const file = (data as Record<string, unknown>).file ?? null;
  if (file !== null && (typeof file !== 'string' || !path.isAbsolute(file))) {
    return { status: 400, body: { error: '"file" must be an absolute path (the daemon does not know the client\'s working directory)' } };
  }
  return { file };
}

/** POST /plan: the plan, or the declaration's problems with 422. */
export async function planReply(view: PlanView, body: string): Promise<PlanReply> {
  const req = parsePlanRequest(body);
  if ('status' in req) return req;
  try {
    return { status: 200, body: await view.plan(req) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return {
      status: 422,
      body: { error: err.message, issues: err.issues.map((i) => ({ file: i.file, line: i.line, column: i.column, field: i.field, message: i.message })) },
    };
  }
}

export function lastPlanReply(view: PlanView): PlanReply {
  const last = view.lastPlan();
  return last ? { status: 200, body: last } : { status: 404, body: { error: 'no plan has been applied yet' } };
}
