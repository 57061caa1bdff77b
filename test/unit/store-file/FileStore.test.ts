import t from 'tap';
import { chmod, mkdir, readFile, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { FileStore } from '../../../plugins/store-file/FileStore.js';
import { StoreError } from '../../../core/store/StoreError.js';
import { storeErrorKindOf } from '../../../plugins/store-file/storeErrorKindOf.js';
import { MemoryLogger } from '../../helpers/MemoryLogger.js';
import { evictFromPageCache } from '../../helpers/evictFromPageCache.js';

const MiB = 1024 * 1024;

function opts(path: string, size: number | 'auto', readOnly = false) {
  return { path, size, readOnly, blockSize: 512, log: new MemoryLogger() };
}

t.test('creates an absent file sparse at the declared size, parents included', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'a', 'b', 'disk.img');
  const store = await FileStore.open(opts(path, 64 * MiB));
  t.teardown(() => store.close());
  const st = await stat(path);
  t.equal(st.size, 64 * MiB);
  t.ok(st.blocks * 512 < MiB, `sparse: ${st.blocks} blocks allocated`);
  t.equal(store.size, 64 * MiB);
  // Thin provisioning is on (the sparse-file addon is built and the test file system punches holes).
  t.same(store.capabilities, { discard: true, discardZeroes: true, writeZeroes: true, allocationMap: true, resize: true, readOnly: false, buffersFreeOnSettle: true });
});

t.test('write, read back, FUA, flush', async (t) => {
  const path = join(t.testdir(), 'disk.img');
  const store = await FileStore.open(opts(path, MiB));
  t.teardown(() => store.close());
  const data = Buffer.alloc(4096, 0x5a);
  await store.write(data, 8192, false);
  await store.write(Buffer.alloc(512, 0x11), 0, true);
  await store.flush();
  const back = Buffer.alloc(4096);
  await store.read(back, 8192);
  t.same(back, data);
  const first = Buffer.alloc(512);
  await store.read(first, 0);
  t.equal(first[0], 0x11);
  const untouched = Buffer.alloc(512, 0xff);
  await store.read(untouched, 4096);
  t.ok(untouched.every((b) => b === 0), 'unwritten area reads as zeros');
});

t.test('reads beyond end of file are zero-filled', async (t) => {
  const path = join(t.testdir(), 'disk.img');
  const store = await FileStore.open(opts(path, MiB));
  t.teardown(() => store.close());
  await store.write(Buffer.alloc(1024, 9), MiB - 1024, false);
  // The file is shortened behind the store's back: the last 512 bytes are now beyond EOF.
  await truncate(path, MiB - 512);
  const buf = Buffer.alloc(1024, 0xee);
  await store.read(buf, MiB - 1024);
  t.ok(buf.subarray(0, 512).every((b) => b === 9), 'data before EOF');
  t.ok(buf.subarray(512).every((b) => b === 0), 'zero-filled past EOF');
});

t.test('reads are right whether the data is cached, on disk only, or partly cached', async (t) => {
  const path = join(t.testdir(), 'disk.img');
  const store = await FileStore.open(opts(path, MiB));
  t.teardown(() => store.close());
  const data = Buffer.alloc(32 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 9)) & 0xff;
  await store.write(data, 64 * 1024, true);
  const cached = Buffer.alloc(data.length);
  await store.read(cached, 64 * 1024);
  t.same(cached, data, 'from the page cache');
  evictFromPageCache(path);
  const onDisk = Buffer.alloc(data.length);
  await store.read(onDisk, 64 * 1024);
  t.same(onDisk, data, 'from the disk (through the threadpool)');
  evictFromPageCache(path);
  await store.read(Buffer.alloc(4096), 64 * 1024); // caches the first page only
  const partly = Buffer.alloc(data.length);
  await store.read(partly, 64 * 1024);
  t.same(partly, data, 'first page from the cache, the rest from the disk');
  const large = Buffer.alloc(256 * 1024, 0xee);
  await store.read(large, 0);
  t.same(large.subarray(64 * 1024, 96 * 1024), data, 'a large read (always the threadpool)');
  t.ok(large.subarray(0, 64 * 1024).every((b) => b === 0), 'unwritten part reads zeros');
});

