/** The file store's write queue: one batch in flight, later writes leave together, in order; FUA waits for a sync. */
import t from 'tap';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WriteQueue, writeEachWithFs, type WriteBatch } from '../../../plugins/store-file/WriteQueue.js';

interface Call { buffers: Buffer[]; positions: number[]; finish(result: number[] | null): void; fail(err: Error): void }

/** A WriteBatch that records each batch and finishes it when the test says. */
function controlledBatch(): { calls: Call[]; batch: WriteBatch } {
  const calls: Call[] = [];
  const batch: WriteBatch = (_fd, buffers, positions) => new Promise((finish, fail) => { calls.push({ buffers, positions, finish, fail }); });
  return { calls, batch };
}

const errorOf = (cause: number | Error, offset: number, length: number): Error =>
  new Error(`failed ${typeof cause === 'number' ? `errno ${cause}` : cause.message} at ${offset}+${length}`);

/** Settles `p` into a readable state without awaiting it. */
function watch(p: Promise<void>): { state: string } {
  const s = { state: 'pending' };
  p.then(() => { s.state = 'resolved'; }, (e: Error) => { s.state = `rejected: ${e.message}`; });
  return s;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const dir = mkdtempSync(join(tmpdir(), 'write-queue-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const fd = openSync(join(dir, 'f.img'), 'w+');
t.teardown(() => closeSync(fd));

t.test('a lone write leaves at once; writes made meanwhile leave together, in order', async (t) => {
  const { calls, batch } = controlledBatch();
  const q = new WriteQueue(() => fd, batch, errorOf);
  const a = watch(q.write(Buffer.alloc(1, 1), 0, false));
  t.equal(calls.length, 1, 'first write sent at once');
  const b = watch(q.write(Buffer.alloc(1, 2), 512, false));
  const c = watch(q.write(Buffer.alloc(1, 3), 1024, false));
  t.equal(calls.length, 1, 'nothing more sent while a batch is in flight');
  await tick();
  t.equal(a.state, 'pending', 'not acknowledged before its batch returned');
  calls[0]!.finish(null);
  await tick();
  t.equal(a.state, 'resolved');
  t.equal(b.state, 'pending');
  t.equal(calls.length, 2, 'the waiting writes left as one batch');
  t.same(calls[1]!.positions, [512, 1024], 'in arrival order');
  t.same(calls[1]!.buffers.map((x) => x[0]), [2, 3]);
  calls[1]!.finish(null);
  await tick();
  t.same([b.state, c.state], ['resolved', 'resolved']);
  await q.idle();
});

t.test('a failed write is rejected alone; a batch that throws fails all its writes and the queue goes on', async (t) => {
  const { calls, batch } = controlledBatch();
  const q = new WriteQueue(() => fd, batch, errorOf);
  const a = watch(q.write(Buffer.alloc(8), 0, false));
  const b = watch(q.write(Buffer.alloc(8), 8, false));
  const c = watch(q.write(Buffer.alloc(8), 16, false));
  calls[0]!.finish(null);
  await tick();
  calls[1]!.finish([0, 28]);
  await tick();
  t.same([a.state, b.state, c.state], ['resolved', 'resolved', 'rejected: failed errno 28 at 16+8']);
  const d = watch(q.write(Buffer.alloc(4), 32, false));
  calls[2]!.fail(new Error('EBADF'));
  await tick();
  t.equal(d.state, 'rejected: failed EBADF at 32+4');
  const e = watch(q.write(Buffer.alloc(4), 36, false));
  t.equal(calls.length, 4, 'a later write is still sent');
  calls[3]!.finish(null);
  await tick();
  t.equal(e.state, 'resolved');
});

t.test('a batch function that throws synchronously rejects the batch', async (t) => {
  const q = new WriteQueue(() => fd, () => { throw new Error('closed'); }, errorOf);
  await t.rejects(q.write(Buffer.alloc(1), 0, false), /failed closed at 0\+1/);
  await q.idle();
});

t.test('FUA writes wait for an fdatasync after their batch; its failure fails only them', async (t) => {
  const { calls, batch } = controlledBatch();
  let syncFd = fd;
  const q = new WriteQueue(() => syncFd, batch, errorOf);
  const plain = watch(q.write(Buffer.alloc(1), 0, false));
  calls[0]!.finish(null);
  await tick();
  const fua1 = watch(q.write(Buffer.alloc(1), 0, true));
  const plain2 = watch(q.write(Buffer.alloc(1), 1, false));
  t.equal(calls[1]!.buffers.length, 1, 'the FUA write left alone; the next one waits');
  calls[1]!.finish(null);
  await tick();
  calls[2]!.finish(null);
  await q.idle();
  t.same([plain.state, fua1.state, plain2.state], ['resolved', 'resolved', 'resolved']);
  syncFd = 987654; // the sync fails on this descriptor
  const fua2 = watch(q.write(Buffer.alloc(1), 0, true));
  const plain3 = watch(q.write(Buffer.alloc(1), 1, false));
  calls[3]!.finish(null);
  await tick();
  calls[4]!.finish(null);
  await q.idle();
  t.match(fua2.state, /^rejected: failed EBADF/);
  t.equal(plain3.state, 'resolved');
});

t.test('idle() waits for the batch in flight', async (t) => {
  const { calls, batch } = controlledBatch();
  const q = new WriteQueue(() => fd, batch, errorOf);
  void q.write(Buffer.alloc(1), 0, false);
  let idle = false;
  void q.idle().then(() => { idle = true; });
  await tick();
  t.equal(idle, false);
  calls[0]!.finish(null);
  await tick();
  t.equal(idle, true);
});

t.test('the fs fallback writes every buffer and reports errno per write', async (t) => {
  const path = join(dir, 'fallback.img');
  const w = openSync(path, 'w+');
  t.teardown(() => closeSync(w));
  t.equal(await writeEachWithFs(w, [Buffer.alloc(4, 1), Buffer.alloc(4, 2)], [0, 2]), null);
  t.same([...readFileSync(path)], [1, 1, 2, 2, 2, 2]);
  const ro = openSync(path, 'r');
  t.teardown(() => closeSync(ro));
  const result = await writeEachWithFs(ro, [Buffer.alloc(1)], [0]);
  t.same(result, [9], 'EBADF');
});
