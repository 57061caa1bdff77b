/** The write-batch addon writes every buffer at its position, in order, and reports errors per write. */
import t from 'tap';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWriteBatchNative } from '../../../plugins/store-file/WriteBatchNative.js';

const native = loadWriteBatchNative();
if (native === null) throw new Error('the write_batch addon is not built');
const dir = mkdtempSync(join(tmpdir(), 'write-batch-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('buffers land at their positions; a later write of the batch wins an overlap', async (t) => {
  const path = join(dir, 'a.img');
  const fd = openSync(path, 'w+');
  t.teardown(() => closeSync(fd));
  ftruncateSync(fd, 64 * 1024);
  const chunk = Buffer.alloc(16 * 1024, 3);
  const result = await native.writeBatch(fd, [
    Buffer.alloc(4096, 1), Buffer.alloc(4096, 2), chunk.subarray(4096, 8192), Buffer.alloc(512, 4), Buffer.alloc(0),
  ], [0, 8192, 20480, 8192, 0]);
  t.equal(result, null, 'all written');
  const back = readFileSync(path);
  t.ok(back.subarray(0, 4096).every((b) => b === 1));
  t.ok(back.subarray(4096, 8192).every((b) => b === 0), 'gap untouched');
  t.ok(back.subarray(8192, 8704).every((b) => b === 4), 'the later overlapping write is on top');
  t.ok(back.subarray(8704, 12288).every((b) => b === 2));
  t.ok(back.subarray(20480, 24576).every((b) => b === 3), 'a view of a larger buffer writes just the view');
});

t.test('errors come back per write, as errno', async (t) => {
  const path = join(dir, 'b.img');
  closeSync(openSync(path, 'w'));
  const ro = openSync(path, 'r');
  t.teardown(() => closeSync(ro));
  t.same(await native.writeBatch(ro, [Buffer.alloc(512), Buffer.alloc(512)], [0, 512]), [constants.errno.EBADF, constants.errno.EBADF]);
  const fd = openSync(path, 'r+');
  t.teardown(() => closeSync(fd));
  // A position past the largest file offset fails (EFBIG or EINVAL) while the good write beside it lands.
  const result = await native.writeBatch(fd, [Buffer.alloc(512, 7), Buffer.alloc(512)], [0, 2 ** 62]);
  t.ok(Array.isArray(result) && result[0] === 0 && result[1]! > 0, `per-write result ${JSON.stringify(result)}`);
  t.equal(readFileSync(path)[0], 7);
});

t.test('bad arguments throw', async (t) => {
  t.throws(() => native.writeBatch(1, [Buffer.alloc(1)], []), /one position per buffer/);
  t.throws(() => native.writeBatch(1, [], []), /one position per buffer/);
  t.throws(() => native.writeBatch(-1, [Buffer.alloc(1)], [0]), /one position per buffer/);
  t.throws(() => native.writeBatch(1, ['x' as unknown as Buffer], [0]), /every buffer to be a Buffer/);
  t.throws(() => native.writeBatch(1, [Buffer.alloc(1)], [-5]), /non-negative integer/);
});
