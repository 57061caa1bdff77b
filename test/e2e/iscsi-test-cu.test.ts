/**
 * libiscsi's conformance suite, all of it (`iscsi-test-cu --dataloss -t ALL`),
 * against a thin-provisioned file LUN, with a second URL to the same LUN so
 * the multipath suites run (two sessions, two initiator names). The
 * ReadOnly suite needs a write-protected LUN, so it runs again against a
 * read-only LUN and that verdict counts for it.
 *
 * Each test of the suite is one assertion here, so a failure names the suite
 * and test. A test may skip itself only for a reason listed in ALLOWED_SKIPS
 * (the suite needs something this LUN deliberately is not); any other skip —
 * "X is not implemented" above all — fails.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { LunhostDaemon } from '../helpers/LunhostDaemon.js';
import { runTool } from '../helpers/runTool.js';
import { E2E_IQN, fileTargetYaml } from '../helpers/fileTargetYaml.js';
import { parseIscsiTestCu, type CuTestResult } from '../helpers/IscsiTestCuReport.js';

/** Skip reasons the suite prints that are acceptable, and why. */
export const ALLOWED_SKIPS: ReadonlyArray<{ readonly reason: RegExp; readonly why: string }> = [
  { reason: /--allow-sanitize flag is not set/, why: 'SANITIZE destroys the whole LUN; the suite only runs it with --allow-sanitize' },
  { reason: /Logical unit is not removable|Media is not removable/, why: 'lunhost LUNs are fixed disks (RMB=0); these tests need removable media' },
  { reason: /LBPPB < 2/, why: 'the LUN has one logical block per physical block; the test needs several' },
];

const RO_SIZE = 16 * 1024 * 1024;

const daemon = await LunhostDaemon.start({
  yaml: (port, dir) => fileTargetYaml(port, dir, [
    { lun: 1, file: 'cu.img', size: '256MiB' },
    { lun: 2, file: 'ro.img', size: '16MiB', readOnly: true },
  ]),
  // A read-only LUN serves an existing file; create it.
  setup: (dir) => writeFileSync(join(dir, 'ro.img'), Buffer.alloc(RO_SIZE)),
});
t.teardown(() => daemon.dispose());

const lunUrl = `${daemon.url}/${E2E_IQN}/1`;
const full = await runTool('iscsi-test-cu', ['--dataloss', '-t', 'ALL', lunUrl, lunUrl], { timeoutMs: 1_200_000 });
const readOnly = await runTool('iscsi-test-cu', ['--dataloss', '-t', 'ALL.ReadOnly', `${daemon.url}/${E2E_IQN}/2`], { timeoutMs: 300_000 });
const fullReport = parseIscsiTestCu(full.stdout);
const readOnlyReport = parseIscsiTestCu(readOnly.stdout);

t.ok(fullReport.summary, 'the full run printed its run summary', { stderr: full.stderr.slice(-2000) });
t.ok(readOnlyReport.summary, 'the ReadOnly run printed its run summary', { stderr: readOnly.stderr.slice(-2000) });
t.ok(fullReport.results.length >= 200, `parsed ${fullReport.results.length} tests of -t ALL`);
t.ok(readOnlyReport.results.some((r) => r.suite === 'ReadOnly'), 'the ReadOnly suite ran against the read-only LUN');

// The read-only LUN's verdicts replace the ones of the writable LUN (where the suite skips itself).
const verdicts = new Map<string, CuTestResult>();
for (const r of fullReport.results) verdicts.set(`${r.suite}.${r.test}`, r);
for (const r of readOnlyReport.results) verdicts.set(`${r.suite}.${r.test}`, r);

const counts = { passed: 0, failed: 0, skipped: 0 };
for (const [name, r] of verdicts) {
  counts[r.verdict]++;
  if (r.verdict !== 'skipped') {
    t.equal(r.verdict, 'passed', name, { detail: r.detail });
    continue;
  }
  const reason = (/\[SKIPPED\][^\n]*/.exec(r.detail)?.[0] ?? r.detail.split('\n')[0] ?? '').trim();
  const allowed = ALLOWED_SKIPS.find((s) => s.reason.test(reason));
  if (allowed) t.pass(`${name} skipped: ${allowed.why}`, { skip: reason });
  else t.fail(`${name} skipped itself for a reason that is not allowed: ${reason}`, { detail: r.detail });
}
t.comment(`iscsi-test-cu totals: ${verdicts.size} tests, ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
t.equal(fullReport.summary?.failed, 0, 'CUnit counts no failed test (full run)');
t.equal(readOnlyReport.summary?.failed, 0, 'CUnit counts no failed test (ReadOnly run)');
