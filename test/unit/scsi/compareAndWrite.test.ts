/** COMPARE AND WRITE: compare then write, miscompare sense with the offset, limits, atomicity against writes. */
import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { MAX_COMPARE_AND_WRITE_BLOCKS } from '../../../core/scsi/BlockLimits.js';
import { MemoryStore } from '../../helpers/MemoryStore.js';
import { cdb, senseOf } from '../../helpers/ScsiTargetFixture.js';
import { thinTarget } from '../../helpers/thinTarget.js';

const BLOCKS = 1024;

function caw(lba: number, blocks: number, flags = 0): Buffer {
  const c = cdb(0x89, flags);
  c.writeBigUInt64BE(BigInt(lba), 2);
  c[13] = blocks;
  return c;
}

async function setup() {
  const f = await thinTarget({ store: new MemoryStore({ size: BLOCKS * 512 }) });
  f.store.data.fill(0x41, 0, 8 * 512);
  return f;
}

t.test('matching verify data: the write data is written (FUA passed on)', async (t) => {
  const f = await setup();
  const data = Buffer.concat([Buffer.alloc(1024, 0x41), Buffer.alloc(1024, 0x42)]);
  const r = await f.run(caw(2, 2, 0x08), { dataOut: data });
  t.equal(r.status, ScsiStatus.Good);
  t.ok(f.store.data.subarray(1024, 2048).every((b) => b === 0x42));
  t.equal(f.store.data[2048], 0x41);
  t.same(f.store.writeLog, [[1024, 1024, true]]);
});

t.test('a miscompare writes nothing: MISCOMPARE, INFORMATION = offset of the first differing byte', async (t) => {
  const f = await setup();
  const data = Buffer.concat([Buffer.alloc(1024, 0x41), Buffer.alloc(1024, 0x42)]);
  data[1024 - 27] = 0x43;
  data[1020] = 0x44;
  const r = await f.run(caw(0, 2), { dataOut: data });
  t.same(senseOf(r), { key: 0x0e, asc: 0x1d, ascq: 0 });
  t.equal((r.sense as Buffer)[0] & 0x80, 0x80, 'VALID');
  t.equal(r.sense?.readUInt32BE(3), 1024 - 27);
  t.equal(f.store.writes, 0);
  t.ok(f.store.data.subarray(0, 1024).every((b) => b === 0x41));
});

t.test('limits: more blocks than MAXIMUM COMPARE AND WRITE LENGTH or a Data-Out that is not 2 × length → INVALID FIELD IN CDB', async (t) => {
  const f = await setup();
  t.ok(MAX_COMPARE_AND_WRITE_BLOCKS <= 255);
  const invalid = { key: 0x05, asc: 0x24, ascq: 0 };
  t.same(senseOf(await f.run(caw(0, 1), { dataOut: Buffer.alloc(4 * 512) })), invalid, 'too much Data-Out');
  t.same(senseOf(await f.run(caw(0, 3), { dataOut: Buffer.alloc(4 * 512) })), invalid, 'too little');
  t.same(senseOf(await f.run(caw(0, 0), { dataOut: Buffer.alloc(512 * 512) })), invalid, '256 blocks wrap to 0 in the CDB');
  t.equal((await f.run(caw(0, 0))).status, ScsiStatus.Good, '0 blocks and no data: nothing to do');
  t.equal(f.store.writes, 0);
});

t.test('range, WRPROTECT and read-only checks', async (t) => {
  const f = await setup();
  t.same(senseOf(await f.run(caw(BLOCKS - 1, 2), { dataOut: Buffer.alloc(2048) })), { key: 0x05, asc: 0x21, ascq: 0 });
  t.same(senseOf(await f.run(caw(0, 1, 0x20), { dataOut: Buffer.alloc(1024) })), { key: 0x05, asc: 0x24, ascq: 0 });
  const ro = await thinTarget({ store: new MemoryStore({ size: BLOCKS * 512 }), readOnly: true });
  t.same(senseOf(await ro.run(caw(0, 1), { dataOut: Buffer.alloc(1024) })), { key: 0x07, asc: 0x27, ascq: 0 });
});

t.test('atomic: a WRITE to the same blocks issued during the compare waits until the COMPARE AND WRITE has written', async (t) => {
  const f = await setup();
  const release = f.store.hold();
  const arrived = f.store.arrived();
  const data = Buffer.concat([Buffer.alloc(512, 0x41), Buffer.alloc(512, 0x42)]);
  const cawDone = f.run(caw(0, 1), { dataOut: data });
  await arrived; // CAW's read is held at the store
  t.equal(f.lu.lbaLocks.size, 1, 'the CAW holds its range');
  const writeDone = f.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0), { dataOut: Buffer.alloc(512, 0x57) });
  const otherDone = f.run(cdb(0x2a, 0, 0, 0, 0, 5, 0, 0, 1, 0), { dataOut: Buffer.alloc(512, 0x58) });
  await new Promise((r) => setImmediate(r));
  t.notOk(f.store.writeLog.some(([o]) => o === 0), 'the overlapping write waits (it has not reached the store)');
  t.ok(f.store.writeLog.some(([o]) => o === 5 * 512), 'a write elsewhere is not held up');
  release();
  t.equal((await cawDone).status, ScsiStatus.Good);
  t.equal((await writeDone).status, ScsiStatus.Good);
  t.equal((await otherDone).status, ScsiStatus.Good);
  t.equal(f.store.data[0], 0x57, 'the WRITE landed after the COMPARE AND WRITE');
  t.equal(f.store.writeLog.filter(([o]) => o === 0).length, 2, 'both wrote block 0, CAW first');
  t.equal(f.lu.lbaLocks.size, 0, 'all ranges released');
});

t.test('a COMPARE AND WRITE waits for a WRITE already at the store', async (t) => {
  const f = await setup();
  const release = f.store.hold();
  const arrived = f.store.arrived();
  const writeDone = f.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0), { dataOut: Buffer.alloc(512, 0x57) });
  await arrived;
  const data = Buffer.concat([Buffer.alloc(512, 0x57), Buffer.alloc(512, 0x42)]);
  const cawDone = f.run(caw(0, 1), { dataOut: data });
  await new Promise((r) => setImmediate(r));
  t.equal(f.store.reads, 0, 'the compare has not started');
  release();
  t.equal((await writeDone).status, ScsiStatus.Good);
  t.equal((await cawDone).status, ScsiStatus.Good, 'compared against the written data');
  t.equal(f.store.data[0], 0x42);
});
