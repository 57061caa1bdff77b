/**
 * `npm run bench`: lunhost and tgtd side by side in one run.
 *
 * Both serve an identical sparse file on the same filesystem; both are warmed
 * by writing the file once, and before every sample the daemon's file is
 * synced and read into the page cache (./settleFile: these machines reclaim
 * page cache on their own); then every workload runs against each daemon in
 * turn (the order alternating every round, so drift hits both alike), for
 * several rounds. Reported per workload: the median IOPS and MB/s of each, the
 * lunhost/tgtd ratio, CPU seconds per 100k ops (or per GiB) of each daemon,
 * and lunhost's peak RSS. Writes bench/results/latest.json and latest.md.
 *
 *   npm run bench                 full run (about 3 rounds × 6 workloads × 2 daemons)
 *   npm run bench -- --smoke      seconds-long run that only proves the harness works
 *   npm run bench -- --rounds 5 --only randread-4k-qd32
 *   npm run bench -- --sheep tcp:127.0.0.1:7000 [--dog PATH]
 *   npm run bench -- --lunhost ../other/dist/core/cli/main.js
 *       measures another build of lunhost (e.g. a baseline checkout) with this harness
 *   npm run bench -- --sheep unix:/sheep_store/sock --dog-address 127.0.0.1:7000
 *       also runs every workload on a Sheepdog LUN: lunhost's sheepdog store
 *       and tgtd's --bstype sheepdog, each on a fresh VDI on that sheep
 *       (created and deleted with dog; see SheepVdis.ts)
 */
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WORKLOADS, type Measured, type Scale, type Workload } from './workloads.js';
import { cpuSeconds, peakRssBytes } from './ProcessStats.js';
import { startLunhost } from './targets/startLunhost.js';
import { startTgtd } from './targets/startTgtd.js';
import type { TargetUnderTest } from './targets/TargetUnderTest.js';
import { renderMarkdown, summarise, type BenchStore, type Sample } from './report.js';
import { freePorts } from './freePorts.js';
import { createSheepVdis, type SheepVdis } from './SheepVdis.js';
import { settleFile } from './settleFile.js';

const REPO = resolve(new URL('../..', import.meta.url).pathname);

interface Args { smoke: boolean; rounds: number; only: string[]; out: string; sheep: string | null; dog: string; dogAddress: string | undefined; lunhost: string }

function parseArgs(argv: string[]): Args {
  const a: Args = {
    smoke: false, rounds: 3, only: [], out: join(REPO, 'bench/results'), sheep: null, dog: 'dog', dogAddress: undefined,
    lunhost: join(REPO, 'dist/core/cli/main.js'),
  };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--smoke') { a.smoke = true; a.rounds = 1; }
    else if (v === '--rounds') a.rounds = Number(argv[++i]);
    else if (v === '--only') a.only.push(...String(argv[++i]).split(','));
    else if (v === '--out') a.out = resolve(String(argv[++i]));
    else if (v === '--sheep') a.sheep = String(argv[++i]);
    else if (v === '--dog') a.dog = String(argv[++i]);
    else if (v === '--dog-address') a.dogAddress = String(argv[++i]);
    else if (v === '--lunhost') a.lunhost = resolve(String(argv[++i]));
    else throw new Error(`unknown argument ${v}; see the header of bench/run.ts`);
  }
  return a;
}

function urlOf(target: TargetUnderTest, store: BenchStore): string {
  return store === 'file' ? target.lunUrl : target.sheepLunUrl!;
}

async function measure(target: TargetUnderTest, store: BenchStore, round: number, w: Workload, scale: Scale): Promise<Sample> {
  const cpuBefore = cpuSeconds(target.pid);
  const m: Measured = await w.run(urlOf(target, store), scale);
  const cpu = cpuSeconds(target.pid) - cpuBefore;
  return { workload: w.id, store, daemon: target.name, round, ops: m.ops, bytes: m.bytes, seconds: m.seconds, cpuSeconds: cpu };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const lunBytes = args.smoke ? 64 << 20 : 1 << 30;
  const scale: Scale = args.smoke ? { seconds: 1, countFactor: 0.02, lunBytes } : { seconds: 5, countFactor: 1, lunBytes };
  const workloads = args.only.length ? WORKLOADS.filter((w) => args.only.includes(w.id)) : WORKLOADS;
  const dir = mkdtempSync(join(args.smoke ? tmpdir() : join(REPO, 'bench'), args.smoke ? 'lunhost-bench-' : '.bench-'));
  const files = { lunhost: join(dir, 'lunhost.img'), tgtd: join(dir, 'tgtd.img') };
  for (const f of Object.values(files)) { writeFileSync(f, ''); truncateSync(f, lunBytes); }

  const [lp, tp] = await freePorts(2);
  const controlPort = 1000 + Math.floor(Math.random() * 8000);
  let sheep: SheepVdis | null = null;
  const daemons: TargetUnderTest[] = [];
  const samples: Sample[] = [];
  try {
    if (args.sheep) sheep = createSheepVdis({ address: args.sheep, dog: args.dog, dogAddress: args.dogAddress, bytes: lunBytes });
    const stores: BenchStore[] = sheep ? ['file', 'sheepdog'] : ['file'];
    const lunhost = await startLunhost({ cli: args.lunhost, dir, file: files.lunhost, port: lp!, sheepBacking: sheep?.lunhostBacking });
    daemons.push(lunhost);
    daemons.push(await startTgtd({ file: files.tgtd, port: tp!, controlPort, sheepBacking: sheep?.tgtdBacking }));
    // Warm: write every byte once so reads hit data, not holes, on both.
    const warm = WORKLOADS.find((w) => w.id === 'seqwrite-1m-qd8')!;
    for (const store of stores) for (const d of daemons) await warm.run(urlOf(d, store), { ...scale, countFactor: 1e9 });
    for (let round = 0; round < args.rounds; round++) {
      for (const store of stores) {
        for (const w of workloads) {
          const order = round % 2 === 0 ? daemons : [...daemons].reverse();
          for (const d of order) {
            if (store === 'file') settleFile(files[d.name as keyof typeof files]);
            const s = await measure(d, store, round, w, scale);
            samples.push(s);
            process.stderr.write(`round ${round + 1} ${store} ${w.id} ${d.name}: ${(s.ops / s.seconds).toFixed(0)} IOPS, ${(s.bytes / s.seconds / 1e6).toFixed(1)} MB/s\n`);
          }
        }
      }
    }
    const rss = peakRssBytes(lunhost.pid);
    const summary = summarise(workloads, stores, samples, { lunhostPeakRssBytes: rss, rounds: args.rounds, smoke: args.smoke, sheep: sheep?.description ?? null });
    mkdirSync(args.out, { recursive: true });
    writeFileSync(join(args.out, 'latest.json'), JSON.stringify({ summary, samples }, null, 2) + '\n');
    const md = renderMarkdown(summary);
    writeFileSync(join(args.out, 'latest.md'), md);
    process.stdout.write(md);
  } finally {
    for (const d of daemons) await d.stop();
    sheep?.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
