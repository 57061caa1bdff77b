import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { MemoryStore } from '../../helpers/MemoryStore.js';
import { ScsiTargetFixture, cdb, senseOf, testNexus } from '../../helpers/ScsiTargetFixture.js';

const TUR = cdb(0x00);

t.test('a new nexus gets POWER ON RESET on each LUN, once, on the first non-exempt command', async (t) => {
  const f = await ScsiTargetFixture.create({ cleared: false });
  const inq = await f.run(cdb(0x12, 0, 0, 0, 36));
  t.equal(inq.status, ScsiStatus.Good, 'INQUIRY does not report it');
  const rl = await f.run(cdb(0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0));
  t.equal(rl.status, ScsiStatus.Good, 'REPORT LUNS does not report it');
  const r = await f.run(TUR);
  t.equal(r.status, ScsiStatus.CheckCondition);
  t.same(senseOf(r), { key: 0x06, asc: 0x29, ascq: 0x00 });
  t.equal((await f.run(TUR)).status, ScsiStatus.Good, 'cleared');
  const ctl = await f.run(TUR, { lun: 0 });
  t.same(senseOf(ctl), { key: 0x06, asc: 0x29, ascq: 0x00 }, 'the controller LUN has its own');
});

t.test('UA comes before invalid opcode', async (t) => {
  const f = await ScsiTargetFixture.create({ cleared: false });
  const r = await f.run(cdb(0xff));
  t.same(senseOf(r), { key: 0x06, asc: 0x29, ascq: 0x00 });
  const r2 = await f.run(cdb(0xff));
  t.same(senseOf(r2), { key: 0x05, asc: 0x20, ascq: 0x00 });
});

t.test('REQUEST SENSE reports and clears a pending UA, then NO SENSE', async (t) => {
  const f = await ScsiTargetFixture.create({ cleared: false });
  const r = await f.run(cdb(0x03, 0, 0, 0, 252));
  t.equal(r.status, ScsiStatus.Good);
  const s = r.dataIn as Buffer;
  t.equal(s.length, 18);
  t.equal(s[0], 0x70);
  t.same([s[2], s[12], s[13]], [0x06, 0x29, 0x00]);
  const r2 = await f.run(cdb(0x03, 0, 0, 0, 252));
  t.same([(r2.dataIn as Buffer)[2], (r2.dataIn as Buffer)[12]], [0, 0], 'NO SENSE');
  t.equal((await f.run(TUR)).status, ScsiStatus.Good, 'UA gone');
});

t.test('REQUEST SENSE: descriptor format with DESC, allocation length, absent LUN', async (t) => {
  const f = await ScsiTargetFixture.create();
  const d = (await f.run(cdb(0x03, 1, 0, 0, 252))).dataIn as Buffer;
  t.equal(d[0], 0x72);
  t.equal(d.length, 8);
  const cut = (await f.run(cdb(0x03, 0, 0, 0, 8))).dataIn as Buffer;
  t.equal(cut.length, 8);
  const absent = await f.run(cdb(0x03, 0, 0, 0, 252), { lun: 33 });
  t.equal(absent.status, ScsiStatus.Good);
  t.same([(absent.dataIn as Buffer)[2], (absent.dataIn as Buffer)[12]], [0x05, 0x25], 'LOGICAL UNIT NOT SUPPORTED');
});

t.test('attachLun raises REPORTED LUNS DATA HAS CHANGED on the other LUNs only', async (t) => {
  const f = await ScsiTargetFixture.create();
  f.target.attachLun({ lun: 2, store: new MemoryStore({ size: 4096 }), blockSize: 512, readOnly: false });
  t.same(senseOf(await f.run(TUR)), { key: 0x06, asc: 0x3f, ascq: 0x0e }, 'LUN 1');
  t.same(senseOf(await f.run(TUR, { lun: 0 })), { key: 0x06, asc: 0x3f, ascq: 0x0e }, 'controller LUN 0');
  t.equal((await f.run(TUR, { lun: 2 })).status, ScsiStatus.Good, 'not the new LUN');
});