t.test('many writes in flight at once (batched) all land, FUA ones included, in order for overlaps', async (t) => {
  const path = join(t.testdir(), 'disk.img');
  const store = await FileStore.open(opts(path, MiB));
  t.teardown(() => store.close());
  const writes: Promise<void>[] = [];
  for (let i = 0; i < 200; i++) writes.push(store.write(Buffer.alloc(4096, i & 0xff), (i % 100) * 4096, i % 7 === 0));
  await Promise.all(writes);
  const back = await readFile(path);
  for (let i = 0; i < 100; i++) {
    const expected = (i + 100) & 0xff; // the later of the two writes to each block
    if (!back.subarray(i * 4096, (i + 1) * 4096).every((b) => b === expected)) t.fail(`block ${i} is not ${expected}`);
  }
  t.pass('200 concurrent writes read back as the later write of each block');
});

t.test('close waits for the writes in flight, which land', async (t) => {
  const path = join(t.testdir(), 'disk.img');
  const store = await FileStore.open(opts(path, MiB));
  const writes: Promise<void>[] = [];
  for (let i = 0; i < 64; i++) writes.push(store.write(Buffer.alloc(4096, i + 1), i * 4096, false));
  await store.close();
  const results = await Promise.allSettled(writes);
  t.equal(results.filter((r) => r.status === 'fulfilled').length, 64, 'every write acknowledged');
  const back = await readFile(path);
  t.ok(Array.from({ length: 64 }, (_, i) => back[i * 4096] === i + 1).every(Boolean), 'and on disk');
});

t.test('data persists across close and reopen; size auto uses the file size', async (t) => {
  const path = join(t.testdir(), 'disk.img');
  const a = await FileStore.open(opts(path, 2 * MiB));
  await a.write(Buffer.from('hello lunhost'.padEnd(512, '.')), 512, false);
  await a.close();
  const b = await FileStore.open(opts(path, 'auto'));
  t.teardown(() => b.close());
  t.equal(b.size, 2 * MiB);
  const buf = Buffer.alloc(512);
  await b.read(buf, 512);
  t.equal(buf.toString('ascii', 0, 13), 'hello lunhost');
});

t.test('an existing smaller file is grown to the declared size; a larger one is kept and warned about', async (t) => {
  const dir = t.testdir({ small: Buffer.alloc(4096, 1), big: Buffer.alloc(8192, 2) });
  const log = new MemoryLogger();
  const grown = await FileStore.open({ ...opts(join(dir, 'small'), MiB), log });
  t.equal(grown.size, MiB);
  t.equal((await stat(join(dir, 'small'))).size, MiB);
  const keep = Buffer.alloc(4096);
  await grown.read(keep, 0);
  t.ok(keep.every((b) => b === 1), 'data kept');
  await grown.close();
  const big = await FileStore.open({ ...opts(join(dir, 'big'), 4096), log });
  t.equal(big.size, 8192, 'not shrunk');
  t.equal((await stat(join(dir, 'big'))).size, 8192);
  t.match(log.at('warn')[0]?.msg, /larger than the declared size/);
  await big.close();
});

t.test('read-only: opened O_RDONLY, writes refused, nothing created or grown', async (t) => {
  const dir = t.testdir({ disk: Buffer.alloc(8192, 3) });
  const ro = await FileStore.open(opts(join(dir, 'disk'), 'auto', true));
  t.teardown(() => ro.close());
  t.equal(ro.capabilities.readOnly, true);
  t.equal(ro.capabilities.resize, false);
  const err = await ro.write(Buffer.alloc(512), 0, false).catch((e: unknown) => e);
  t.ok(err instanceof StoreError && err.kind === 'write-protected', 'write-protected StoreError');
  t.equal((await readFile(join(dir, 'disk')))[0], 3);
  await t.rejects(FileStore.open(opts(join(dir, 'absent'), MiB, true)), /does not exist and the LUN is read-only/);
  await t.rejects(FileStore.open(opts(join(dir, 'disk'), MiB, true)), /read-only so lunhost will not grow it/);
  await ro.flush(); // no-op, no error
});

