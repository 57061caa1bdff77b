/** The data buffer pool: exact lengths, reuse after release, and nothing reused that was not given back. */
import t from 'tap';
import { DataBufferPool } from '../../../core/buffers/DataBufferPool.js';

const KiB = 1024;
const MiB = 1024 * KiB;

t.test('buffers have exactly the length asked; small and huge ones are not pooled', async (t) => {
  const pool = new DataBufferPool(64 * MiB);
  for (const n of [0, 512, 4 * KiB - 1, 4 * KiB, 64 * KiB - 1, 64 * KiB, 100 * KiB, MiB, MiB + 1, 16 * MiB, 16 * MiB + 512]) {
    t.equal(pool.acquire(n).length, n, `${n} bytes`);
  }
  const small = pool.acquire(2 * KiB);
  pool.release(small);
  t.equal(pool.idleByteCount, 0, 'a buffer under 4 KiB is not kept');
  const page = pool.acquire(4 * KiB);
  pool.release(page);
  t.equal(pool.idleByteCount, 4 * KiB, 'a 4 KiB one is');
  const huge = pool.acquire(16 * MiB + 512);
  pool.release(huge);
  t.equal(pool.idleByteCount, 4 * KiB, 'nor one above the largest class');
});

t.test('a released buffer is reused for a request of its class, never while in use', async (t) => {
  const pool = new DataBufferPool(64 * MiB);
  const a = pool.acquire(MiB);
  const b = pool.acquire(MiB);
  t.not(a.buffer, b.buffer, 'two buffers in use never share memory');
  pool.release(a);
  t.equal(pool.idleByteCount, MiB);
  const c = pool.acquire(600 * KiB); // same 1 MiB class
  t.equal(c.buffer, a.buffer, 'reused');
  t.equal(c.length, 600 * KiB);
  t.equal(pool.idleByteCount, 0);
  const d = pool.acquire(MiB);
  t.not(d.buffer, c.buffer, 'not handed out twice');
  t.not(d.buffer, b.buffer);
});

t.test('release of a view releases its slab once; a second release or a foreign buffer does nothing', async (t) => {
  const pool = new DataBufferPool(64 * MiB);
  const a = pool.acquire(256 * KiB);
  pool.release(a.subarray(0, 8 * KiB));
  t.equal(pool.idleByteCount, 256 * KiB);
  pool.release(a);
  t.equal(pool.idleByteCount, 256 * KiB, 'double release ignored');
  pool.release(Buffer.alloc(256 * KiB));
  pool.release(Buffer.from(new ArrayBuffer(256 * KiB)));
  t.equal(pool.idleByteCount, 256 * KiB, 'foreign buffers ignored');
  const x = pool.acquire(256 * KiB);
  const y = pool.acquire(256 * KiB);
  t.not(x.buffer, y.buffer, 'the slab released twice is handed out once');
});

t.test('idle memory is bounded', async (t) => {
  const pool = new DataBufferPool(4 * MiB);
  const held = Array.from({ length: 10 }, () => pool.acquire(MiB));
  for (const b of held) pool.release(b);
  t.equal(pool.idleByteCount, 4 * MiB, 'only four kept');
});
