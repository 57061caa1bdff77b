/** Sheep restarting or the connection dropping: reconnect with backoff; in-flight I/O retried or failed, never acknowledged unanswered. */
import t, { type Test } from 'tap';
import { StoreError } from '../../../core/store/StoreError.js';
import { SheepOpcode } from '../../../plugins/store-sheepdog/SheepProtocol.js';
import { pattern, startSheepHarness } from '../../fixtures/sheep-server/SheepStoreHarness.js';

const MiB = 1024 * 1024;
const OBJ = 4 * MiB;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function outcome(p: Promise<unknown>): Promise<'ok' | StoreError | unknown> {
  return p.then(
    () => 'ok' as const,
    (e: unknown) => e,
  );
}

function isKind(t: Test, v: unknown, kind: string): void {
  t.ok(v instanceof StoreError, `a StoreError (${String(v)})`);
  t.equal((v as StoreError).kind, kind);
}

t.test('dropped idle connections are re-established on the next I/O', async (t) => {
  const h = await startSheepHarness('unix');
  t.teardown(() => h.close());
  h.server.cluster.createVdi('v', 8 * MiB);
  const store = await h.open(':v');
  await store.write(pattern(4096, 1), 0, false);
  h.server.dropConnections();
  await sleep(20);
  const back = Buffer.alloc(4096);
  await store.read(back, 0);
  t.same(back, pattern(4096, 1));
  t.ok(h.log.at('warn').some((e) => /connection to sheep lost/.test(e.msg)), 'loss logged');
  t.ok(h.log.at('info').some((e) => /reconnected/.test(e.msg)), 'reconnect logged');
});

t.test('a write applied but unanswered is sent again and acknowledged only after sheep answers', async (t) => {
  const h = await startSheepHarness('tcp');
  t.teardown(() => h.close());
  const c = h.server.cluster;
  const vid = c.createVdi('v', 8 * MiB);
  const store = await h.open(':v', { options: { connections: 1 } });
  await store.write(pattern(4096, 2), 0, false); // object 0 exists now

  h.server.dropAfterApply(1);
  const before = h.server.requests.length;
  await store.write(pattern(4096, 3), 0, false);
  const sent = h.server.requests.slice(before).filter((r) => r.opcode === SheepOpcode.WRITE_OBJ);
  t.equal(sent.length, 2, 'the write went out twice: lost answer, then retried');
  t.same(c.readVdi(vid, 0, 4096), pattern(4096, 3));

  // The same for the two-step first write of an object (create, then inode entry).
  h.server.dropAfterApply(2);
  await store.write(pattern(4096, 4), OBJ, false);
  t.equal(c.dataVdiId(vid, 1), vid, 'inode entry written');
  t.same(c.readVdi(vid, OBJ, 4096), pattern(4096, 4));
});

t.test('sheep restarting: in-flight I/O waits for the restart and completes', async (t) => {
  const h = await startSheepHarness('unix');
  t.teardown(() => h.close());
  const c = h.server.cluster;
  const vid = c.createVdi('v', 8 * MiB);
  const store = await h.open(':v', { options: { reconnectTimeoutMs: 5000 } });
  await store.write(pattern(4096, 5), 0, false);

  h.server.hold();
  const write = store.write(pattern(4096, 6), 0, false);
  const read = Buffer.alloc(4096);
  const reading = store.read(read, 4096);
  await sleep(50);
  await h.server.stop(); // held requests die with their connections
  h.server.release();
  let settled = false;
  void write.then(() => (settled = true), () => (settled = true));
  await sleep(300);
  t.equal(settled, false, 'nothing acknowledged while sheep is down');
  await h.server.restart();
  t.equal(await outcome(write), 'ok');
  t.equal(await outcome(reading), 'ok');
  t.same(c.readVdi(vid, 0, 4096), pattern(4096, 6));
});

t.test('sheep gone longer than reconnectTimeoutMs: I/O fails NOT READY, then recovers when sheep is back', async (t) => {
  const h = await startSheepHarness('unix');
  t.teardown(() => h.close());
  const c = h.server.cluster;
  const vid = c.createVdi('v', 8 * MiB);
  const store = await h.open(':v', { options: { reconnectTimeoutMs: 400 } });
  await store.write(pattern(4096, 7), 0, false);

  await h.server.stop();
  const failedWrite = await outcome(store.write(pattern(4096, 8), 0, false));
  isKind(t, failedWrite, 'not-ready');
  t.same(c.readVdi(vid, 0, 4096), pattern(4096, 7), 'the failed write did not reach the data');

  await h.server.restart();
  await store.write(pattern(4096, 9), 0, false);
  t.same(c.readVdi(vid, 0, 4096), pattern(4096, 9));
});

t.test('a hung sheep: the request timeout breaks the connection; I/O fails NOT READY after the reconnect window', async (t) => {
  const h = await startSheepHarness('unix');
  t.teardown(() => h.close());
  h.server.cluster.createVdi('v', 8 * MiB);
  const store = await h.open(':v', { options: { requestTimeoutMs: 200, reconnectTimeoutMs: 600 } });
  h.server.hold();
  const r = await outcome(store.read(Buffer.alloc(4096), 0));
  // object 0 was never written: reads of unallocated objects need no request at all
  t.equal(r, 'ok');
  const w = await outcome(store.write(pattern(512, 1), 0, false));
  isKind(t, w, 'not-ready');
  h.server.release();
});

t.test('after sheep restarts (and forgets its locks) the VDI lock is taken again', async (t) => {
  const h = await startSheepHarness('unix');
  t.teardown(() => h.close());
  const c = h.server.cluster;
  const vid = c.createVdi('v', 8 * MiB);
  const store = await h.open(':v', { options: { connections: 1 } });
  t.ok(c.locks.has(vid));
  await h.server.stop();
  c.locks.clear(); // a restarted sheep starts with no locks
  await h.server.restart();
  await store.write(pattern(512, 1), 0, false);
  for (let i = 0; i < 50 && !c.locks.has(vid); i++) await sleep(20);
  t.ok(c.locks.has(vid), 'locked again');
  t.ok(h.log.at('info').some((e) => /lock taken again/.test(e.msg)));
  // A plain connection drop (sheep kept the lock): LOCK_VDI answers VDI_LOCKED, nothing is logged as a problem.
  h.server.dropConnections();
  await store.read(Buffer.alloc(512), 0);
  await sleep(50);
  t.equal(h.log.at('warn').filter((e) => /could not take the VDI lock/.test(e.msg)).length, 0);
  await store.close();
  t.equal(c.locks.has(vid), false, 'released on close');
});
