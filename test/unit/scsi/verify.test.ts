/** VERIFY(10)/(12)/(16): BYTCHK 0, 1 and 3, miscompare sense, field and range checks. */
import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { MemoryStore } from '../../helpers/MemoryStore.js';
import { cdb, senseOf } from '../../helpers/ScsiTargetFixture.js';
import { thinTarget } from '../../helpers/thinTarget.js';

const BLOCKS = 1024;
const verify10 = (flags: number, lba: number, blocks: number) => cdb(0x2f, flags, lba >>> 24, (lba >> 16) & 0xff, (lba >> 8) & 0xff, lba & 0xff, 0, blocks >> 8, blocks & 0xff, 0);
function verify16(flags: number, lba: number, blocks: number): Buffer {
  const c = cdb(0x8f, flags);
  c.writeBigUInt64BE(BigInt(lba), 2);
  c.writeUInt32BE(blocks, 10);
  return c;
}
function verify12(flags: number, lba: number, blocks: number): Buffer {
  const c = cdb(0xaf, flags);
  c.writeUInt32BE(lba, 2);
  c.writeUInt32BE(blocks, 6);
  return c;
}

async function setup() {
  const f = await thinTarget({ store: new MemoryStore({ size: BLOCKS * 512 }) });
  for (let i = 0; i < 8 * 512; i++) f.store.data[i] = (i * 7) & 0xff;
  return f;
}

t.test('BYTCHK=1: equal data is GOOD; a difference is MISCOMPARE with its offset, for 10, 12 and 16', async (t) => {
  const f = await setup();
  for (const make of [verify10, verify12, verify16]) {
    const data = Buffer.from(f.store.data.subarray(512, 4 * 512));
    t.equal((await f.run(make(0x02, 1, 3), { dataOut: data })).status, ScsiStatus.Good);
    data[700] ^= 0x58;
    const r = await f.run(make(0x02, 1, 3), { dataOut: data });
    t.same(senseOf(r), { key: 0x0e, asc: 0x1d, ascq: 0 });
    t.equal(r.sense?.readUInt32BE(3), 700);
  }
  t.equal(f.store.writes, 0);
});

t.test('BYTCHK=0 checks the range only; DPO is accepted', async (t) => {
  const f = await setup();
  t.equal((await f.run(verify10(0x10, 0, BLOCKS))).status, ScsiStatus.Good);
  t.equal(f.store.reads, 0);
  t.same(senseOf(await f.run(verify10(0, BLOCKS - 1, 2))), { key: 0x05, asc: 0x21, ascq: 0 });
  t.same(senseOf(await f.run(verify16(0, BLOCKS + 1, 0))), { key: 0x05, asc: 0x21, ascq: 0 }, '0 blocks past the end');
  t.same(senseOf(await f.run(verify10(0, 0xffffffff, 0))), { key: 0x05, asc: 0x21, ascq: 0 });
});

t.test('BYTCHK=3: one block compared with every block of the range', async (t) => {
  const f = await setup();
  f.store.data.fill(0x33, 10 * 512, 20 * 512);
  t.equal((await f.run(verify10(0x06, 10, 10), { dataOut: Buffer.alloc(512, 0x33) })).status, ScsiStatus.Good);
  f.store.data[15 * 512 + 9] = 0;
  const r = await f.run(verify10(0x06, 10, 10), { dataOut: Buffer.alloc(512, 0x33) });
  t.same(senseOf(r), { key: 0x0e, asc: 0x1d, ascq: 0 });
  t.equal(r.sense?.readUInt32BE(3), 9, 'offset within the one Data-Out block');
});

t.test('VRPROTECT and BYTCHK=2 are INVALID FIELD IN CDB; missing Data-Out is refused', async (t) => {
  const f = await setup();
  for (let v = 1; v < 8; v++) t.same(senseOf(await f.run(verify10((v << 5) | 0x02, 0, 1), { dataOut: Buffer.alloc(512) })), { key: 0x05, asc: 0x24, ascq: 0 });
  t.same(senseOf(await f.run(verify10(0x04, 0, 1), { dataOut: Buffer.alloc(512) })), { key: 0x05, asc: 0x24, ascq: 0 });
  t.same(senseOf(await f.run(verify10(0x02, 0, 2), { dataOut: Buffer.alloc(512) })), { key: 0x05, asc: 0x0e, ascq: 0x03 });
});
