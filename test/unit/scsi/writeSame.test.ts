/** WRITE SAME(10)/(16): CDB checks, emulation as writes, zeroing and deallocation. */
import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { maxWriteSameBlocks } from '../../../core/scsi/BlockLimits.js';
import { MemoryStore } from '../../helpers/MemoryStore.js';
import { cdb, senseOf } from '../../helpers/ScsiTargetFixture.js';
import { thinTarget } from '../../helpers/thinTarget.js';

const BLOCKS = 1024;
const ILLEGAL = 0x05;
const INVALID_FIELD = { key: ILLEGAL, asc: 0x24, ascq: 0 };

function ws10(flags: number, lba: number, blocks: number): Buffer {
  return cdb(0x41, flags, lba >>> 24, (lba >> 16) & 0xff, (lba >> 8) & 0xff, lba & 0xff, 0, blocks >> 8, blocks & 0xff, 0);
}
function ws16(flags: number, lba: number, blocks: number): Buffer {
  const c = cdb(0x93, flags);
  c.writeBigUInt64BE(BigInt(lba), 2);
  c.writeUInt32BE(blocks, 10);
  return c;
}
const block = (v: number): Buffer => Buffer.alloc(512, v);

t.test('a non-zero block is written to every block of the range, in bounded chunks', async (t) => {
  const f = await thinTarget({ store: new MemoryStore({ size: BLOCKS * 512 }) });
  const pattern = Buffer.alloc(512);
  for (let i = 0; i < 512; i++) pattern[i] = i & 0xff;
  t.equal((await f.run(ws10(0, 10, 5), { dataOut: pattern })).status, ScsiStatus.Good);
  for (let b = 10; b < 15; b++) t.ok(f.store.data.subarray(b * 512, (b + 1) * 512).equals(pattern), `block ${b}`);
  t.equal(f.store.data[15 * 512], 0);
  t.equal(f.store.data[10 * 512 - 1], 0);
  t.equal((await f.run(ws16(0, 0, BLOCKS), { dataOut: block(7) })).status, ScsiStatus.Good, 'the whole medium');
  t.ok(f.store.data.every((b) => b === 7));
  t.ok(f.store.writeLog.every(([, len]) => len <= 1024 * 1024), 'no write larger than 1 MiB');
});

t.test('NUMBER OF LOGICAL BLOCKS 0 writes to the end of the medium (WSNZ=0)', async (t) => {
  const f = await thinTarget({ store: new MemoryStore({ size: BLOCKS * 512 }) });
  t.equal((await f.run(ws10(0, BLOCKS - 3, 0), { dataOut: block(9) })).status, ScsiStatus.Good);
  t.ok(f.store.data.subarray((BLOCKS - 3) * 512).every((b) => b === 9));
  t.equal(f.store.data[(BLOCKS - 3) * 512 - 1], 0);
});

t.test('a zero block uses writeZeroes when the store has it (UNMAP=0 keeps the blocks mapped)', async (t) => {
  const f = await thinTarget();
  await f.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 8, 0), { dataOut: Buffer.alloc(8 * 512, 1) });
  t.equal((await f.run(ws16(0, 2, 4), { dataOut: block(0) })).status, ScsiStatus.Good);
  t.same(f.store.zeroLog, [[1024, 2048]]);
  t.same(f.store.discardLog, []);
  t.ok(f.store.data.subarray(1024, 3072).every((b) => b === 0));
  t.equal(f.store.mappedBytes, 8 * 512);
});

t.test('UNMAP=1 on a thin store deallocates the range', async (t) => {
  const f = await thinTarget();
  await f.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 8, 0), { dataOut: Buffer.alloc(8 * 512, 1) });
  t.equal((await f.run(ws10(0x08, 0, 4), { dataOut: block(0) })).status, ScsiStatus.Good);
  t.same(f.store.discardLog, [[0, 2048]]);
  t.equal(f.store.mappedBytes, 4 * 512);
  t.equal((await f.run(ws16(0x08, 4, 0), { dataOut: block(0xff) })).status, ScsiStatus.Good, 'to the end, any data block');
  t.same(f.store.discardLog[1], [2048, (BLOCKS - 4) * 512]);
  t.equal(f.store.mappedBytes, 0);
  t.ok(f.store.data.every((b) => b === 0), 'reads back as zeros (LBPRZ)');
});

