/**
 * libiscsi's command-line initiators against the iscsi-tcp transport (with
 * core/scsi's ScsiTarget over memory LUNs): discovery, INQUIRY, READ
 * CAPACITY(16), and the iSCSI suites of iscsi-test-cu.
 */
import t from 'tap';
import { IscsiTransportHarness } from '../helpers/IscsiTransportHarness.js';
import { runTool } from '../helpers/runTool.js';

const h = await IscsiTransportHarness.start({ luns: [{ lun: 1, size: 64 << 20 }, { lun: 2, size: 8 << 20, blockSize: 4096 }] });
t.teardown(() => h.close());

t.test('iscsi-ls -s lists the target, its portal and LUNs', async (t) => {
  const r = await runTool('iscsi-ls', ['-s', `${h.url}/`]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, `Target:${h.iqn} Portal:127.0.0.1:${h.port},1`);
  t.match(r.stdout, /Lun:1\s+Type:DIRECT_ACCESS \(Size:63M\)/);
  t.match(r.stdout, /Lun:2\s+Type:DIRECT_ACCESS/);
});

t.test('iscsi-inq: standard INQUIRY and a VPD page', async (t) => {
  const r = await runTool('iscsi-inq', [h.lunUrl(1)]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /Peripheral Device Type:DIRECT_ACCESS/);
  const v = await runTool('iscsi-inq', ['-e', '1', '-c', '0x80', h.lunUrl(1)]);
  t.equal(v.code, 0, v.stderr);
});

t.test('iscsi-readcapacity16 reports size and block size', async (t) => {
  const r = await runTool('iscsi-readcapacity16', [h.lunUrl(1)]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /Total size:67108864/);
  const r2 = await runTool('iscsi-readcapacity16', [h.lunUrl(2)]);
  t.match(r2.stdout, /LOGICAL BLOCK LENGTH IN BYTES:4096/);
});

function summary(out: string): { ran: number; failed: number } {
  const m = /tests\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(out);
  return m ? { ran: Number(m[2]), failed: Number(m[4]) } : { ran: 0, failed: -1 };
}

for (const suite of ['iSCSI.iSCSIcmdsn', 'iSCSI.iSCSITMF', 'iSCSI.iSCSIResiduals.Read10Invalid', 'iSCSI.iSCSIResiduals.Read10Residuals', 'iSCSI.iSCSIResiduals.Read16Residuals']) {
  t.test(`iscsi-test-cu ${suite}`, async (t) => {
    const r = await runTool('iscsi-test-cu', ['--dataloss', `--test=${suite}`, h.lunUrl(1)], { timeoutMs: 180_000 });
    const s = summary(r.stdout);
    t.ok(s.ran > 0, `${suite} ran`);
    t.equal(s.failed, 0, r.stdout.split('\n').filter((l) => /FAIL|Test:/.test(l)).join('\n'));
  });
}
