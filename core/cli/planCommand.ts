/**
 * `lunhost plan [FILE]`: what a reload with FILE (default: the declaration the
 * daemon serves) would do, before anything changes. The running daemon plans
 * it against what it serves (POST /plan); when no daemon answers, the plan is
 * made here against an empty state (what `lunhost start` would do).
 *
 * Exit status: 0 no changes, 2 changes (or refusals), 1 invalid declaration
 * or any other failure (bad usage included, so that 2 always means "changes").
 */
import path from 'node:path';
import { ConfigError, formatIssue, type ConfigIssue } from '../config/ConfigError.js';
import { Host } from '../host/Host.js';
import { createLogger } from '../log/createLogger.js';
import type { PlanReport } from '../plan/PlanReport.js';
import { renderPlan } from '../plan/renderPlan.js';
import { jsonText } from './ClientCommand.js';
import { locateSocket } from './locateSocket.js';
import { DaemonNotRunning, ManagementApiError, ManagementClient } from './ManagementClient.js';
import { parseClientArgs, type CommandIo } from './runClientCommand.js';

export const PLAN_USAGE = 'plan [FILE] [--json] [--socket PATH | --config FILE]';
export const PLAN_SUMMARY = 'show what a reload of FILE (default: the daemon\'s declaration) would change; exit 0 none, 2 changes, 1 invalid';

export const PLAN_EXIT = { noChanges: 0, invalid: 1, changes: 2 } as const;

export async function runPlanCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseClientArgs(argv);
  } catch (err) {
    io.stderr.write(`lunhost plan: ${(err as Error).message}\nusage: lunhost ${PLAN_USAGE}\n`);
    return PLAN_EXIT.invalid;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(`usage: lunhost ${PLAN_USAGE}\n  ${PLAN_SUMMARY}\n`);
    return 0;
  }
  if (positionals.length > 1) {
    io.stderr.write(`lunhost plan: takes one file, got '${positionals.join(' ')}'\nusage: lunhost ${PLAN_USAGE}\n`);
    return PLAN_EXIT.invalid;
  }
  const named = positionals[0] ?? values.config ?? null;
  const file = named === null ? null : path.resolve(io.cwd, named);
  const json = values.json === true;

  // Which daemon: --socket, $LUNHOST_SOCKET, else the one the declaration (--config, FILE, or the working directory's) names.
  let socketPath: string | null = null;
  try {
    socketPath = await locateSocket({ socket: values.socket, config: values.config ?? positionals[0], cwd: io.cwd, env: io.env });
  } catch {
    socketPath = null; // no declaration to find it from: plan locally, which reports the problem
  }
  if (socketPath !== null) {
    const client = new ManagementClient(socketPath);
    try {
      const answer = await client.plan(file);
      if (answer.ok) return printPlan(answer.report, json, io);
      return printInvalid(answer.issues, answer.error, json, io);
    } catch (err) {
      if (!(err instanceof DaemonNotRunning) || err.code === 'EACCES') {
        io.stderr.write(`lunhost plan: ${err instanceof ManagementApiError || err instanceof DaemonNotRunning ? err.message : `unexpected failure talking to ${socketPath}: ${(err as Error).message}`}\n`);
        return PLAN_EXIT.invalid;
      }
      io.stderr.write(`lunhost plan: no lunhost answers at ${socketPath}; planning against an empty state\n`);
    } finally {
      await client.close().catch(() => undefined);
    }
  }
  return planLocally(file, json, io);
}

/** No daemon: validate here (built-in plugins and those the file lists) and plan against nothing. */
async function planLocally(file: string | null, json: boolean, io: CommandIo): Promise<number> {
  try {
    const host = await Host.create({ configPath: file, cwd: io.cwd, env: io.env, log: createLogger({ level: 'error' }) });
    const { declaration, plan } = await host.plan();
    return printPlan(host.describe(plan, declaration, null, 'empty'), json, io);
  } catch (err) {
    if (err instanceof ConfigError) return printInvalid(err.issues, err.message, json, io);
    io.stderr.write(`lunhost plan: ${(err as Error).message}\n`);
    return PLAN_EXIT.invalid;
  }
}

function printPlan(report: PlanReport, json: boolean, io: CommandIo): number {
  io.stdout.write(json ? jsonText(report) : renderPlan(report));
  return report.actions.length > 0 ? PLAN_EXIT.changes : PLAN_EXIT.noChanges;
}

function printInvalid(issues: readonly ConfigIssue[], error: string, json: boolean, io: CommandIo): number {
  const lines = issues.length ? issues.map((i) => formatIssue(i, io.cwd)) : [error];
  for (const l of lines) io.stderr.write(l + '\n');
  io.stderr.write(`the declaration is invalid (${lines.length} problem${lines.length === 1 ? '' : 's'}); a reload would change nothing\n`);
  if (json) io.stdout.write(jsonText({ error, issues }));
  return PLAN_EXIT.invalid;
}
