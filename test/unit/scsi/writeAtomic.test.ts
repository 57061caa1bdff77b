/** WRITE ATOMIC(16): offered only on atomic stores, CDB checks, VPD B0h atomic fields, exclusion against plain writes. */
import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { MemoryStore } from '../../helpers/MemoryStore.js';
import { cdb, senseOf } from '../../helpers/ScsiTargetFixture.js';
import { thinTarget } from '../../helpers/thinTarget.js';

const BLOCKS = 1024;
const INVALID_FIELD = { key: 0x05, asc: 0x24, ascq: 0 };
const LBA_OUT_OF_RANGE = { key: 0x05, asc: 0x21, ascq: 0 };

/** A MemoryStore that offers writeAtomic (all-or-nothing is trivially true in memory) and logs its calls. */
class AtomicMemoryStore extends MemoryStore {
  readonly atomicLog: Array<[number, number, boolean]> = [];
  constructor() {
    super({ size: BLOCKS * 512, capabilities: { atomicWrite: true } });
  }
  async writeAtomic(src: Buffer, offset: number, fua: boolean): Promise<void> {
    this.atomicLog.push([offset, src.length, fua]);
    await this.write(src, offset, fua);
  }
}

function writeAtomic16(lba: number | bigint, blocks: number, flags = 0, boundary = 0): Buffer {
  const c = cdb(0x9c, flags);
  c.writeBigUInt64BE(BigInt(lba), 2);
  c.writeUInt16BE(boundary, 10);
  c.writeUInt16BE(blocks, 12);
  return c;
}

const inquiryB0 = cdb(0x12, 0x01, 0xb0, 0x00, 0xff, 0);

t.test('writes the blocks through writeAtomic, FUA passed on', async (t) => {
  const f = await thinTarget({ store: new AtomicMemoryStore() });
  const r = await f.run(writeAtomic16(3, 2, 0x08), { dataOut: Buffer.alloc(1024, 0x5a) });
  t.equal(r.status, ScsiStatus.Good);
  t.same(f.store.atomicLog, [[3 * 512, 1024, true]]);
  t.ok(f.store.data.subarray(3 * 512, 5 * 512).every((b) => b === 0x5a));
  t.equal(f.store.data[5 * 512], 0);
  t.equal((await f.run(writeAtomic16(0, 1, 0x10), { dataOut: Buffer.alloc(512) })).status, ScsiStatus.Good, 'DPO accepted');
});

t.test('a store without atomic writes: INVALID COMMAND OPERATION CODE, not in REPORT SUPPORTED OPERATION CODES, B0h atomic fields 0', async (t) => {
  const f = await thinTarget({ store: new MemoryStore({ size: BLOCKS * 512 }) });
  t.same(senseOf(await f.run(writeAtomic16(0, 1), { dataOut: Buffer.alloc(512) })), { key: 0x05, asc: 0x20, ascq: 0 });
  t.equal(f.store.writes, 0);
  const one = await f.run(cdb(0xa3, 0x0c, 0x01, 0x9c, 0, 0, 0, 0, 0, 64));
  t.equal((one.dataIn as Buffer)[1] & 0x07, 0x01, 'SUPPORT: not supported');
  const b0 = (await f.run(inquiryB0)).dataIn as Buffer;
  t.equal(b0.readUInt32BE(44), 0, 'MAXIMUM ATOMIC TRANSFER LENGTH');
  t.equal(b0.readUInt32BE(48), 0, 'ATOMIC ALIGNMENT');
  t.equal(b0.readUInt32BE(52), 0, 'ATOMIC TRANSFER LENGTH GRANULARITY');
});

t.test('an atomic store: B0h MAXIMUM ATOMIC TRANSFER LENGTH 256 (≤ MAXIMUM TRANSFER LENGTH), no alignment/granularity; usage data has DPO/FUA', async (t) => {
  const f = await thinTarget({ store: new AtomicMemoryStore() });
  const b0 = (await f.run(inquiryB0)).dataIn as Buffer;
  t.equal(b0.readUInt32BE(44), 256);
  t.ok(b0.readUInt32BE(44) <= b0.readUInt32BE(8));
  t.equal(b0.readUInt32BE(48), 0);
  t.equal(b0.readUInt32BE(52), 0);
  const one = (await f.run(cdb(0xa3, 0x0c, 0x01, 0x9c, 0, 0, 0, 0, 0, 64))).dataIn as Buffer;
  t.equal(one[1] & 0x07, 0x03, 'SUPPORT: supported');
  t.equal(one[5] & 0x18, 0x18, 'CDB USAGE DATA byte 1: DPO and FUA');
});

