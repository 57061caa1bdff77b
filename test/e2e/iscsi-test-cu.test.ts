/**
 * libiscsi's conformance suite against a file LUN. Every test of the listed
 * suites must pass or skip itself; each test is one assertion here, so a
 * failure names the suite and test. The list grows as core/scsi does.
 */
import t from 'tap';
import { LunhostDaemon } from '../helpers/LunhostDaemon.js';
import { runTool } from '../helpers/runTool.js';
import { E2E_IQN, fileTargetYaml } from '../helpers/fileTargetYaml.js';
import { parseIscsiTestCu } from '../helpers/IscsiTestCuReport.js';

/** Suites covering the foundation's commands (SPC/SBC basics, the iSCSI command window). */
export const FOUNDATION_SUITES = [
  'ALL.TestUnitReady', 'ALL.Inquiry', 'ALL.ReadCapacity10', 'ALL.ReadCapacity16',
  'ALL.Read6', 'ALL.Read10', 'ALL.Read12', 'ALL.Read16',
  'ALL.Write10', 'ALL.Write12', 'ALL.Write16',
  'ALL.ModeSense6', 'ALL.Mandatory', 'ALL.StartStopUnit',
  'ALL.iSCSIcmdsn', 'ALL.iSCSIResiduals',
];

const daemon = await LunhostDaemon.start({
  yaml: (port, dir) => fileTargetYaml(port, dir, [{ lun: 1, file: 'cu.img', size: '256MiB' }]),
});
t.teardown(() => daemon.dispose());

const run = await runTool('iscsi-test-cu', ['--dataloss', '-t', FOUNDATION_SUITES.join(','), `${daemon.url}/${E2E_IQN}/1`], { timeoutMs: 600_000 });
const { results, summary } = parseIscsiTestCu(run.stdout);

t.ok(summary, 'the suite printed its run summary');
t.ok(results.length > 40, `parsed ${results.length} tests`);
for (const r of results) {
  const name = `${r.suite}.${r.test}`;
  if (r.verdict === 'skipped') t.pass(`${name} (skipped by the suite: ${r.detail.split('\n')[0]})`, { skip: r.detail.split('\n')[0] ?? true });
  else t.equal(r.verdict, 'passed', name, { detail: r.detail });
}
t.equal(summary?.failed, 0, 'CUnit counts no failed test');
