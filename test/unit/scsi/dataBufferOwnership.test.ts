/**
 * READ and WRITE with a store that lets go of its buffers on settling
 * (buffersFreeOnSettle): READ data comes from the pool and is the
 * transport's to release; WRITE's Data-Out goes back to the pool once the
 * store settled, and not before. Without the capability nothing is pooled.
 */
import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { dataBuffers } from '../../../core/buffers/DataBufferPool.js';
import { ScsiTargetFixture, cdb } from '../../helpers/ScsiTargetFixture.js';

const BLOCKS_128K = 256; // 256 × 512 bytes = one 128 KiB pooled buffer

function read10(lba: number, blocks: number): Buffer {
  return cdb(0x28, 0, 0, 0, (lba >> 8) & 0xff, lba & 0xff, 0, (blocks >> 8) & 0xff, blocks & 0xff, 0);
}
function write10(lba: number, blocks: number): Buffer {
  return cdb(0x2a, 0, 0, 0, (lba >> 8) & 0xff, lba & 0xff, 0, (blocks >> 8) & 0xff, blocks & 0xff, 0);
}

t.test('READ data comes from the pool; released by its receiver, it is reused', async (t) => {
  const f = await ScsiTargetFixture.create({ capabilities: { buffersFreeOnSettle: true } });
  f.store.data.fill(7);
  const r = await f.run(read10(0, BLOCKS_128K));
  t.equal(r.status, ScsiStatus.Good);
  t.ok(r.dataIn!.every((b) => b === 7));
  const before = dataBuffers.idleByteCount;
  dataBuffers.release(r.dataIn!); // what the transport does once the socket took it
  t.equal(dataBuffers.idleByteCount, before + 128 * 1024, 'back in the pool');
  const again = await f.run(read10(0, BLOCKS_128K));
  t.equal(again.dataIn!.buffer, r.dataIn!.buffer, 'the same memory serves the next read');
  t.equal(dataBuffers.idleByteCount, before);
});

t.test('a failed READ gives its pooled buffer back itself', async (t) => {
  const f = await ScsiTargetFixture.create({ capabilities: { buffersFreeOnSettle: true } });
  const before = dataBuffers.idleByteCount;
  const held = dataBuffers.acquire(128 * 1024);
  dataBuffers.release(held);
  f.store.failNext('read', 'medium');
  const r = await f.run(read10(0, BLOCKS_128K));
  t.equal(r.status, ScsiStatus.CheckCondition);
  t.equal(dataBuffers.idleByteCount, before + 128 * 1024, 'the buffer the read took is back');
});

t.test('WRITE releases its Data-Out only after the store settled', async (t) => {
  const f = await ScsiTargetFixture.create({ capabilities: { buffersFreeOnSettle: true } });
  const dataOut = dataBuffers.acquire(128 * 1024).fill(9);
  const before = dataBuffers.idleByteCount;
  const open = f.store.hold();
  const arrived = f.store.arrived();
  const running = f.run(write10(8, BLOCKS_128K), { dataOut });
  await arrived;
  t.equal(dataBuffers.idleByteCount, before, 'still in use while the store writes');
  open();
  const r = await running;
  t.equal(r.status, ScsiStatus.Good);
  t.equal(dataBuffers.idleByteCount, before + 128 * 1024, 'released once written');
  t.ok(f.store.data.subarray(8 * 512, 8 * 512 + 128 * 1024).every((b) => b === 9), 'the data written is what was sent');
});

t.test('without buffersFreeOnSettle nothing is pooled or released', async (t) => {
  const f = await ScsiTargetFixture.create();
  const dataOut = dataBuffers.acquire(128 * 1024).fill(1);
  const before = dataBuffers.idleByteCount;
  const r = await f.run(read10(0, BLOCKS_128K));
  dataBuffers.release(r.dataIn!);
  t.equal(dataBuffers.idleByteCount, before, 'a fresh buffer, not the pool\'s');
  const w = await f.run(write10(0, BLOCKS_128K), { dataOut });
  t.equal(w.status, ScsiStatus.Good);
  t.equal(dataBuffers.idleByteCount, before, 'a store that may keep src keeps the Data-Out out of the pool');
});
