import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { deriveIdentity } from '../../../core/scsi/DeviceIdentity.js';
import { ScsiTargetFixture, TEST_IQN, cdb, senseOf } from '../../helpers/ScsiTargetFixture.js';

function inquiryCdb(evpd: boolean, page: number, alloc: number): Buffer {
  return cdb(0x12, evpd ? 1 : 0, page, alloc >> 8, alloc & 0xff);
}

t.test('standard INQUIRY data of a block LUN', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(inquiryCdb(false, 0, 255));
  t.equal(r.status, ScsiStatus.Good);
  const d = r.dataIn as Buffer;
  t.equal(d.length, 96);
  t.equal(d[0], 0x00, 'qualifier 0, direct access block device');
  t.equal(d[2], 0x06, 'SPC-4');
  t.equal(d[3] & 0x0f, 2, 'response data format 2');
  t.equal(d[4], 91, 'additional length');
  t.equal(d[7] & 0x02, 0x02, 'CMDQUE');
  t.equal(d.toString('ascii', 8, 16), 'LUNHOST ');
  t.equal(d.toString('ascii', 16, 32), 'VIRTUAL-DISK    ');
  t.equal(d.toString('ascii', 32, 36), '0001');
  t.same([d.readUInt16BE(58), d.readUInt16BE(60), d.readUInt16BE(62), d.readUInt16BE(64)], [0x00a0, 0x0960, 0x0460, 0x04c0]);
});

t.test('allocation length cuts the data (and 0 returns nothing)', async (t) => {
  const f = await ScsiTargetFixture.create();
  t.equal((await f.run(inquiryCdb(false, 0, 36))).dataIn?.length, 36);
  t.equal((await f.run(inquiryCdb(false, 0, 5))).dataIn?.length, 5);
  t.equal((await f.run(inquiryCdb(false, 0, 0))).dataIn?.length, 0);
  t.equal((await f.run(inquiryCdb(true, 0x83, 8))).dataIn?.length, 8);
});

t.test('vendor/product/serial from attachLun, validated', async (t) => {
  const f = await ScsiTargetFixture.create();
  const lu = f.target.attachLun({ lun: 5, store: f.store, blockSize: 512, readOnly: false, vendor: 'ACME', product: 'Disk', serial: 'SN123' });
  const std = (await f.run(inquiryCdb(false, 0, 96), { lun: 5 })).dataIn as Buffer;
  t.equal(std.toString('ascii', 8, 32), 'ACME    Disk            ');
  const sn = (await f.run(inquiryCdb(true, 0x80, 255), { lun: 5 })).dataIn as Buffer;
  t.same([...sn.subarray(0, 4)], [0x00, 0x80, 0x00, 5]);
  t.equal(sn.toString('ascii', 4), 'SN123');
  t.equal(lu.identity.serial, 'SN123');
  t.throws(() => f.target.attachLun({ lun: 6, store: f.store, blockSize: 512, readOnly: false, vendor: 'TOO-LONG-VENDOR' }), /vendor "TOO-LONG-VENDOR" must be at most 8/);
  t.throws(() => f.target.attachLun({ lun: 6, store: f.store, blockSize: 512, readOnly: false, serial: 'bad\u00e9' }), /serial .* printable ASCII/);
  const empty = f.target.attachLun({ lun: 7, store: f.store, blockSize: 512, readOnly: false, serial: '' });
  t.match(empty.identity.serial, /^[0-9a-f]{16}$/, 'empty serial means the derived default');
});

t.test('VPD 00h lists the pages; B2h only for a discarding store', async (t) => {
  const f = await ScsiTargetFixture.create();
  const d = (await f.run(inquiryCdb(true, 0, 255))).dataIn as Buffer;
  t.same([...d], [0x00, 0x00, 0x00, 5, 0x00, 0x80, 0x83, 0xb0, 0xb1]);
  const thin = await ScsiTargetFixture.create({ capabilities: { discard: true, discardZeroes: true } });
  const d2 = (await thin.run(inquiryCdb(true, 0, 255))).dataIn as Buffer;
  t.same([...d2.subarray(4)], [0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2]);
  const b2 = (await thin.run(inquiryCdb(true, 0xb2, 255))).dataIn as Buffer;
  t.same([...b2], [0x00, 0xb2, 0x00, 0x04, 0x00, 0x04, 0x02, 0x00], 'LBPRZ, thin provisioning type');
  const r = await f.run(inquiryCdb(true, 0xb2, 255));
  t.same(senseOf(r), { key: 0x05, asc: 0x24, ascq: 0x00 });
  t.equal((r.sense as Buffer).readUInt16BE(16), 2, 'field pointer: page code byte');
});

t.test('VPD 80h default serial is stable per target and LUN', async (t) => {
  const a = await ScsiTargetFixture.create();
  const b = await ScsiTargetFixture.create();
  const sa = ((await a.run(inquiryCdb(true, 0x80, 255))).dataIn as Buffer).toString('ascii', 4);
  const sb = ((await b.run(inquiryCdb(true, 0x80, 255))).dataIn as Buffer).toString('ascii', 4);
  t.equal(sa, sb);
  t.match(sa, /^[0-9a-f]{16}$/);
  t.not(deriveIdentity({ targetName: TEST_IQN, lun: 2 }).serial, sa);
});

