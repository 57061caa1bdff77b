/** The addon really punches holes (blocks freed, zeros read) and finds data and holes. */
import t from 'tap';
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSparseFileNative } from '../../../plugins/store-file/SparseFileNative.js';

const native = loadSparseFileNative();
if (native instanceof Error) throw native;
const dir = mkdtempSync(join(tmpdir(), 'sparse-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const MiB = 1 << 20;

const fd = openSync(join(dir, 'f.img'), 'w+');
t.teardown(() => closeSync(fd));
ftruncateSync(fd, 16 * MiB);

t.test('a fresh sparse file is one hole', async (t) => {
  t.equal(fstatSync(fd).blocks, 0);
  t.equal(await native.seekData(fd, 0), -1, 'no data anywhere');
  t.equal(await native.seekHole(fd, 0), 0);
});

t.test('written data is found, and punching it frees the blocks and reads zeros', async (t) => {
  writeSync(fd, Buffer.alloc(4 * MiB, 0xab), 0, 4 * MiB, 4 * MiB);
  const allocated = fstatSync(fd).blocks * 512;
  t.ok(allocated >= 4 * MiB, `4 MiB allocated (${allocated})`);
  t.equal(await native.seekData(fd, 0), 4 * MiB);
  t.equal(await native.seekHole(fd, 4 * MiB), 8 * MiB);
  await native.punchHole(fd, 5 * MiB, 2 * MiB);
  t.equal(fstatSync(fd).blocks * 512, allocated - 2 * MiB, 'exactly 2 MiB freed');
  const back = Buffer.alloc(3 * MiB);
  readSync(fd, back, 0, back.length, 4 * MiB);
  t.equal(back[0], 0xab);
  t.ok(back.subarray(MiB, 3 * MiB).every((b) => b === 0), 'punched range reads zeros');
  t.equal(await native.seekHole(fd, 4 * MiB), 5 * MiB);
  t.equal(await native.seekData(fd, 5 * MiB), 7 * MiB);
  t.equal(fstatSync(fd).size, 16 * MiB, 'size kept');
});

t.test('zeroRange zeroes without a buffer', async (t) => {
  await native.zeroRange(fd, 4 * MiB, MiB);
  const back = Buffer.alloc(MiB, 1);
  readSync(fd, back, 0, back.length, 4 * MiB);
  t.ok(back.every((b) => b === 0));
});

t.test('bad arguments throw, a bad fd rejects with errno', async (t) => {
  t.throws(() => native.punchHole(-1 as number, 0, 1), /non-negative integers/);
  const err = await native.seekData(987654, 0).then(() => null, (e: unknown) => e as { errno: number });
  t.equal(err?.errno, 9, 'EBADF');
});
