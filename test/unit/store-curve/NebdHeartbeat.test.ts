/** KeepAlive: sent periodically with this pid and every open file; re-opens files after a restart. */
import t from 'tap';
import { startNebdFixture, VOLUME } from '../../fixtures/nebd-server/NebdFixture.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

t.test('heartbeats list the open file with this process id', async (t) => {
  const fx = await startNebdFixture(1 << 20);
  t.teardown(() => fx.cleanup());
  const store = await fx.open({ heartbeatIntervalMs: 50 });
  await until('two heartbeats', () => fx.server.heartbeats.length >= 2);
  const fd = fx.server.openFiles()[0]!.fd;
  const hb = fx.server.heartbeats[0]!;
  t.equal(hb.pid, process.pid);
  t.equal(hb.nebdVersion, 'lunhost-test');
  t.same(hb.files, [{ fd, name: VOLUME }]);

  await store.close();
  const count = fx.server.heartbeats.length;
  await sleep(200);
  t.equal(fx.server.heartbeats.length, count, 'no heartbeats after the last file is closed');
});

t.test('after a restart the heartbeat re-opens the file without waiting for I/O', async (t) => {
  const fx = await startNebdFixture(1 << 20);
  t.teardown(() => fx.cleanup());
  await fx.open({ heartbeatIntervalMs: 50 });
  const before = fx.server.openFiles()[0]!.fd;
  await fx.server.restart(100);
  const seen = fx.server.heartbeats.length;
  await until('the file open again', () => fx.server.openFiles().length === 1);
  await until('a heartbeat after the restart', () => fx.server.heartbeats.length > seen);
  const after = fx.server.openFiles()[0]!.fd;
  t.not(after, before);
  t.same(fx.server.heartbeats.at(-1)!.files, [{ fd: after, name: VOLUME }], 'the heartbeat names the new descriptor');
});

t.test('stores on the same socket share one session and one heartbeat', async (t) => {
  const fx = await startNebdFixture(1 << 20);
  t.teardown(() => fx.cleanup());
  const a = await fx.open({ heartbeatIntervalMs: 50 });
  const b = await fx.open({ heartbeatIntervalMs: 50 });
  await until('a heartbeat', () => fx.server.heartbeats.length >= 1);
  t.equal(fx.server.heartbeats[0]!.files.length, 2, 'both files in one KeepAlive');
  await a.close();
  const n = fx.server.heartbeats.length;
  await until('another heartbeat', () => fx.server.heartbeats.length > n);
  t.equal(fx.server.heartbeats.at(-1)!.files.length, 1, 'the closed one is gone');
  await b.close();
});
