/**
 * The benchmark harness keeps working: a seconds-long smoke run against
 * lunhost and tgtd produces a row per workload with figures for both.
 * No thresholds — speed is judged by `npm run bench`, never by a test.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '../helpers/runTool.js';
import { REPO_ROOT } from '../helpers/LunhostDaemon.js';

const out = mkdtempSync(join(tmpdir(), 'lunhost-bench-out-'));
t.teardown(() => rmSync(out, { recursive: true, force: true }));

const r = await runTool(process.execPath, [join(REPO_ROOT, 'dist/bench/run.js'), '--smoke', '--out', out], { timeoutMs: 300_000 });
t.equal(r.code, 0, r.stderr);
const report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as {
  summary: { rows: Array<{ id: string; ratio: number; lunhost: { iops: number }; tgtd: { iops: number } }>; lunhostPeakRssBytes: number };
};
t.equal(report.summary.rows.length, 6, 'six workloads');
for (const row of report.summary.rows) {
  t.ok(row.lunhost.iops > 0, `${row.id}: lunhost measured`);
  t.ok(row.tgtd.iops > 0, `${row.id}: tgtd measured`);
  t.ok(Number.isFinite(row.ratio) && row.ratio > 0, `${row.id}: ratio computed`);
}
t.ok(report.summary.lunhostPeakRssBytes > 0, 'peak RSS read from /proc');
t.match(readFileSync(join(out, 'latest.md'), 'utf8'), /\| workload \| lunhost IOPS/);
