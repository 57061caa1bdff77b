/** `lunhost show targets|sessions|luns`: what the daemon serves, who is logged in, LUN counters. */
import { latencyQuantile } from '../management/latencyQuantile.js';
import type { LunReport, TargetReport } from '../management/ManagementView.js';
import type { SessionInfo } from '../transport/Transport.js';
import { jsonText, type ClientCommand } from './ClientCommand.js';
import { formatTable } from './formatTable.js';
import { humanBytes, humanMicros } from './humanUnits.js';

const WHAT = ['targets', 'sessions', 'luns'] as const;
type What = (typeof WHAT)[number];

export const showCommand: ClientCommand = {
  name: 'show',
  usage: 'show targets|sessions|luns',
  summary: 'list targets, logged-in sessions, or LUNs with their I/O counters',
  checkArgs(args) {
    if (args.length === 1 && (WHAT as readonly string[]).includes(args[0]!)) return null;
    return `show needs one of ${WHAT.join(', ')}${args.length ? `, got '${args.join(' ')}'` : ''}`;
  },
  async run(client, args, out) {
    const what = args[0] as What;
    const data = what === 'targets' ? await client.targets() : what === 'sessions' ? await client.sessions() : await client.luns();
    if (out.json) out.write(jsonText(data));
    else if (data.length === 0) out.write(`no ${what}\n`);
    else if (what === 'targets') out.write(formatTargets(data as TargetReport[]));
    else if (what === 'sessions') out.write(formatSessions(data as SessionInfo[]));
    else out.write(formatLuns(data as LunReport[]));
    return 0;
  },
};

export function formatTargets(targets: readonly TargetReport[]): string {
  return formatTable([
    { title: 'TARGET', value: (t) => t.name },
    { title: 'ALIAS', value: (t) => t.alias ?? '-' },
    { title: 'PORTALS', value: (t) => t.portals.join(',') || '-' },
    { title: 'LUNS', value: (t) => t.luns.join(',') || '-' },
    { title: 'BINDINGS', value: (t) => t.bindings.join(',') || '-' },
    { title: 'AUTH', value: (t) => t.auth },
    { title: 'SESSIONS', value: (t) => t.sessions },
  ], targets);
}

/** The negotiated keys worth a column; --json has them all. */
const KEY_PARAMETERS = ['HeaderDigest', 'DataDigest', 'MaxRecvDataSegmentLength', 'MaxBurstLength', 'ImmediateData', 'InitialR2T'];

export function formatSessions(sessions: readonly SessionInfo[]): string {
  return formatTable([
    { title: 'TARGET', value: (s) => (s.discovery ? '(discovery)' : s.targetName ?? '-') },
    { title: 'INITIATOR', value: (s) => s.initiatorName + (s.initiatorAlias ? ` (${s.initiatorAlias})` : '') },
    { title: 'ADDRESS', value: (s) => s.remoteAddress },
    { title: 'CONNS', value: (s) => s.connections },
    { title: 'TRANSPORT', value: (s) => s.transport },
    {
      title: 'PARAMETERS',
      value: (s) => KEY_PARAMETERS.filter((k) => s.parameters[k] !== undefined).map((k) => `${k}=${s.parameters[k]}`).join(' ') || '-',
    },
  ], sessions);
}

export function formatLuns(luns: readonly LunReport[]): string {
  const q = (l: LunReport, p: number): string => {
    const v = latencyQuantile(l.counters.latency, p);
    return v === null ? '-' : v === Infinity ? 'slow' : `<=${humanMicros(v)}`;
  };
  return formatTable([
    { title: 'TARGET', value: (l) => l.target },
    { title: 'LUN', value: (l) => l.lun },
    { title: 'STORE', value: (l) => l.store },
    { title: 'SIZE', value: (l) => humanBytes(l.size) },
    { title: 'RO', value: (l) => (l.readOnly ? 'yes' : 'no') },
    { title: 'READS', value: (l) => l.counters.readOps },
    { title: 'READ', value: (l) => humanBytes(l.counters.readBytes) },
    { title: 'WRITES', value: (l) => l.counters.writeOps },
    { title: 'WRITTEN', value: (l) => humanBytes(l.counters.writeBytes) },
    { title: 'OTHER', value: (l) => l.counters.otherOps },
    { title: 'ERRORS', value: (l) => l.counters.errors },
    { title: 'P50', value: (l) => q(l, 0.5) },
    { title: 'P99', value: (l) => q(l, 0.99) },
  ], luns);
}