t.test('VPD 83h: NAA type 6, T10 vendor id, relative port, port group, SCSI names', async (t) => {
  const f = await ScsiTargetFixture.create();
  const d = (await f.run(inquiryCdb(true, 0x83, 1024))).dataIn as Buffer;
  t.equal(d[1], 0x83);
  t.equal(d.readUInt16BE(2), d.length - 4);
  const descs: Array<{ proto: number; codeSet: number; piv: number; assoc: number; type: number; value: Buffer }> = [];
  for (let p = 4; p < d.length; p += 4 + d[p + 3]) {
    descs.push({ proto: d[p] >> 4, codeSet: d[p] & 0x0f, piv: d[p + 1] >> 7, assoc: (d[p + 1] >> 4) & 3, type: d[p + 1] & 0x0f, value: d.subarray(p + 4, p + 4 + d[p + 3]) });
  }
  const naa = descs[0];
  t.same([naa.codeSet, naa.assoc, naa.type, naa.value.length], [1, 0, 3, 16]);
  t.equal(naa.value[0] >> 4, 6, 'NAA IEEE Registered Extended');
  t.same(naa.value, f.lu.identity.naa);
  const again = deriveIdentity({ targetName: TEST_IQN, lun: 1 });
  t.same(again.naa, naa.value, 'stable across instances');
  t.not(deriveIdentity({ targetName: TEST_IQN, lun: 2 }).naa.toString('hex'), naa.value.toString('hex'), 'differs per LUN');
  const t10 = descs[1];
  t.same([t10.codeSet, t10.assoc, t10.type], [2, 0, 1]);
  t.equal(t10.value.toString('ascii'), `LUNHOST ${f.lu.identity.serial}`);
  const rel = descs[2];
  t.same([rel.proto, rel.piv, rel.assoc, rel.type, rel.value.readUInt16BE(2)], [5, 1, 1, 4, 1]);
  const tpg = descs[3];
  t.same([tpg.assoc, tpg.type, tpg.value.readUInt16BE(2)], [1, 5, 1]);
  const port = descs[4];
  t.same([port.codeSet, port.assoc, port.type], [3, 1, 8]);
  t.equal(port.value.length % 4, 0, 'padded to 4');
  t.equal(port.value.toString('utf8').replace(/\0+$/, ''), `${TEST_IQN},t,0x0001`);
  const dev = descs[5];
  t.same([dev.assoc, dev.type], [2, 8]);
  t.equal(dev.value.toString('utf8').replace(/\0+$/, ''), TEST_IQN);
});

t.test('VPD B0h block limits and B1h characteristics', async (t) => {
  const f = await ScsiTargetFixture.create();
  const b0 = (await f.run(inquiryCdb(true, 0xb0, 255))).dataIn as Buffer;
  t.equal(b0.length, 64);
  t.equal(b0.readUInt16BE(2), 0x3c);
  t.equal(b0.readUInt32BE(8), f.lu.maxTransferBlocks, 'MAXIMUM TRANSFER LENGTH');
  t.equal(b0.readUInt32BE(12), 2048, 'OPTIMAL TRANSFER LENGTH 1 MiB');
  t.equal(b0.readUInt32BE(20), 0, 'no UNMAP yet');
  const b1 = (await f.run(inquiryCdb(true, 0xb1, 255))).dataIn as Buffer;
  t.equal(b1.readUInt16BE(4), 1, 'non-rotating');
});

t.test('invalid INQUIRY fields', async (t) => {
  const f = await ScsiTargetFixture.create();
  const pageWithoutEvpd = await f.run(inquiryCdb(false, 0x80, 255));
  t.same(senseOf(pageWithoutEvpd), { key: 0x05, asc: 0x24, ascq: 0x00 });
  t.equal((pageWithoutEvpd.sense as Buffer).readUInt16BE(16), 2);
  const cmddt = await f.run(cdb(0x12, 0x02, 0, 0, 255));
  t.same(senseOf(cmddt), { key: 0x05, asc: 0x24, ascq: 0x00 });
  t.equal((cmddt.sense as Buffer)[15], 0x80 | 0x40 | 0x08 | 1);
});

t.test('LUN 0 stand-in controller and absent LUNs', async (t) => {
  const f = await ScsiTargetFixture.create();
  const ctl = (await f.run(inquiryCdb(false, 0, 96), { lun: 0 })).dataIn as Buffer;
  t.equal(ctl[0], 0x0c, 'storage array controller');
  t.equal(ctl.toString('ascii', 16, 32).trim(), 'CONTROLLER');
  const ctl83 = await f.run(inquiryCdb(true, 0x83, 255), { lun: 0 });
  t.equal(ctl83.status, ScsiStatus.Good);
  t.equal(ctl83.dataIn?.[0], 0x0c);
  const absent = (await f.run(inquiryCdb(false, 0, 96), { lun: 9 })).dataIn as Buffer;
  t.equal(absent[0], 0x7f, 'qualifier 011b, type 1Fh');
  const absentVpd = (await f.run(inquiryCdb(true, 0x80, 96), { lun: 9 })).dataIn as Buffer;
  t.same([...absentVpd], [0x7f, 0x80, 0, 0]);
});

t.test('a declared LUN 0 replaces the controller', async (t) => {
  const f = await ScsiTargetFixture.create({ lun: 0 });
  const d = (await f.run(inquiryCdb(false, 0, 96), { lun: 0 })).dataIn as Buffer;
  t.equal(d[0], 0x00);
});
