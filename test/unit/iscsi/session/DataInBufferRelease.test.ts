/**
 * Pooled READ buffers go back to the pool only once the socket has written
 * them: a client that stops reading leaves megabytes queued in the socket,
 * and none of that memory may serve another read meanwhile. Every block
 * carries its own number, so a buffer reused too early shows up as the
 * wrong data when the client reads again.
 */
import t from 'tap';
import { dataBuffers } from '../../../../core/buffers/DataBufferPool.js';
import { IscsiTransportHarness } from '../../../helpers/IscsiTransportHarness.js';
import { clearUnitAttention, loginConnection, read10, taskResult } from '../../../helpers/rawSession.js';

const MiB = 1 << 20;
const READS = 32;

t.test('Data-In buffers stay out of the pool until written; the data read is right', async (t) => {
  const h = await IscsiTransportHarness.start({
    luns: [{ lun: 1, size: READS * MiB, capabilities: { buffersFreeOnSettle: true } }],
    portalOptions: { nopInIntervalMs: 0 },
  });
  t.teardown(() => h.close());
  const medium = h.stores.get(1)!.data;
  for (let block = 0; block < medium.length / 512; block++) medium.writeUInt32BE(block, block * 512);
  const { conn } = await loginConnection(h.port, h.iqn);
  t.teardown(() => conn.close());
  await clearUnitAttention(conn);

  conn.pauseReading();
  const idleBefore = dataBuffers.idleByteCount;
  const itts: number[] = [];
  // Two waves of 1 MiB reads: the second is served while the first still waits in the socket.
  for (let i = 0; i < READS / 2; i++) itts.push(read10(conn, i * 2048, 2048));
  await new Promise((r) => setTimeout(r, 300));
  for (let i = READS / 2; i < READS; i++) itts.push(read10(conn, i * 2048, 2048));
  await new Promise((r) => setTimeout(r, 300));
  // 32 MiB answered, more than the kernel's socket buffers take: most of it waits in the socket.
  t.ok(dataBuffers.idleByteCount - idleBefore < 16 * MiB, `at most what the kernel took is back in the pool (${((dataBuffers.idleByteCount - idleBefore) / MiB).toFixed(0)} MiB)`);

  conn.resumeReading();
  let wrong = 0;
  for (let i = 0; i < READS; i++) {
    const r = await taskResult(conn, itts[i]!, 10000);
    if (r === null || r.status !== 0 || r.data.length !== MiB) { wrong++; continue; }
    for (let b = 0; b < 2048; b++) if (r.data.readUInt32BE(b * 512) !== i * 2048 + b) { wrong++; break; }
  }
  t.equal(wrong, 0, 'every read carries its own blocks');
  await new Promise((r) => setTimeout(r, 100));
  t.ok(dataBuffers.idleByteCount > idleBefore, 'and the buffers went back to the pool once written');
});
