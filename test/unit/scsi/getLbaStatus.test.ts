/** GET LBA STATUS: descriptors from the store's allocation map, allocation length, range checks. */
import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { appendBlockExtents, type LbaExtent } from '../../../core/scsi/commands/getLbaStatus.js';
import { MemoryStore } from '../../helpers/MemoryStore.js';
import { cdb, senseOf } from '../../helpers/ScsiTargetFixture.js';
import { ThinMemoryStore } from '../../helpers/ThinMemoryStore.js';
import { thinTarget, unmapList } from '../../helpers/thinTarget.js';

const BLOCKS = 1024;

function getLbaStatus(lba: number | bigint, allocationLength = 1024): Buffer {
  const c = cdb(0x9e, 0x12);
  c.writeBigUInt64BE(BigInt(lba), 2);
  c.writeUInt32BE(allocationLength, 10);
  return c;
}

function descriptors(data: Buffer): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  t.equal(data.readUInt32BE(0), data.length - 4, 'PARAMETER DATA LENGTH');
  for (let p = 8; p + 16 <= data.length; p += 16) out.push([Number(data.readBigUInt64BE(p)), data.readUInt32BE(p + 8), data[p + 12] & 0x0f]);
  return out;
}

t.test('mapped and deallocated extents from the starting LBA on', async (t) => {
  const f = await thinTarget();
  await f.run(cdb(0x2a, 0, 0, 0, 0, 10, 0, 0, 20, 0), { dataOut: Buffer.alloc(20 * 512, 1) });
  const list = unmapList([[15, 5]]);
  await f.run(cdb(0x42, 0, 0, 0, 0, 0, 0, 0, list.length, 0), { dataOut: list });
  const r = await f.run(getLbaStatus(0));
  t.equal(r.status, ScsiStatus.Good);
  t.same(descriptors(r.dataIn as Buffer), [[0, 10, 1], [10, 5, 0], [15, 5, 1], [20, 10, 0], [30, BLOCKS - 30, 1]]);
  t.same(descriptors((await f.run(getLbaStatus(12))).dataIn as Buffer)[0], [12, 3, 0], 'the first descriptor starts at the starting LBA');
  t.same(descriptors((await f.run(getLbaStatus(BLOCKS - 1))).dataIn as Buffer), [[BLOCKS - 1, 1, 1]], 'last block');
});

t.test('the allocation length limits the descriptors (at least the header and one)', async (t) => {
  const f = await thinTarget();
  await f.run(cdb(0x2a, 0, 0, 0, 0, 1, 0, 0, 1, 0), { dataOut: Buffer.alloc(512, 1) });
  const two = await f.run(getLbaStatus(0, 8 + 32));
  t.same(descriptors(two.dataIn as Buffer), [[0, 1, 1], [1, 1, 0]]);
  const cut = await f.run(getLbaStatus(0, 20));
  t.equal(cut.dataIn?.length, 20, 'cut to the allocation length');
  t.equal(cut.dataIn?.readUInt32BE(0), 20, 'the PARAMETER DATA LENGTH still says one descriptor');
});

t.test('starting LBA at or past the end: LBA OUT OF RANGE', async (t) => {
  const f = await thinTarget();
  for (const lba of [BLOCKS, BLOCKS + 1, 2n ** 63n, 2n ** 64n - 1n]) {
    t.same(senseOf(await f.run(getLbaStatus(lba))), { key: 0x05, asc: 0x21, ascq: 0 }, `LBA ${lba}`);
  }
});

t.test('a thin store without an allocation map reports everything mapped; a full store has no GET LBA STATUS', async (t) => {
  const f = await thinTarget({ store: new ThinMemoryStore(BLOCKS * 512, { allocationMap: false }) });
  t.same(descriptors((await f.run(getLbaStatus(4))).dataIn as Buffer), [[4, BLOCKS - 4, 0]]);
  const full = await thinTarget({ store: new MemoryStore({ size: BLOCKS * 512 }) });
  t.same(senseOf(await full.run(getLbaStatus(0))), { key: 0x05, asc: 0x20, ascq: 0 });
});

t.test('byte extents become block extents: a partly mapped block counts as mapped, neighbours merge', async (t) => {
  const out: LbaExtent[] = [];
  appendBlockExtents(out, [
    { offset: 0, length: 4096, mapped: false },
    { offset: 4096, length: 100, mapped: true }, // inside block 1 (blocks of 4096)
    { offset: 4196, length: 8092, mapped: false },
    { offset: 12288, length: 4096, mapped: false },
  ], 4096);
  t.same(out, [{ lba: 0, blocks: 1, mapped: false }, { lba: 1, blocks: 1, mapped: true }, { lba: 2, blocks: 2, mapped: false }]);
  const next: LbaExtent[] = [{ lba: 0, blocks: 2, mapped: false }];
  appendBlockExtents(next, [{ offset: 8192, length: 512, mapped: false }, { offset: 8704, length: 512, mapped: true }], 4096);
  t.same(next, [{ lba: 0, blocks: 2, mapped: false }, { lba: 2, blocks: 1, mapped: true }], 'a mapped tail takes over the shared block');
});
