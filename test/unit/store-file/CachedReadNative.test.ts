/** The cached-read addon reads what the page cache holds and answers -EAGAIN, at once, for what it does not. */
import t from 'tap';
import { closeSync, fdatasyncSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCachedReadNative } from '../../../plugins/store-file/CachedReadNative.js';
import { evictFromPageCache } from '../../helpers/evictFromPageCache.js';

const native = loadCachedReadNative();
if (native === null) throw new Error('the cached_read addon is not built');
const dir = mkdtempSync(join(tmpdir(), 'cached-read-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const path = join(dir, 'f.img');
const fd = openSync(path, 'w+');
t.teardown(() => closeSync(fd));
ftruncateSync(fd, 1 << 20);

t.test('just-written data is read whole, at the buffer offset asked', async (t) => {
  writeSync(fd, Buffer.alloc(8192, 0x5a), 0, 8192, 4096);
  const dst = Buffer.alloc(8192 + 16, 0xee);
  t.equal(native.readCached(fd, dst, 16, 8192, 4096), 8192);
  t.equal(dst[15], 0xee, 'bytes before the offset untouched');
  t.ok(dst.subarray(16).every((b) => b === 0x5a));
});

t.test('end of file reads 0 bytes; a read running past it is short', async (t) => {
  const dst = Buffer.alloc(8192);
  t.equal(native.readCached(fd, dst, 0, 4096, 1 << 20), 0);
  writeSync(fd, Buffer.alloc(4096, 1), 0, 4096, (1 << 20) - 4096);
  t.equal(native.readCached(fd, dst, 0, 8192, (1 << 20) - 4096), 4096);
});

t.test('data that is only on disk is not read: -EAGAIN', async (t) => {
  writeSync(fd, Buffer.alloc(65536, 9), 0, 65536, 131072);
  fdatasyncSync(fd);
  evictFromPageCache(path);
  const dst = Buffer.alloc(4096, 0xee);
  t.equal(native.readCached(fd, dst, 0, 4096, 131072), -constants.errno.EAGAIN);
  t.equal(dst[0], 0xee, 'nothing copied');
});

t.test('a bad descriptor is a negative errno; bad arguments throw', async (t) => {
  t.equal(native.readCached(987654, Buffer.alloc(512), 0, 512, 0), -constants.errno.EBADF);
  t.throws(() => native.readCached(fd, Buffer.alloc(512), 256, 512, 0), /within the buffer/);
  t.throws(() => native.readCached(fd, 'x' as unknown as Buffer, 0, 1, 0), /within the buffer/);
  t.throws(() => native.readCached(fd, Buffer.alloc(512), 0, 512, -1), /within the buffer/);
});
