/** UNMAP: parameter list parsing, limits, range checks, sense, and real deallocation. */
import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { MAX_UNMAP_BLOCKS, MAX_UNMAP_DESCRIPTORS } from '../../../core/scsi/BlockLimits.js';
import { MemoryStore } from '../../helpers/MemoryStore.js';
import { cdb, senseOf } from '../../helpers/ScsiTargetFixture.js';
import type { BackingStore } from '../../../core/store/BackingStore.js';
import { thinTarget, unmapList } from '../../helpers/thinTarget.js';

const BLOCKS = 1024;

/** A thin store of 1 TiB that keeps no data: only logs discards (for the LBA-count limit). */
class HugeThinStore implements BackingStore {
  readonly capabilities = { discard: true, discardZeroes: true, writeZeroes: false, allocationMap: false, resize: false, readOnly: false };
  readonly size = 2 ** 40;
  readonly discardLog: Array<[number, number]> = [];
  async read(dst: Buffer): Promise<void> { dst.fill(0); }
  async write(): Promise<void> {}
  async flush(): Promise<void> {}
  async discard(offset: number, length: number): Promise<void> { this.discardLog.push([offset, length]); }
  async close(): Promise<void> {}
}
const unmapCdb = (listLength: number, anchor = 0): Buffer => cdb(0x42, anchor, 0, 0, 0, 0, 0, listLength >> 8, listLength & 0xff, 0);
const ILLEGAL = 0x05;

t.test('UNMAP deallocates every descriptor: the blocks read back as zeros and are no longer mapped', async (t) => {
  const f = await thinTarget();
  await f.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 16, 0), { dataOut: Buffer.alloc(16 * 512, 0x61) });
  t.equal(f.store.mappedBytes, 16 * 512);
  const list = unmapList([[0, 4], [8, 2]]);
  const r = await f.run(unmapCdb(list.length), { dataOut: list });
  t.equal(r.status, ScsiStatus.Good);
  t.same(f.store.discardLog, [[0, 4 * 512], [8 * 512, 2 * 512]]);
  t.equal(f.store.mappedBytes, 10 * 512);
  t.ok(f.store.data.subarray(0, 4 * 512).every((b) => b === 0));
  t.equal(f.store.data[4 * 512], 0x61, 'blocks between descriptors untouched');
});

t.test('zero-length parameter list and empty or zero-block descriptors are no-ops (even at the end of the medium)', async (t) => {
  const f = await thinTarget();
  t.equal((await f.run(unmapCdb(0))).status, ScsiStatus.Good);
  const empty = unmapList([]);
  t.equal((await f.run(unmapCdb(empty.length), { dataOut: empty })).status, ScsiStatus.Good);
  const zero = unmapList([[BLOCKS, 0], [3, 0]]);
  t.equal((await f.run(unmapCdb(zero.length), { dataOut: zero })).status, ScsiStatus.Good);
  t.same(f.store.discardLog, []);
});

t.test('a parameter list shorter than its header: PARAMETER LIST LENGTH ERROR', async (t) => {
  const f = await thinTarget();
  t.same(senseOf(await f.run(unmapCdb(6), { dataOut: Buffer.alloc(6) })), { key: ILLEGAL, asc: 0x1a, ascq: 0 });
  t.same(senseOf(await f.run(unmapCdb(24), { dataOut: Buffer.alloc(4) })), { key: ILLEGAL, asc: 0x1a, ascq: 0 }, 'Data-Out shorter than 8');
});

t.test('a trailing partial descriptor is ignored', async (t) => {
  const f = await thinTarget();
  const list = unmapList([[0, 1], [5, 1]]);
  list.writeUInt16BE(16 + 8, 2); // the second descriptor announced only half
  t.equal((await f.run(unmapCdb(list.length), { dataOut: list })).status, ScsiStatus.Good);
  t.same(f.store.discardLog, [[0, 512]]);
});

t.test('ANCHOR is not supported: INVALID FIELD IN CDB', async (t) => {
  const f = await thinTarget();
  const list = unmapList([[0, 1]]);
  const r = await f.run(unmapCdb(list.length, 1), { dataOut: list });
  t.same(senseOf(r), { key: ILLEGAL, asc: 0x24, ascq: 0 });
  t.equal(r.sense?.[15], 0xc0 | 0x08 | 0, 'SKSV, C/D, BPV, bit 0');
  t.equal(r.sense?.readUInt16BE(16), 1, 'byte 1');
});

t.test('limits from VPD B0h: descriptor count and LBA count → INVALID FIELD IN PARAMETER LIST, nothing deallocated', async (t) => {
  const f = await thinTarget({ store: new HugeThinStore() });
  const many = unmapList(Array.from({ length: MAX_UNMAP_DESCRIPTORS + 1 }, (_, i) => [i, 1] as const));
  t.same(senseOf(await f.run(unmapCdb(many.length), { dataOut: many })), { key: ILLEGAL, asc: 0x26, ascq: 0 });
  const max = unmapList(Array.from({ length: MAX_UNMAP_DESCRIPTORS }, (_, i) => [i, 1] as const));
  t.equal((await f.run(unmapCdb(max.length), { dataOut: max })).status, ScsiStatus.Good, 'exactly the maximum is fine');
  const big = unmapList([[0, MAX_UNMAP_BLOCKS], [MAX_UNMAP_BLOCKS, 1]]);
  t.same(senseOf(await f.run(unmapCdb(big.length), { dataOut: big })), { key: ILLEGAL, asc: 0x26, ascq: 0 });
  t.equal(f.store.discardLog.length, MAX_UNMAP_DESCRIPTORS);
});

t.test('a descriptor beyond the end: LBA OUT OF RANGE and no descriptor is applied', async (t) => {
  const f = await thinTarget();
  for (const bad of [[BLOCKS - 1, 2], [BLOCKS, 1], [2 ** 40, 1], [Number.MAX_SAFE_INTEGER, 1]] as const) {
    const list = unmapList([[0, 1], bad]);
    t.same(senseOf(await f.run(unmapCdb(list.length), { dataOut: list })), { key: ILLEGAL, asc: 0x21, ascq: 0 }, `${bad}`);
  }
  const top = Buffer.alloc(24);
  top.writeUInt16BE(16, 2);
  top.fill(0xff, 8, 16); // LBA 2^64-1
  top.writeUInt32BE(1, 16);
  t.same(senseOf(await f.run(unmapCdb(24), { dataOut: top })), { key: ILLEGAL, asc: 0x21, ascq: 0 }, 'LBA 2^64-1');
  t.same(f.store.discardLog, []);
});

t.test('read-only LUN: WRITE PROTECTED', async (t) => {
  const f = await thinTarget({ readOnly: true });
  const list = unmapList([[0, 1]]);
  t.same(senseOf(await f.run(unmapCdb(list.length), { dataOut: list })), { key: 0x07, asc: 0x27, ascq: 0 });
  t.same(f.store.discardLog, []);
});

t.test('a store that cannot discard: UNMAP is INVALID COMMAND OPERATION CODE', async (t) => {
  const f = await thinTarget({ store: new MemoryStore({ size: BLOCKS * 512 }) });
  const list = unmapList([[0, 1]]);
  t.same(senseOf(await f.run(unmapCdb(list.length), { dataOut: list })), { key: ILLEGAL, asc: 0x20, ascq: 0 });
});
