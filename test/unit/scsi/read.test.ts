import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { ScsiTargetFixture, cdb, senseOf } from '../../helpers/ScsiTargetFixture.js';

const BLOCKS = 1024; // fixture default: 1024 × 512-byte blocks

function fill(f: ScsiTargetFixture): void {
  for (let i = 0; i < f.store.data.length; i++) f.store.data[i] = (i >> 9) & 0xff; // byte = block number
}

t.test('READ(10) returns the blocks at the LBA', async (t) => {
  const f = await ScsiTargetFixture.create();
  fill(f);
  const r = await f.run(cdb(0x28, 0, 0, 0, 0, 5, 0, 0, 2, 0));
  t.equal(r.status, ScsiStatus.Good);
  t.equal(r.dataIn?.length, 1024);
  t.equal(r.dataIn?.[0], 5);
  t.equal(r.dataIn?.[1023], 6);
  t.equal(f.store.reads, 1);
});

t.test('READ(6): 21-bit LBA, transfer length 0 means 256 blocks', async (t) => {
  const f = await ScsiTargetFixture.create();
  fill(f);
  const r = await f.run(cdb(0x08, 0x00, 0x01, 0x00, 0));
  t.equal(r.status, ScsiStatus.Good);
  t.equal(r.dataIn?.length, 256 * 512);
  t.equal(r.dataIn?.[0], 0); // LBA 256 → block number byte 0
  const hi = await f.run(cdb(0x08, 0x20 | 0x00, 0x00, 0x05, 1)); // top 3 bits of byte 1 are not LBA
  t.equal(hi.dataIn?.[0], 5);
});

t.test('READ(12) and READ(16) parse LBA and length', async (t) => {
  const f = await ScsiTargetFixture.create();
  fill(f);
  const r12 = await f.run(cdb(0xa8, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 3));
  t.equal(r12.dataIn?.length, 3 * 512);
  t.equal(r12.dataIn?.[0], 0x02);
  const r16 = await f.run(cdb(0x88, 0, 0, 0, 0, 0, 0, 0, 0x03, 0xff, 0, 0, 0, 1));
  t.equal(r16.dataIn?.length, 512);
  t.equal(r16.dataIn?.[0], 0xff);
});

t.test('transfer length 0 reads nothing and is not an error', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(cdb(0x28, 0, 0, 0, 0, 1, 0, 0, 0, 0));
  t.equal(r.status, ScsiStatus.Good);
  t.equal(r.dataIn, null);
  t.equal(f.store.reads, 0);
  const past = await f.run(cdb(0x28, 0, 0, 0, 0x04, 0x00, 0, 0, 0, 0));
  t.same(senseOf(past), { key: 0x05, asc: 0x21, ascq: 0x00 }, 'but the LBA must exist');
});

t.test('LBA range checks: LBA OUT OF RANGE, store untouched', async (t) => {
  const f = await ScsiTargetFixture.create();
  const last = await f.run(cdb(0x28, 0, 0, 0, (BLOCKS - 1) >> 8, (BLOCKS - 1) & 0xff, 0, 0, 1, 0));
  t.equal(last.status, ScsiStatus.Good, 'last block readable');
  const beyond = await f.run(cdb(0x28, 0, 0, 0, (BLOCKS - 1) >> 8, (BLOCKS - 1) & 0xff, 0, 0, 2, 0));
  t.equal(beyond.status, ScsiStatus.CheckCondition);
  t.same(senseOf(beyond), { key: 0x05, asc: 0x21, ascq: 0x00 });
  const huge = await f.run(cdb(0x88, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1));
  t.same(senseOf(huge), { key: 0x05, asc: 0x21, ascq: 0x00 }, '64-bit LBA beyond 2^53');
  t.equal(f.store.reads, 1);
});

t.test('RDPROTECT non-zero: INVALID FIELD IN CDB pointing at byte 1 bit 7', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(cdb(0x28, 0x20, 0, 0, 0, 0, 0, 0, 1, 0));
  t.same(senseOf(r), { key: 0x05, asc: 0x24, ascq: 0x00 });
  const s = r.sense as Buffer;
  t.equal(s[15], 0x80 | 0x40 | 0x08 | 7, 'SKSV, C/D, BPV, bit 7');
  t.equal(s.readUInt16BE(16), 1);
});

t.test('a transfer beyond the maximum transfer length is refused', async (t) => {
  const f = await ScsiTargetFixture.create({ size: 1 << 30 });
  const blocks = f.lu.maxTransferBlocks + 1;
  const c = cdb(0x88);
  c.writeUInt32BE(blocks, 10);
  const r = await f.run(c);
  t.same(senseOf(r), { key: 0x05, asc: 0x24, ascq: 0x00 });
  t.equal((r.sense as Buffer).readUInt16BE(16), 10);
});

t.test('store errors become sense data', async (t) => {
  const f = await ScsiTargetFixture.create();
  const cases: Array<[Parameters<typeof f.store.failNext>[1], number, number, number]> = [
    ['medium', 0x03, 0x11, 0x00],
    ['not-ready', 0x02, 0x04, 0x01],
    ['gone', 0x04, 0x44, 0x00],
    ['unsupported', 0x04, 0x44, 0x00],
  ];
  for (const [kind, key, asc, ascq] of cases) {
    f.store.failNext('read', kind);
    const r = await f.run(cdb(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0));
    t.equal(r.status, ScsiStatus.CheckCondition, String(kind));
    t.same(senseOf(r), { key, asc, ascq }, String(kind));
  }
  f.store.failNext('read', new TypeError('bug in a store'));
  const r = await f.run(cdb(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0));
  t.same(senseOf(r), { key: 0x04, asc: 0x44, ascq: 0x00 });
  t.match(f.log.at('error')[0]?.msg ?? '', /READ\(10\) failed: bug in a store/);
});

t.test('READ on the stand-in LUN 0 controller is an invalid opcode', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(cdb(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0), { lun: 0 });
  t.same(senseOf(r), { key: 0x05, asc: 0x20, ascq: 0x00 });
});

t.test('READ on a LUN that does not exist: LOGICAL UNIT NOT SUPPORTED', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(cdb(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0), { lun: 7 });
  t.same(senseOf(r), { key: 0x05, asc: 0x25, ascq: 0x00 });
});

t.test('the hot path logs nothing', async (t) => {
  const f = await ScsiTargetFixture.create();
  const before = f.log.entries.length;
  await f.run(cdb(0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0));
  await f.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 8, 0), { dataOut: Buffer.alloc(4096) });
  t.equal(f.log.entries.length, before);
});