t.test('CDB checks: WRPROTECT, ATOMIC BOUNDARY, ranges, maximum length, zero blocks', async (t) => {
  const f = await thinTarget({ store: new AtomicMemoryStore() });
  for (let wp = 1; wp < 8; wp++) {
    t.same(senseOf(await f.run(writeAtomic16(0, 1, wp << 5), { dataOut: Buffer.alloc(512) })), INVALID_FIELD, `WRPROTECT ${wp}`);
  }
  t.same(senseOf(await f.run(writeAtomic16(0, 1, 0, 1), { dataOut: Buffer.alloc(512) })), INVALID_FIELD, 'ATOMIC BOUNDARY');
  t.same(senseOf(await f.run(writeAtomic16(BLOCKS - 1, 2), { dataOut: Buffer.alloc(1024) })), LBA_OUT_OF_RANGE, 'past the end');
  t.same(senseOf(await f.run(writeAtomic16(2n ** 63n, 1), { dataOut: Buffer.alloc(512) })), LBA_OUT_OF_RANGE, 'LBA 2^63');
  t.same(senseOf(await f.run(writeAtomic16(2n ** 64n - 1n, 1), { dataOut: Buffer.alloc(512) })), LBA_OUT_OF_RANGE, 'LBA -1');
  // Past the end beats too long (libiscsi's BeyondEol writes up to 512 blocks there).
  t.same(senseOf(await f.run(writeAtomic16(BLOCKS - 256, 512), { dataOut: Buffer.alloc(512 * 512) })), LBA_OUT_OF_RANGE);
  t.same(senseOf(await f.run(writeAtomic16(0, 257), { dataOut: Buffer.alloc(257 * 512) })), INVALID_FIELD, 'more than the maximum');
  t.equal((await f.run(writeAtomic16(0, 256), { dataOut: Buffer.alloc(256 * 512, 1) })).status, ScsiStatus.Good, 'the maximum');
  t.equal((await f.run(writeAtomic16(BLOCKS - 1, 0))).status, ScsiStatus.Good, 'zero blocks');
  t.same(senseOf(await f.run(writeAtomic16(BLOCKS + 1, 0))), LBA_OUT_OF_RANGE, 'zero blocks past the end');
  t.same(senseOf(await f.run(writeAtomic16(0, 2), { dataOut: Buffer.alloc(512) })), { key: 0x05, asc: 0x0e, ascq: 0x03 }, 'less Data-Out than asked');
  t.same(f.store.atomicLog, [[0, 256 * 512, false]], 'only the valid write reached the store');
});

t.test('read-only or software write-protected: WRITE PROTECTED, nothing written', async (t) => {
  const ro = await thinTarget({ store: new AtomicMemoryStore(), readOnly: true });
  t.same(senseOf(await ro.run(writeAtomic16(0, 1), { dataOut: Buffer.alloc(512) })), { key: 0x07, asc: 0x27, ascq: 0 });
  const swp = await thinTarget({ store: new AtomicMemoryStore() });
  swp.lu.modeParameters.softwareWriteProtect = true;
  t.same(senseOf(await swp.run(writeAtomic16(0, 1), { dataOut: Buffer.alloc(512) })), { key: 0x07, asc: 0x27, ascq: 0 });
  t.equal(ro.store.writes + swp.store.writes, 0);
});

t.test('a plain write to overlapping blocks waits until the atomic write is done', async (t) => {
  const f = await thinTarget({ store: new AtomicMemoryStore() });
  const open = f.store.hold();
  const arrived = f.store.arrived();
  const atomic = f.run(writeAtomic16(0, 4), { dataOut: Buffer.alloc(4 * 512, 0xaa) });
  await arrived;
  const plain = f.run(cdb(0x2a, 0, 0, 0, 0, 2, 0, 0, 1, 0), { dataOut: Buffer.alloc(512, 0xbb) });
  await new Promise((r) => setImmediate(r));
  t.equal(f.store.writes, 1, 'only the atomic write has started');
  open();
  t.equal((await atomic).status, ScsiStatus.Good);
  t.equal((await plain).status, ScsiStatus.Good);
  t.same(f.store.writeLog.map(([o]) => o), [0, 2 * 512], 'atomic first, then the plain write');
  t.equal(f.store.data[2 * 512], 0xbb);
  t.equal(f.store.data[3 * 512], 0xaa);
});
