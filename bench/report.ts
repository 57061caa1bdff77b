/** Turns raw samples into the per-workload table: medians, ratios, CPU cost. */
import type { Workload } from './workloads.js';

export interface Sample {
  readonly workload: string;
  readonly daemon: string;
  readonly ops: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
}

export interface DaemonFigures {
  readonly iops: number;
  readonly mbPerSec: number;
  /** CPU seconds per 100k ops ('ops' workloads) or per GiB ('bytes' workloads). */
  readonly cpuCost: number;
}

export interface WorkloadRow {
  readonly id: string;
  readonly title: string;
  readonly unit: 'ops' | 'bytes';
  readonly lunhost: DaemonFigures;
  readonly tgtd: DaemonFigures;
  /** lunhost / tgtd on the workload's unit (IOPS or MB/s), medians of the rounds. */
  readonly ratio: number;
}

export interface Summary {
  readonly rows: readonly WorkloadRow[];
  readonly lunhostPeakRssBytes: number;
  readonly rounds: number;
  readonly smoke: boolean;
  readonly at: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function figures(w: Workload, samples: Sample[]): DaemonFigures {
  const iops = median(samples.map((s) => s.ops / s.seconds));
  const mbPerSec = median(samples.map((s) => s.bytes / s.seconds / 1e6));
  const cpuCost = median(samples.map((s) => w.unit === 'ops' ? s.cpuSeconds / (s.ops / 1e5) : s.cpuSeconds / (s.bytes / 2 ** 30)));
  return { iops, mbPerSec, cpuCost };
}

export function summarise(workloads: readonly Workload[], samples: Sample[], extra: { lunhostPeakRssBytes: number; rounds: number; smoke: boolean }): Summary {
  const rows = workloads.map((w) => {
    const lunhost = figures(w, samples.filter((s) => s.workload === w.id && s.daemon === 'lunhost'));
    const tgtd = figures(w, samples.filter((s) => s.workload === w.id && s.daemon === 'tgtd'));
    const ratio = w.unit === 'ops' ? lunhost.iops / tgtd.iops : lunhost.mbPerSec / tgtd.mbPerSec;
    return { id: w.id, title: w.title, unit: w.unit, lunhost, tgtd, ratio };
  });
  return { rows, ...extra, at: new Date().toISOString() };
}

export function renderMarkdown(s: Summary): string {
  const cost = (r: WorkloadRow): string => r.unit === 'ops' ? 'CPU s/100k ops' : 'CPU s/GiB';
  const lines = [
    `# lunhost vs tgtd — ${s.at}${s.smoke ? ' (smoke run: figures mean nothing)' : ''}`,
    '',
    `Rounds: ${s.rounds}; medians. lunhost peak RSS: ${(s.lunhostPeakRssBytes / 2 ** 20).toFixed(1)} MiB.`,
    '',
    '| workload | lunhost IOPS | lunhost MB/s | tgtd IOPS | tgtd MB/s | ratio | lunhost CPU | tgtd CPU | CPU unit |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...s.rows.map((r) => `| ${r.title} | ${r.lunhost.iops.toFixed(0)} | ${r.lunhost.mbPerSec.toFixed(1)} | ${r.tgtd.iops.toFixed(0)} | ${r.tgtd.mbPerSec.toFixed(1)} | ${r.ratio.toFixed(2)}x | ${r.lunhost.cpuCost.toFixed(2)} | ${r.tgtd.cpuCost.toFixed(2)} | ${cost(r)} |`),
    '',
  ];
  return lines.join('\n');
}
