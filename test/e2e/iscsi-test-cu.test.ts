/**
 * libiscsi's conformance suite, all of it (`iscsi-test-cu --dataloss -t ALL`),
 * against a thin-provisioned file LUN, with a second URL to the same LUN so
 * the multipath suites run (two sessions, two initiator names). Suites that
 * need another kind of LUN run again against one, and those verdicts count
 * for them:
 * - Sanitize (but Sanitize.Reset) with --allow-sanitize against a LUN that
 *   allows SANITIZE. Sanitize.Reset keeps the main run's verdict (skipped:
 *   the flag is not set there) because it needs one SANITIZE to run for more
 *   than 4 s across resets and reconnects, which a 256 MiB thin file never does;
 * - ReadOnly against a read-only LUN;
 * - CompareAndWrite, WriteSame10 and WriteSame16 against a LUN with 4 KiB
 *   physical blocks, whose tests for several logical blocks per physical
 *   block skip themselves otherwise (the main LUN keeps one: with more,
 *   GetLBAStatus.UnmapSingle expects a descriptor to start past the LBA it
 *   asked for, which SBC-3 does not allow);
 * - PreventAllow, StartStopUnit and NoMedia against a removable LUN, with one
 *   URL (the suite then logs its second session in fresh; with the multipath
 *   session, unit attentions left by the earlier reset tests would reach
 *   2ITNexuses first).
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
import { E2E_IQN } from '../helpers/fileTargetYaml.js';
import { parseIscsiTestCu, type CuTestResult } from '../helpers/IscsiTestCuReport.js';

/** Skip reasons the suite prints that are acceptable, and why. */
export const ALLOWED_SKIPS: ReadonlyArray<{ readonly reason: RegExp; readonly why: string }> = [
  { reason: /--allow-sanitize flag is not set/, why: 'the main LUN does not allow SANITIZE (the Sanitize suite runs against one that does, below)' },
  { reason: /SANITIZE CRYPTO_ERASE is not implemented/, why: 'CRYPTO ERASE needs a self-encrypting medium; SANITIZE offers OVERWRITE and BLOCK ERASE' },
];

const RO_SIZE = 16 * 1024 * 1024;

function yaml(port: number, dir: string): string {
  return `portals:
  - name: test
    listen: 127.0.0.1:${port}
targets:
  - iqn: ${E2E_IQN}
    bindings: [ALL]
    luns:
      - lun: 1
        store: file
        path: ${dir}/cu.img
        size: 256MiB
        allowSanitize: true
      - lun: 2
        store: file
        path: ${dir}/ro.img
        size: 16MiB
        readOnly: true
      - lun: 3
        store: file
        path: ${dir}/removable.img
        size: 16MiB
        removable: true
      - lun: 4
        store: file
        path: ${dir}/physical4k.img
        size: 64MiB
        physicalBlockSize: 4096
`;
}

const daemon = await LunhostDaemon.start({
  yaml,
  // A read-only LUN serves an existing file; create it.
  setup: (dir) => writeFileSync(join(dir, 'ro.img'), Buffer.alloc(RO_SIZE)),
});
t.teardown(() => daemon.dispose());

const lunUrl = (lun: number): string => `${daemon.url}/${E2E_IQN}/${lun}`;
const full = await runTool('iscsi-test-cu', ['--dataloss', '-t', 'ALL', lunUrl(1), lunUrl(1)], { timeoutMs: 1_200_000 });
const SANITIZE_TESTS = ['BlockErase', 'BlockEraseReserved', 'CryptoErase', 'CryptoEraseReserved', 'ExitFailureMode', 'InvalidServiceAction',
  'Overwrite', 'OverwriteReserved', 'Readonly', 'Reservations'].map((n) => `ALL.Sanitize.${n}`);
const sanitize = await runTool('iscsi-test-cu', ['--dataloss', '--allow-sanitize', '-t', SANITIZE_TESTS.join(','), lunUrl(1), lunUrl(1)], { timeoutMs: 600_000 });
const readOnly = await runTool('iscsi-test-cu', ['--dataloss', '-t', 'ALL.ReadOnly', lunUrl(2)], { timeoutMs: 300_000 });
const removable = await runTool('iscsi-test-cu', ['--dataloss', '-t', 'ALL.PreventAllow,ALL.StartStopUnit,ALL.NoMedia', lunUrl(3)], { timeoutMs: 300_000 });
const physical4k = await runTool('iscsi-test-cu', ['--dataloss', '-t', 'ALL.CompareAndWrite,ALL.WriteSame10,ALL.WriteSame16', lunUrl(4)], { timeoutMs: 300_000 });
const fullReport = parseIscsiTestCu(full.stdout);
const extraRuns = [
  { what: 'sanitize-allowed', report: parseIscsiTestCu(sanitize.stdout), stderr: sanitize.stderr, suites: ['Sanitize'] },
  { what: 'ReadOnly', report: parseIscsiTestCu(readOnly.stdout), stderr: readOnly.stderr, suites: ['ReadOnly'] },
  { what: 'removable', report: parseIscsiTestCu(removable.stdout), stderr: removable.stderr, suites: ['PreventAllow', 'StartStopUnit', 'NoMedia'] },
  { what: '4 KiB physical block', report: parseIscsiTestCu(physical4k.stdout), stderr: physical4k.stderr, suites: ['CompareAndWrite', 'WriteSame10', 'WriteSame16'] },
];

t.ok(fullReport.summary, 'the full run printed its run summary', { stderr: full.stderr.slice(-2000) });
t.ok(fullReport.results.length >= 200, `parsed ${fullReport.results.length} tests of -t ALL`);
for (const run of extraRuns) {
  t.ok(run.report.summary, `the ${run.what} run printed its run summary`, { stderr: run.stderr.slice(-2000) });
  for (const suite of run.suites) t.ok(run.report.results.some((r) => r.suite === suite), `${suite} ran against the ${run.what} LUN`);
}

// The special LUNs' verdicts replace the ones of the main LUN (where those suites skip themselves).
const verdicts = new Map<string, CuTestResult>();
for (const r of fullReport.results) verdicts.set(`${r.suite}.${r.test}`, r);
for (const run of extraRuns) for (const r of run.report.results) verdicts.set(`${r.suite}.${r.test}`, r);

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
for (const run of extraRuns) t.equal(run.report.summary?.failed, 0, `CUnit counts no failed test (${run.what} run)`);
