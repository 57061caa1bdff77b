/** CurveStore I/O through the nebd test server: data lands in the volume file byte for byte. */
import t from 'tap';
import { openSync, closeSync, statSync, truncateSync, writeSync } from 'node:fs';
import { StoreError } from '../../../core/store/StoreError.js';
import { MAX_REQUEST_BYTES } from '../../../plugins/store-curve/CurveStore.js';
import { silentLogger, startNebdFixture, VOLUME } from '../../fixtures/nebd-server/NebdFixture.js';
import { expectStoreError } from './expectStoreError.js';
import { fileBytes } from '../../helpers/fileBytes.js';

const MiB = 1 << 20;


function pattern(length: number, seed: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

t.test('opens with size auto, writes and reads back, data is in the volume', async (t) => {
  const fx = await startNebdFixture(4 * MiB);
  t.teardown(() => fx.cleanup());
  const store = await fx.open();
  t.equal(store.size, 4 * MiB, 'size from GetInfo');
  t.same(store.capabilities, { discard: true, discardZeroes: false, writeZeroes: false, allocationMap: false, resize: true, readOnly: false });
  t.same(fx.server.openFiles().map((f) => f.name), [VOLUME], 'OpenFile with the cbd name');

  const data = pattern(64 * 1024, 7);
  await store.write(data, MiB, false);
  t.ok(fileBytes(fx.volumePath, MiB, data.length).equals(data), 'written bytes are in the file');

  const back = Buffer.alloc(data.length);
  await store.read(back, MiB);
  t.ok(back.equals(data), 'read back the same bytes');

  // Bytes written behind lunhost's back are read (no caching).
  const fd = openSync(fx.volumePath, 'r+');
  writeSync(fd, Buffer.from('curve!'), 0, 6, 2 * MiB);
  closeSync(fd);
  const small = Buffer.alloc(512);
  await store.read(small, 2 * MiB);
  t.equal(small.subarray(0, 6).toString(), 'curve!');
});

t.test('many requests in flight at once are matched to their replies', async (t) => {
  const fx = await startNebdFixture(4 * MiB);
  t.teardown(() => fx.cleanup());
  const store = await fx.open();
  // Later requests answered first: the server delays the first ones.
  fx.server.inject({ method: 'Read', delayMs: 60, times: 4 });
  const writes = Array.from({ length: 16 }, (_, i) => store.write(pattern(4096, i), i * 4096, false));
  await Promise.all(writes);
  const reads = Array.from({ length: 16 }, async (_, i) => {
    const b = Buffer.alloc(4096);
    await store.read(b, i * 4096);
    return b;
  });
  const results = await Promise.all(reads);
  results.forEach((b, i) => t.ok(b.equals(pattern(4096, i)), `block ${i}`));
});

t.test('I/O larger than one RPC is split', async (t) => {
  const fx = await startNebdFixture(32 * MiB);
  t.teardown(() => fx.cleanup());
  const store = await fx.open();
  const data = pattern(MAX_REQUEST_BYTES + 3 * 4096, 3);
  await store.write(data, 4096, false);
  t.equal(fx.server.callCount('Write'), 2);
  const back = Buffer.alloc(data.length);
  await store.read(back, 4096);
  t.equal(fx.server.callCount('Read'), 2);
  t.ok(back.equals(data));
});

t.test('flush, FUA and discard', async (t) => {
  const fx = await startNebdFixture(4 * MiB);
  t.teardown(() => fx.cleanup());
  const store = await fx.open();
  await store.flush();
  t.equal(fx.server.callCount('Flush'), 1, 'SYNCHRONIZE CACHE is a Flush');
  await store.write(pattern(4096, 1), 0, true);
  t.equal(fx.server.callCount('Write'), 1);
  t.equal(fx.server.callCount('Flush'), 2, 'a FUA write is a Write then a Flush');

  await store.write(Buffer.alloc(8192, 0xee), 8192, false);
  await store.discard!(8192, 4096);
  t.equal(fx.server.callCount('Discard'), 1);
  t.ok(fileBytes(fx.volumePath, 8192, 4096).every((b) => b === 0), 'the test server zero-fills discarded ranges');
  t.ok(fileBytes(fx.volumePath, 12288, 4096).every((b) => b === 0xee), 'outside the range untouched');
});

t.test('resize grows the volume; refreshSize picks up an external resize', async (t) => {
  const fx = await startNebdFixture(4 * MiB);
  t.teardown(() => fx.cleanup());
  const store = await fx.open();
  await store.resize!(8 * MiB);
  t.equal(store.size, 8 * MiB);
  t.equal(statSync(fx.volumePath).size, 8 * MiB, 'ResizeFile reached the volume');
  await expectStoreError(t, store.resize!(2 * MiB), 'unsupported', 'Curve volumes do not shrink');

  truncateSync(fx.volumePath, 12 * MiB + 100); // like `curve extend` done outside
  t.equal(store.size, 8 * MiB, 'size changes only when asked');
  t.equal(await store.refreshSize!(), 12 * MiB, 'GetInfo size, whole blocks only');
  t.equal(store.size, 12 * MiB);
});

t.test('a declared size larger than the volume grows it; smaller is served as declared', async (t) => {
  const fx = await startNebdFixture(4 * MiB);
  t.teardown(() => fx.cleanup());
  const grown = await fx.open({}, 6 * MiB);
  t.equal(grown.size, 6 * MiB);
  t.equal(statSync(fx.volumePath).size, 6 * MiB);
  await grown.close();
  const smaller = await fx.open({}, 2 * MiB);
  t.equal(smaller.size, 2 * MiB);
});

t.test('nebd kNoOK is a medium error and is not retried', async (t) => {
  const fx = await startNebdFixture(4 * MiB);
  t.teardown(() => fx.cleanup());
  const store = await fx.open();
  fx.server.inject({ method: 'Write', retMsg: 'chunkserver said no' });
  const err = await store.write(pattern(4096, 1), 0, false).then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(err instanceof StoreError, 'a StoreError');
  t.equal((err as StoreError).kind, 'medium');
  t.match((err as StoreError).message, /chunkserver said no/);
  t.match((err as StoreError).message, /cbd:pool\/\/iscsi_test_/, 'says which volume');
  t.equal(fx.server.callCount('Write'), 1, 'not retried');
  fx.server.inject({ method: 'Read', retMsg: 'eio' });
  await expectStoreError(t, store.read(Buffer.alloc(512), 0), 'medium');
});

t.test('close sends CloseFile and later I/O is refused', async (t) => {
  const fx = await startNebdFixture(4 * MiB);
  t.teardown(() => fx.cleanup());
  const store = await fx.open();
  await store.close();
  t.equal(fx.server.callCount('CloseFile'), 1);
  t.same(fx.server.openFiles(), []);
  await expectStoreError(t, store.read(Buffer.alloc(512), 0), 'gone');
});

t.test('opening a volume nebd-server cannot open says what to check', async (t) => {
  const fx = await startNebdFixture(4 * MiB);
  t.teardown(() => fx.cleanup());
  await t.rejects(fx.open({ backing: 'cbd:pool//missing_test_' }), /cannot open Curve volume cbd:pool\/\/missing_test_ through nebd-server at .*no such volume/);
  await t.rejects(
    fx.open({ socket: `${fx.dir}/nope.sock`, retry: { budgetMs: 200 } }),
    /cannot open Curve volume .* nebd-server at .*nope\.sock.*ENOENT/,
  );
});

t.test('read-only LUNs refuse writes without sending them', async (t) => {
  const fx = await startNebdFixture(4 * MiB);
  t.teardown(() => fx.cleanup());
  const store = await fx.provider.open({
    options: { backing: VOLUME, socket: fx.server.socketPath },
    size: 'auto',
    readOnly: true,
    blockSize: 4096,
    baseDir: fx.dir,
    stateDir: fx.dir,
    log: silentLogger,
  });
  t.teardown(() => store.close());
  t.equal(store.capabilities.readOnly, true);
  await expectStoreError(t, store.write(Buffer.alloc(4096), 0, false), 'write-protected');
  t.equal(fx.server.callCount('Write'), 0);
});
