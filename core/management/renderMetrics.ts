/**
 * The daemon's state in the Prometheus text exposition format (version
 * 0.0.4): one HELP and one TYPE line per metric family, then its samples.
 * Latencies are exported in seconds, as Prometheus convention wants.
 */
import type { SessionInfo } from '../transport/Transport.js';
import type { LunReport, StatusReport } from './ManagementView.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Readonly<Record<string, string>>;

interface Family {
  readonly name: string;
  readonly type: 'gauge' | 'counter' | 'histogram';
  readonly help: string;
  readonly samples: { suffix: string; labels: Labels; value: number }[];
}

export function renderMetrics(status: StatusReport, luns: readonly LunReport[], sessions: readonly SessionInfo[]): string {
  const families: Family[] = [];
  const family = (name: string, type: Family['type'], help: string): Family['samples'] => {
    const f: Family = { name, type, help, samples: [] };
    families.push(f);
    return f.samples;
  };

  family('lunhost_info', 'gauge', 'Always 1; the labels say which lunhost runs.')
    .push({ suffix: '', labels: { version: status.version }, value: 1 });
  family('lunhost_uptime_seconds', 'gauge', 'Seconds since the daemon started.')
    .push({ suffix: '', labels: {}, value: status.uptimeSeconds });
  family('lunhost_config_generation', 'gauge', 'Generation of the configuration serving (1 at start, +1 per applied reload).')
    .push({ suffix: '', labels: {}, value: status.generation });
  family('lunhost_last_reload_success', 'gauge', '1 when the last reload (or start-up) applied, 0 when the declaration was refused.')
    .push({ suffix: '', labels: {}, value: status.lastReload === null || status.lastReload.ok ? 1 : 0 });

  const perTarget = new Map<string, number>();
  for (const s of sessions) {
    if (s.discovery || s.targetName === null) continue;
    perTarget.set(s.targetName, (perTarget.get(s.targetName) ?? 0) + 1);
  }
  const sess = family('lunhost_sessions', 'gauge', 'iSCSI sessions logged in, per target (discovery sessions excluded).');
  for (const [target, n] of [...perTarget].sort((a, b) => a[0].localeCompare(b[0]))) sess.push({ suffix: '', labels: { target }, value: n });

  const size = family('lunhost_lun_size_bytes', 'gauge', 'Size of the LUN in bytes.');
  const readOps = family('lunhost_lun_read_ops_total', 'counter', 'Commands that read data from the LUN.');
  const readBytes = family('lunhost_lun_read_bytes_total', 'counter', 'Bytes read from the LUN.');
  const writeOps = family('lunhost_lun_write_ops_total', 'counter', 'Commands that wrote data to the LUN.');
  const writeBytes = family('lunhost_lun_write_bytes_total', 'counter', 'Bytes written to the LUN.');
  const otherOps = family('lunhost_lun_other_ops_total', 'counter', 'Commands that moved no data (TEST UNIT READY, SYNCHRONIZE CACHE, ...).');
  const errors = family('lunhost_lun_errors_total', 'counter', 'Commands that ended with a status other than GOOD.');
  const latency = family('lunhost_lun_command_duration_seconds', 'histogram', 'Time from dispatch to result of the commands of the LUN.');
  for (const l of luns) {
    const labels = { target: l.target, lun: String(l.lun) };
    const c = l.counters;
    size.push({ suffix: '', labels, value: l.size });
    readOps.push({ suffix: '', labels, value: c.readOps });
    readBytes.push({ suffix: '', labels, value: c.readBytes });
    writeOps.push({ suffix: '', labels, value: c.writeOps });
    writeBytes.push({ suffix: '', labels, value: c.writeBytes });
    otherOps.push({ suffix: '', labels, value: c.otherOps });
    errors.push({ suffix: '', labels, value: c.errors });
    let cumulative = 0;
    c.latency.boundsUs.forEach((boundUs, i) => {
      cumulative += c.latency.counts[i] ?? 0;
      latency.push({ suffix: '_bucket', labels: { ...labels, le: formatNumber(boundUs / 1e6) }, value: cumulative });
    });
    latency.push({ suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: c.latency.count });
    latency.push({ suffix: '_sum', labels, value: c.latency.sumUs / 1e6 });
    latency.push({ suffix: '_count', labels, value: c.latency.count });
  }

  let out = '';
  for (const f of families) {
    out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) out += `${f.name}${s.suffix}${renderLabels(s.labels)} ${formatNumber(s.value)}\n`;
  }
  return out;
}

function renderLabels(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return '{' + keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(',') + '}';
}

/** Label values escape backslash, double quote and line feed. */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and line feed. */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}