t.test('resize grows (and shrinks when asked)', async (t) => {
  const path = join(t.testdir(), 'disk.img');
  const store = await FileStore.open(opts(path, MiB));
  t.teardown(() => store.close());
  await store.resize(4 * MiB);
  t.equal(store.size, 4 * MiB);
  t.equal((await stat(path)).size, 4 * MiB);
  await store.write(Buffer.alloc(512, 4), 3 * MiB, false);
  await store.resize(2 * MiB);
  t.equal(store.size, 2 * MiB);
  t.equal((await stat(path)).size, 2 * MiB);
  t.equal(await store.refreshSize(), 2 * MiB);
});

t.test('bad paths and sizes give errors naming the path and what to do', async (t) => {
  const dir = t.testdir({ sub: {}, file: 'x', empty: '' });
  await t.rejects(FileStore.open(opts(join(dir, 'absent.img'), 'auto')), new RegExp(`${join(dir, 'absent.img')} does not exist and no size is declared; add size:`));
  await t.rejects(FileStore.open(opts(join(dir, 'sub'), MiB)), /is a directory/);
  await t.rejects(FileStore.open(opts(join(dir, 'file', 'under-a-file.img'), MiB)), /a parent of this path is not a directory/);
  await t.rejects(FileStore.open(opts(join(dir, 'empty'), 'auto')), /is empty and no size is declared/);
  await t.rejects(FileStore.open(opts(join(dir, 'x.img'), 1000)), /must be a positive multiple of the block size 512/);
  await t.rejects(FileStore.open(opts('/dev/null', MiB)), /neither a regular file nor a block device/);
});

t.test('permission denied names the path and the fix', { skip: process.getuid?.() === 0 ? 'root ignores file permissions' : false }, async (t) => {
  const dir = t.testdir({ locked: Buffer.alloc(4096) });
  await chmod(join(dir, 'locked'), 0o400);
  await t.rejects(FileStore.open(opts(join(dir, 'locked'), 'auto')), /permission denied opening it for reading and writing; give the lunhost user write access or declare the LUN readOnly: true/);
  const ro = await FileStore.open(opts(join(dir, 'locked'), 'auto', true));
  await ro.close();
  await mkdir(join(dir, 'closed'), { mode: 0o000 });
  await t.rejects(FileStore.open(opts(join(dir, 'closed', 'd.img'), MiB)), /permission denied/);
});

t.test('I/O after close is a StoreError of kind gone', async (t) => {
  const path = join(t.testdir(), 'disk.img');
  const store = await FileStore.open(opts(path, MiB));
  await store.close();
  const err = await store.read(Buffer.alloc(512), 0).catch((e: unknown) => e);
  t.ok(err instanceof StoreError, 'StoreError');
  t.equal((err as StoreError).kind, 'gone');
  t.match((err as Error).message, path);
  const werr = await store.write(Buffer.alloc(512), 0, false).catch((e: unknown) => e);
  t.ok(werr instanceof StoreError, 'a write after close is a StoreError too');
  t.equal((werr as StoreError).kind, 'gone');
  await store.close(); // idempotent
});

t.test('errno codes map to store error kinds', async (t) => {
  t.equal(storeErrorKindOf('ENOSPC', false), 'space-exhausted');
  t.equal(storeErrorKindOf('EDQUOT', false), 'space-exhausted');
  t.equal(storeErrorKindOf('EROFS', false), 'write-protected');
  t.equal(storeErrorKindOf('EACCES', false), 'write-protected');
  t.equal(storeErrorKindOf('EIO', false), 'medium');
  t.equal(storeErrorKindOf(undefined, false), 'medium');
  t.equal(storeErrorKindOf('EIO', true), 'gone', 'after close');
});
