/**
 * Failures between lunhost and nebd-server: restarts in the middle of I/O,
 * lost replies, timeouts, brpc errors. An I/O either succeeds with its data
 * really written, or fails with a StoreError; a write is never acknowledged
 * without nebd's reply.
 */
import t from 'tap';
import { BrpcErrno } from '../../../plugins/store-curve/RpcError.js';
import { startNebdFixture, VOLUME } from '../../fixtures/nebd-server/NebdFixture.js';
import { expectStoreError } from './expectStoreError.js';
import { fileBytes } from '../../helpers/fileBytes.js';

const MiB = 1 << 20;


const block = (seed: number): Buffer => Buffer.alloc(4096, seed);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

t.test('nebd-server restarts while writes are in flight: they are retried on the re-opened file', async (t) => {
  const fx = await startNebdFixture(4 * MiB);
  t.teardown(() => fx.cleanup());
  const store = await fx.open({ timeoutMs: 2000, retry: { budgetMs: 10_000 } });
  const fdBefore = fx.server.openFiles()[0]!.fd;
  // Hold the first writes in the server so the restart catches them in flight.
  fx.server.inject({ method: 'Write', delayMs: 2000, times: 8 });
  const settled: Array<'ok' | 'failed'> = [];
  const writes = Array.from({ length: 8 }, (_, i) =>
    store.write(block(i + 1), i * 4096, false).then(
      () => settled.push('ok'),
      () => settled.push('failed'),
    ),
  );
  while (fx.server.callCount('Write') < 8) await sleep(5);
  t.equal(settled.length, 0, 'writes still in flight when the server goes down');
  await fx.server.restart(200);
  await Promise.all(writes);
  t.same(settled, Array(8).fill('ok'), 'every write succeeded after the restart');
  for (let i = 0; i < 8; i++) {
    t.ok(fileBytes(fx.volumePath, i * 4096, 4096).equals(block(i + 1)), `block ${i} is really written`);
  }
  const after = fx.server.openFiles();
  t.equal(after.length, 1);
  t.equal(after[0]!.name, VOLUME, 'OpenFile again after the restart');
  t.not(after[0]!.fd, fdBefore, 'with the new descriptor');
  t.equal(fx.server.unknownFdCalls, 0, 'the old descriptor was never sent to the restarted server');
  const back = Buffer.alloc(4096);
  await store.read(back, 4096);
  t.ok(back.equals(block(2)));
});

t.test('nebd-server down longer than the retry budget: not-ready, then works again', async (t) => {
  const fx = await startNebdFixture(4 * MiB);
  t.teardown(() => fx.cleanup());
  const store = await fx.open({ timeoutMs: 500, retry: { budgetMs: 400 } });
  await fx.server.stop();
  const err = await expectStoreError(t, store.write(block(9), 0, false), 'not-ready', 'write while nebd-server is down');
  t.match(err?.message ?? '', /cbd:pool\/\/iscsi_test_/);
  t.ok(fileBytes(fx.volumePath, 0, 4096).every((b) => b === 0), 'nothing was written');
  await fx.server.start();
  await store.write(block(9), 0, false);
  t.ok(fileBytes(fx.volumePath, 0, 4096).equals(block(9)), 'the next write works on the re-opened file');
});

t.test('a write executed but whose reply was lost is retried, never reported early', async (t) => {
  const fx = await startNebdFixture(4 * MiB);
  t.teardown(() => fx.cleanup());
  const store = await fx.open({ timeoutMs: 1000, retry: { budgetMs: 5000 } });
  fx.server.inject({ method: 'Write', closeConnection: true, execute: true });
  await store.write(block(3), 8192, false);
  t.equal(fx.server.callCount('Write'), 2, 'sent again after the connection broke');
  t.ok(fileBytes(fx.volumePath, 8192, 4096).equals(block(3)));

  fx.server.inject({ method: 'Write', closeConnection: true, execute: false });
  await store.write(block(4), 12288, false);
  t.ok(fileBytes(fx.volumePath, 12288, 4096).equals(block(4)), 'a write lost before execution is written by the retry');
});

t.test('a call without a reply times out and is retried', async (t) => {
  const fx = await startNebdFixture(4 * MiB);
  t.teardown(() => fx.cleanup());
  const store = await fx.open({ timeoutMs: 1000, retry: { budgetMs: 10_000 } });
  await store.write(block(5), 0, false);
  fx.server.inject({ method: 'Read', drop: true });
  const back = Buffer.alloc(4096);
  await store.read(back, 0);
  t.ok(fx.server.callCount('Read') >= 2, 'the dropped Read was sent again');
  t.ok(back.equals(block(5)));
});

t.test('writes nebd never acknowledges fail with not-ready', async (t) => {
  const fx = await startNebdFixture(4 * MiB);
  t.teardown(() => fx.cleanup());
  const store = await fx.open({ timeoutMs: 100, retry: { budgetMs: 600 } });
  fx.server.inject({ method: 'Write', drop: true, times: 1000 });
  await expectStoreError(t, store.write(block(6), 0, false), 'not-ready');
  t.ok(fx.server.callCount('Write') >= 2, `retried (${fx.server.callCount('Write')} attempts)`);
  fx.server.inject({ method: 'Flush', drop: true, times: 1000 });
  await expectStoreError(t, store.flush(), 'not-ready', 'a flush without reply is not reported done');
});

t.test('brpc errors: a stopping server is retried, a missing method is a medium error', async (t) => {
  const fx = await startNebdFixture(4 * MiB);
  t.teardown(() => fx.cleanup());
  const store = await fx.open({ retry: { budgetMs: 5000 } });
  fx.server.inject({ method: 'Write', brpcError: BrpcErrno.ELOGOFF });
  await store.write(block(7), 0, false);
  t.equal(fx.server.callCount('Write'), 2, 'ELOGOFF retried');
  fx.server.inject({ method: 'Read', brpcError: BrpcErrno.ENOMETHOD });
  const err = await expectStoreError(t, store.read(Buffer.alloc(4096), 0), 'medium');
  t.match(err?.message ?? '', /1002/, 'the brpc code is in the message');
  t.equal(fx.server.callCount('Read'), 1, 'not retried');
});

t.test('maxRetries bounds retries on a live connection', async (t) => {
  const fx = await startNebdFixture(4 * MiB);
  t.teardown(() => fx.cleanup());
  const store = await fx.open({ retry: { maxRetries: 2, intervalMs: 1, budgetMs: 60_000 } });
  fx.server.inject({ method: 'Discard', brpcError: BrpcErrno.EINTERNAL, times: 100 });
  await expectStoreError(t, store.discard!(0, 4096), 'not-ready');
  t.equal(fx.server.callCount('Discard'), 3, 'one call and two retries');
});

t.test('a volume that cannot be re-opened after a restart fails I/O as gone', async (t) => {
  const fx = await startNebdFixture(4 * MiB);
  t.teardown(() => fx.cleanup());
  const store = await fx.open({ retry: { budgetMs: 5000 } });
  fx.server.deleteVolume(VOLUME);
  await fx.server.restart();
  const err = await expectStoreError(t, store.write(block(8), 0, false), 'gone');
  t.match(err?.message ?? '', /refused to open Curve volume cbd:pool\/\/iscsi_test_: no such volume/);
  t.equal(fx.server.callCount('Write'), 0, 'no write was sent without an open file');
});
