/** LbaRangeLock: writes run untracked until an exclusive holder exists; exclusives exclude overlapping ranges in order. */
import t from 'tap';
import { LbaRangeLock, UNTRACKED } from '../../../core/scsi/LbaRangeLock.js';

const tick = () => new Promise((r) => setImmediate(r));

t.test('without exclusive holders, writes register nothing', async (t) => {
  const lock = new LbaRangeLock();
  const a = lock.beginWrite(0, 8);
  const b = lock.beginWrite(0, 8);
  t.equal(a, UNTRACKED);
  t.equal(b, UNTRACKED);
  t.equal(lock.size, 0);
  lock.endWrite(UNTRACKED);
  lock.endWrite(UNTRACKED);
});

t.test('an exclusive waits for untracked writes that started before it', async (t) => {
  const lock = new LbaRangeLock();
  t.equal(lock.beginWrite(100, 1), UNTRACKED); // elsewhere, but started before: it is not known where
  let granted = false;
  const x = lock.acquireExclusive(0, 8).then((r) => { granted = true; return r; });
  await tick();
  t.notOk(granted);
  lock.endWrite(UNTRACKED);
  const held = await x;
  t.ok(granted);
  lock.release(held);
  t.equal(lock.size, 0);
});

t.test('while an exclusive exists, overlapping writes wait and others run', async (t) => {
  const lock = new LbaRangeLock();
  const x = await lock.acquireExclusive(10, 5);
  const over = lock.beginWrite(14, 2);
  const apart = lock.beginWrite(15, 2);
  t.not(over, UNTRACKED);
  let overGranted = false;
  (over as Promise<unknown>).then(() => { overGranted = true; });
  const apartHeld = await apart;
  t.ok(apartHeld, 'a non-overlapping write is granted at once');
  await tick();
  t.notOk(overGranted, 'the overlapping write waits');
  lock.release(x);
  const overHeld = await over;
  t.ok(overGranted);
  lock.endWrite(overHeld);
  lock.endWrite(apartHeld);
  t.equal(lock.size, 0);
  t.equal(lock.beginWrite(0, 1), UNTRACKED, 'back to the fast path');
});

t.test('overlapping exclusives run one after the other, in arrival order; a later write cannot overtake a waiting exclusive', async (t) => {
  const lock = new LbaRangeLock();
  const order: string[] = [];
  const first = await lock.acquireExclusive(0, 4);
  const second = lock.acquireExclusive(2, 4).then((r) => { order.push('second'); return r; });
  const write = (lock.beginWrite(5, 1) as Promise<never>).then((r) => { order.push('write'); return r; });
  await tick();
  t.same(order, []);
  lock.release(first);
  const s = await second;
  await tick();
  t.same(order, ['second'], 'the write overlapping the waiting exclusive waits for it');
  lock.release(s);
  lock.endWrite(await write);
  t.same(order, ['second', 'write']);
  t.equal(lock.size, 0);
});
