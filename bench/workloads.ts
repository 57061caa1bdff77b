/**
 * The workloads, each run by a real initiator against a LUN URL. A workload
 * returns what the client measured; the harness adds CPU time around it.
 * iscsi-perf (libiscsi) does random and sequential reads at a queue depth;
 * qemu-img bench does writes and QD1 reads. The mixed 70/30 workload runs
 * both clients at once with queue depths in that ratio and sums their ops.
 */
import { spawn } from 'node:child_process';

export interface Measured {
  readonly ops: number;
  readonly bytes: number;
  readonly seconds: number;
}

export interface Workload {
  readonly id: string;
  readonly title: string;
  /** 'ops' workloads are compared by IOPS, 'bytes' ones by MB/s. */
  readonly unit: 'ops' | 'bytes';
  run(lunUrl: string, scale: Scale): Promise<Measured>;
}

/** How long each run lasts: seconds for timed clients, a multiplier for counted ones. */
export interface Scale {
  readonly seconds: number;
  readonly countFactor: number;
  /** Bytes of the LUN the sequential workloads may cover. */
  readonly lunBytes: number;
}

function exec(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    child.on('error', reject);
    child.on('close', (code) => code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out.slice(-2000)}`)));
  });
}

/** iscsi-perf: reads only; `blocks` of 512 B per request at depth `depth` for `seconds`. */
async function iscsiPerf(url: string, depth: number, blocks: number, random: boolean, seconds: number): Promise<Measured> {
  const args = ['-m', String(depth), '-b', String(blocks), '-t', String(seconds), ...(random ? ['-r'] : []), url];
  const started = process.hrtime.bigint();
  const out = await exec('iscsi-perf', args);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const m = /iops average (\d+)/.exec(out.slice(out.lastIndexOf('iops average')));
  if (!m) throw new Error(`iscsi-perf printed no average:\n${out.slice(-1000)}`);
  const iops = Number(m[1]);
  const runSeconds = Math.min(seconds, elapsed);
  return { ops: iops * runSeconds, bytes: iops * runSeconds * blocks * 512, seconds: runSeconds };
}

/** qemu-img bench: `count` requests of `size` bytes at depth `depth`. */
async function qemuBench(url: string, write: boolean, depth: number, size: number, count: number, step: number): Promise<Measured> {
  const args = ['bench', '-f', 'raw', '-t', 'none', '-d', String(depth), '-s', String(size), '-c', String(count), '-S', String(step), ...(write ? ['-w'] : []), url];
  const out = await exec('qemu-img', args);
  const m = /Run completed in ([\d.]+) seconds/.exec(out);
  if (!m) throw new Error(`qemu-img bench printed no time:\n${out.slice(-1000)}`);
  return { ops: count, bytes: count * size, seconds: Number(m[1]) };
}

const KiB = 1024;
const MiB = 1024 * KiB;

export const WORKLOADS: readonly Workload[] = [
  {
    id: 'randread-4k-qd32', title: '4 KiB random read, QD32 (iscsi-perf)', unit: 'ops',
    run: (url, s) => iscsiPerf(url, 32, 8, true, s.seconds),
  },
  {
    id: 'write-4k-qd32', title: '4 KiB write, QD32 (qemu-img bench -w)', unit: 'ops',
    run: (url, s) => qemuBench(url, true, 32, 4 * KiB, Math.round(120_000 * s.countFactor), 4 * KiB),
  },
  {
    id: 'read-4k-qd1', title: '4 KiB read, QD1 latency (qemu-img bench)', unit: 'ops',
    run: (url, s) => qemuBench(url, false, 1, 4 * KiB, Math.round(40_000 * s.countFactor), 4 * KiB),
  },
  {
    id: 'seqread-1m-qd8', title: '1 MiB sequential read, QD8 (iscsi-perf)', unit: 'bytes',
    run: (url, s) => iscsiPerf(url, 8, 2048, false, s.seconds),
  },
  {
    id: 'seqwrite-1m-qd8', title: '1 MiB sequential write, QD8 (qemu-img bench -w)', unit: 'bytes',
    run: (url, s) => qemuBench(url, true, 8, MiB, Math.min(Math.round(3000 * s.countFactor), s.lunBytes / MiB), MiB),
  },
  {
    id: 'mixed-4k-70-30', title: '4 KiB mixed 70% read / 30% write, QD32 total', unit: 'ops',
    run: async (url, s) => {
      const [r, w] = await Promise.all([
        iscsiPerf(url, 22, 8, true, s.seconds),
        qemuBench(url, true, 10, 4 * KiB, Math.round(40_000 * s.countFactor), 4 * KiB),
      ]);
      const seconds = Math.max(r.seconds, w.seconds);
      return { ops: r.ops + w.ops, bytes: r.bytes + w.bytes, seconds };
    },
  },
];
