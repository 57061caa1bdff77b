/** `lunhost status`: version, uptime, declaration file and generation, last reload and its error. */
import { formatIssue } from '../config/ConfigError.js';
import type { ReloadResult, StatusReport } from '../management/ManagementView.js';
import { jsonText, noArguments, type ClientCommand } from './ClientCommand.js';
import { humanDuration } from './humanUnits.js';

export const statusCommand: ClientCommand = {
  name: 'status',
  usage: 'status',
  summary: 'show whether the daemon runs, what it serves and how the last reload went',
  checkArgs: noArguments('status'),
  async run(client, _args, out) {
    const status = await client.status();
    out.write(out.json ? jsonText(status) : formatStatus(status));
    return 0;
  },
};

export function formatStatus(s: StatusReport): string {
  const lines = [
    `lunhost ${s.version}, pid ${s.pid}, up ${humanDuration(s.uptimeSeconds)} (since ${s.startedAt})`,
    `declaration: ${s.configFile ?? '(built in code)'}, generation ${s.generation}`,
    `serving:     ${s.targets} target${s.targets === 1 ? '' : 's'}, ${s.luns} LUN${s.luns === 1 ? '' : 's'}, ${s.sessions} session${s.sessions === 1 ? '' : 's'}`,
    `last reload: ${s.lastReload ? describeReload(s.lastReload) : 'none yet'}`,
  ];
  if (s.lastReload && !s.lastReload.ok) lines.push(...reloadErrorLines(s.lastReload).map((l) => `  ${l}`));
  // What the serving declaration asks for but does not run; retried at the next reload or rescan.
  if (s.notApplied && s.notApplied.length > 0) {
    lines.push(`not applied: ${s.notApplied.length} action${s.notApplied.length === 1 ? '' : 's'} (retried at the next reload or \`lunhost rescan\`):`);
    for (const a of s.notApplied) lines.push(`  ${a.action}`, ...(a.error ? [`    ${a.error}`] : []));
  }
  return lines.join('\n') + '\n';
}

export function describeReload(r: ReloadResult): string {
  const how = `${r.trigger === 'start' ? 'start-up' : `by ${r.trigger === 'api' ? 'lunhost reload' : r.trigger === 'signal' ? 'SIGHUP' : r.trigger === 'rescan' ? 'lunhost rescan (retry)' : 'file change'}`} at ${r.at}`;
  // A reload applied object by object can fail in part: the rest was applied.
  if (!r.ok && r.issues.length === 0 && r.changes > 0) return `FAILED in part ${how}; what failed keeps its previous state, the rest is applied:`;
  if (!r.ok) return `FAILED ${how}; the previous configuration keeps serving:`;
  return r.changes === 0 ? `ok ${how}, nothing changed` : `ok ${how}, ${r.changes} change${r.changes === 1 ? '' : 's'} applied`;
}

/** The error of a failed reload, one problem per line, with file:line:column and field when known. */
export function reloadErrorLines(r: ReloadResult): string[] {
  if (r.issues.length > 0) return r.issues.map((i) => formatIssue(i));
  return (r.error ?? 'unknown error').split('\n');
}