t.test('UAs are per nexus', async (t) => {
  const f = await ScsiTargetFixture.create();
  const other = testNexus('iqn.2026-11.io.lunhost.test:other');
  f.target.nexusOpened(other);
  await f.run(TUR, { nexus: other }); // clear its POWER ON
  f.lu.capacityChanged();
  t.same(senseOf(await f.run(TUR)), { key: 0x06, asc: 0x2a, ascq: 0x09 });
  t.same(senseOf(await f.run(TUR, { nexus: other })), { key: 0x06, asc: 0x2a, ascq: 0x09 });
  f.target.nexusClosed(other);
  f.lu.capacityChanged();
  t.equal(f.lu.unitAttentions.pendingCount(other.id), 0, 'a closed nexus has no queue');
});

t.test('UAs queue in order without duplicates', async (t) => {
  const f = await ScsiTargetFixture.create();
  f.lu.capacityChanged();
  f.lu.capacityChanged();
  f.target.attachLun({ lun: 3, store: new MemoryStore({ size: 4096 }), blockSize: 512, readOnly: false });
  t.same(senseOf(await f.run(TUR)), { key: 0x06, asc: 0x2a, ascq: 0x09 });
  t.same(senseOf(await f.run(TUR)), { key: 0x06, asc: 0x3f, ascq: 0x0e });
  t.equal((await f.run(TUR)).status, ScsiStatus.Good);
});

t.test('detachLun drains in-flight commands, then raises REPORTED LUNS DATA HAS CHANGED', async (t) => {
  const f = await ScsiTargetFixture.create();
  const store2 = new MemoryStore({ size: 8192 });
  f.target.attachLun({ lun: 2, store: store2, blockSize: 512, readOnly: false });
  await f.run(TUR); // clear the attach UA
  await f.run(TUR, { lun: 2 });
  const release = store2.hold();
  const arrived = store2.arrived();
  const write = f.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0), { lun: 2, dataOut: Buffer.alloc(512, 7) });
  await arrived;
  let detached = false;
  const detach = f.target.detachLun(2).then(() => { detached = true; });
  await new Promise((r) => setImmediate(r));
  t.equal(detached, false, 'waits for the write');
  t.same(senseOf(await f.run(TUR, { lun: 2 })), { key: 0x05, asc: 0x25, ascq: 0x00 }, 'new commands see no LUN');
  t.equal((await f.run(TUR)).status, ScsiStatus.Good, 'no UA before the drain');
  release();
  t.equal((await write).status, ScsiStatus.Good, 'the in-flight write completes');
  await detach;
  t.equal(store2.data[0], 7);
  t.same(senseOf(await f.run(TUR)), { key: 0x06, asc: 0x3f, ascq: 0x0e });
  t.same(f.target.lunNumbers(), [0, 1]);
  await t.rejects(f.target.detachLun(2), /LUN 2 is not attached/);
});

t.test('attachLun refuses duplicates and bad numbers/block sizes', async (t) => {
  const f = await ScsiTargetFixture.create();
  const store = new MemoryStore({ size: 4096 });
  t.throws(() => f.target.attachLun({ lun: 1, store, blockSize: 512, readOnly: false }), /LUN 1 is already attached/);
  t.throws(() => f.target.attachLun({ lun: 16384, store, blockSize: 512, readOnly: false }), /between 0 and 16383/);
  t.throws(() => f.target.attachLun({ lun: 4, store, blockSize: 1000, readOnly: false }), /block size 1000/);
});

t.test('commands from a nexus that was never opened still work (no power-on UA)', async (t) => {
  const f = await ScsiTargetFixture.create();
  const stranger = testNexus('iqn.2026-11.io.lunhost.test:stranger');
  t.equal((await f.run(TUR, { nexus: stranger })).status, ScsiStatus.Good);
  f.lu.capacityChanged();
  t.same(senseOf(await f.run(TUR, { nexus: stranger })), { key: 0x06, asc: 0x2a, ascq: 0x09 }, 'but gets later UAs');
});
