/** Turns raw samples into the per-workload table: medians, ratios, CPU cost. */
import type { Workload } from './workloads.js';

/** Which LUN a sample ran on: the file LUN, or the Sheepdog one (`--sheep`). */
export type BenchStore = 'file' | 'sheepdog';

export interface Sample {
  readonly workload: string;
  readonly store: BenchStore;
  readonly daemon: string;
  readonly round: number;
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
  readonly store: BenchStore;
  readonly title: string;
  readonly unit: 'ops' | 'bytes';
  readonly lunhost: DaemonFigures;
  readonly tgtd: DaemonFigures;
  /** lunhost / tgtd on the workload's unit (IOPS or MB/s), medians of the rounds. */
  readonly ratio: number;
  /** The same ratio within each round (both daemons measured back to back): shows the noise. */
  readonly roundRatios: readonly number[];
}

export interface Summary {
  readonly rows: readonly WorkloadRow[];
  readonly lunhostPeakRssBytes: number;
  readonly rounds: number;
  readonly smoke: boolean;
  /** Where the Sheepdog rows ran, when there are any. */
  readonly sheep: string | null;
  readonly at: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function rate(w: Workload, s: Sample): number {
  return w.unit === 'ops' ? s.ops / s.seconds : s.bytes / s.seconds / 1e6;
}

function figures(w: Workload, samples: Sample[]): DaemonFigures {
  const iops = median(samples.map((s) => s.ops / s.seconds));
  const mbPerSec = median(samples.map((s) => s.bytes / s.seconds / 1e6));
  const cpuCost = median(samples.map((s) => w.unit === 'ops' ? s.cpuSeconds / (s.ops / 1e5) : s.cpuSeconds / (s.bytes / 2 ** 30)));
  return { iops, mbPerSec, cpuCost };
}

export function summarise(
  workloads: readonly Workload[],
  stores: readonly BenchStore[],
  samples: Sample[],
  extra: { lunhostPeakRssBytes: number; rounds: number; smoke: boolean; sheep: string | null },
): Summary {
  const rows: WorkloadRow[] = [];
  for (const store of stores) {
    for (const w of workloads) {
      const mine = samples.filter((s) => s.workload === w.id && s.store === store);
      const l = mine.filter((s) => s.daemon === 'lunhost');
      const t = mine.filter((s) => s.daemon === 'tgtd');
      const lunhost = figures(w, l);
      const tgtd = figures(w, t);
      const ratio = w.unit === 'ops' ? lunhost.iops / tgtd.iops : lunhost.mbPerSec / tgtd.mbPerSec;
      const roundRatios = l.flatMap((ls) => {
        const ts = t.find((x) => x.round === ls.round);
        return ts ? [rate(w, ls) / rate(w, ts)] : [];
      });
      rows.push({ id: w.id, store, title: w.title, unit: w.unit, lunhost, tgtd, ratio, roundRatios });
    }
  }
  return { rows, ...extra, at: new Date().toISOString() };
}

function table(rows: readonly WorkloadRow[]): string[] {
  const cost = (r: WorkloadRow): string => r.unit === 'ops' ? 'CPU s/100k ops' : 'CPU s/GiB';
  return [
    '| workload | lunhost IOPS | lunhost MB/s | tgtd IOPS | tgtd MB/s | ratio | per round | lunhost CPU | tgtd CPU | CPU unit |',
    '|---|---:|---:|---:|---:|---:|---|---:|---:|---|',
    ...rows.map((r) => `| ${r.title} | ${r.lunhost.iops.toFixed(0)} | ${r.lunhost.mbPerSec.toFixed(1)} | ${r.tgtd.iops.toFixed(0)} | ${r.tgtd.mbPerSec.toFixed(1)} | ${r.ratio.toFixed(2)}x | ${r.roundRatios.map((x) => x.toFixed(2)).join(' ')} | ${r.lunhost.cpuCost.toFixed(2)} | ${r.tgtd.cpuCost.toFixed(2)} | ${cost(r)} |`),
  ];
}

export function renderMarkdown(s: Summary): string {
  const file = s.rows.filter((r) => r.store === 'file');
  const sheep = s.rows.filter((r) => r.store === 'sheepdog');
  const lines = [
    `# lunhost vs tgtd — ${s.at}${s.smoke ? ' (smoke run: figures mean nothing)' : ''}`,
    '',
    `Rounds: ${s.rounds}; medians. lunhost peak RSS: ${(s.lunhostPeakRssBytes / 2 ** 20).toFixed(1)} MiB.`,
    '',
    '## File LUN (identical sparse files, same file system)',
    '',
    ...table(file),
    '',
  ];
  if (sheep.length) {
    lines.push(`## Sheepdog LUN (lunhost store: sheepdog vs tgtd --bstype sheepdog; ${s.sheep})`, '', ...table(sheep), '');
  }
  return lines.join('\n');
}