t.test('NDOB (WRITE SAME(16)): zeros without Data-Out; with UNMAP it deallocates', async (t) => {
  const f = await thinTarget();
  await f.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 8, 0), { dataOut: Buffer.alloc(8 * 512, 1) });
  t.equal((await f.run(ws16(0x01, 0, 2))).status, ScsiStatus.Good);
  t.same(f.store.zeroLog, [[0, 1024]]);
  t.equal((await f.run(ws16(0x09, 2, 2))).status, ScsiStatus.Good);
  t.same(f.store.discardLog, [[1024, 1024]]);
  t.same(senseOf(await f.run(ws16(0x01, 0, 1), { dataOut: block(0) })), { key: ILLEGAL, asc: 0x0e, ascq: 0x03 }, 'NDOB with Data-Out');
  t.same(senseOf(await f.run(ws10(0x01, 0, 1), { dataOut: block(0) })), INVALID_FIELD, 'bit 0 of WRITE SAME(10) is obsolete');
});

t.test('field checks: WRPROTECT, ANCHOR, PBDATA/LBDATA, UNMAP on a LUN that is not thin', async (t) => {
  const f = await thinTarget();
  for (const flags of [0x20, 0x40, 0x80]) t.same(senseOf(await f.run(ws10(flags, 0, 1), { dataOut: block(0) })), INVALID_FIELD, `WRPROTECT ${flags >> 5}`);
  t.same(senseOf(await f.run(ws10(0x10, 0, 1), { dataOut: block(0) })), INVALID_FIELD, 'ANCHOR without UNMAP');
  t.same(senseOf(await f.run(ws16(0x18, 0, 1), { dataOut: block(0) })), INVALID_FIELD, 'ANCHOR with UNMAP (ANC_SUP=0)');
  t.same(senseOf(await f.run(ws10(0x04, 0, 1), { dataOut: block(0) })), INVALID_FIELD, 'PBDATA');
  t.same(senseOf(await f.run(ws16(0x02, 0, 1), { dataOut: block(0) })), INVALID_FIELD, 'LBDATA');
  const full = await thinTarget({ store: new MemoryStore({ size: BLOCKS * 512 }) });
  t.same(senseOf(await full.run(ws10(0x08, 0, 1), { dataOut: block(0) })), INVALID_FIELD, 'UNMAP on a fully provisioned LUN');
  t.equal(f.store.writes + f.store.zeroLog.length + f.store.discardLog.length, 0, 'nothing written');
});

t.test('ranges: beyond the end and LBA 2^31, 2^32-1, 2^64-1 → LBA OUT OF RANGE; over the maximum length → INVALID FIELD', async (t) => {
  const f = await thinTarget();
  const oob = { key: ILLEGAL, asc: 0x21, ascq: 0 };
  t.same(senseOf(await f.run(ws10(0, BLOCKS - 1, 2), { dataOut: block(0) })), oob);
  t.same(senseOf(await f.run(ws10(0, BLOCKS + 1, 0), { dataOut: block(0) })), oob, '0 blocks past the end');
  t.same(senseOf(await f.run(ws10(0, 0x80000000, 1), { dataOut: block(0) })), oob);
  t.same(senseOf(await f.run(ws10(0, 0xffffffff, 1), { dataOut: block(0) })), oob);
  const top = ws16(0, 0, 1);
  top.fill(0xff, 2, 10);
  t.same(senseOf(await f.run(top, { dataOut: block(0) })), oob);
  t.same(senseOf(await f.run(ws16(0, 0, maxWriteSameBlocks(f.lu) + 1), { dataOut: block(0) })), INVALID_FIELD, 'NUMBER OF LOGICAL BLOCKS > MAXIMUM WRITE SAME LENGTH');
});

t.test('Data-Out must be exactly one block; read-only LUN: WRITE PROTECTED first', async (t) => {
  const f = await thinTarget();
  t.same(senseOf(await f.run(ws10(0x08, 0, 1), { dataOut: Buffer.alloc(256) })), { key: ILLEGAL, asc: 0x0e, ascq: 0x03 });
  t.same(senseOf(await f.run(ws10(0x08, 0, 1), { dataOut: Buffer.alloc(1024) })), { key: ILLEGAL, asc: 0x0e, ascq: 0x03 });
  const ro = await thinTarget({ readOnly: true });
  t.same(senseOf(await ro.run(ws10(0, 0, 1), { dataOut: block(1) })), { key: 0x07, asc: 0x27, ascq: 0 });
  t.same(senseOf(await ro.run(ws16(0x08, 0, 1))), { key: 0x07, asc: 0x27, ascq: 0 }, 'UNMAP without data');
  t.equal(ro.store.writes + ro.store.discardLog.length, 0);
});
