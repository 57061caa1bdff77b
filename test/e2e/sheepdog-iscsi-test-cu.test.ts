/**
 * libiscsi's conformance suites for reads, writes and thin provisioning
 * (UNMAP, WRITE SAME with UNMAP, GET LBA STATUS) on a Sheepdog LUN served from
 * the sheep test server. Every test must pass or skip itself.
 */
import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LunhostDaemon } from '../helpers/LunhostDaemon.js';
import { runTool } from '../helpers/runTool.js';
import { parseIscsiTestCu } from '../helpers/IscsiTestCuReport.js';
import { SheepTestServer } from '../fixtures/sheep-server/SheepTestServer.js';
import { SheepOpcode } from '../../plugins/store-sheepdog/SheepProtocol.js';

const IQN = 'iqn.2026-11.io.lunhost.test:sheep-cu';
export const SHEEPDOG_SUITES = [
  'ALL.Read10', 'ALL.Read16', 'ALL.Write10', 'ALL.Write16', 'ALL.ReadCapacity16',
  'ALL.Unmap', 'ALL.GetLBAStatus', 'ALL.WriteSame10', 'ALL.WriteSame16', 'ALL.SynchronizeCache10',
];

const dir = mkdtempSync(join(tmpdir(), 'lunhost-e2e-sheep-cu-'));
const sock = join(dir, 'sheep.sock');
const server = await SheepTestServer.start({ kind: 'unix', path: sock });
// 1 MiB objects so the suites' writes near the end and the UNMAP ranges cross many objects.
server.cluster.createVdi('cu', 64 * 1024 * 1024, { blockSizeShift: 20 });
const daemon = await LunhostDaemon.start({
  dir,
  yaml: (port) => `portals:\n  - name: test\n    listen: 127.0.0.1:${port}\ntargets:\n  - iqn: ${IQN}\n    bindings: [ALL]\n    luns:\n      - lun: 1\n        store: sheepdog\n        backing: unix:${sock}:cu\n`,
});
t.teardown(async () => {
  await daemon.dispose();
  await server.close();
});

const run = await runTool('iscsi-test-cu', ['--dataloss', '-t', SHEEPDOG_SUITES.join(','), `${daemon.url}/${IQN}/1`], { timeoutMs: 600_000 });
const { results, summary } = parseIscsiTestCu(run.stdout);

t.ok(summary, 'the suite printed its run summary');
t.ok(results.length > 10, `parsed ${results.length} tests`);
for (const r of results) {
  const name = `${r.suite}.${r.test}`;
  if (r.verdict === 'skipped') t.pass(`${name} (skipped by the suite: ${r.detail.split('\n')[0]})`, { skip: r.detail.split('\n')[0] ?? true });
  else t.equal(r.verdict, 'passed', name, { detail: r.detail });
}
t.equal(summary?.failed, 0, 'CUnit counts no failed test');
// Once core/scsi serves UNMAP, the suite's unmaps must reach sheep as discards.
const unmapServed = results.some((r) => r.suite === 'Unmap' && r.verdict === 'passed');
t.equal(
  server.requests.some((r) => r.opcode === SheepOpcode.DISCARD_OBJ),
  unmapServed,
  unmapServed ? 'UNMAP reached sheep as SD_OP_DISCARD_OBJ' : 'no discards while core/scsi reports UNMAP as not implemented',
);
