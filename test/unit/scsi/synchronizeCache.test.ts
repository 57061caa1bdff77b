import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { ScsiTargetFixture, cdb, senseOf } from '../../helpers/ScsiTargetFixture.js';

t.test('SYNCHRONIZE CACHE(10) flushes the store', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(cdb(0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  t.equal(r.status, ScsiStatus.Good);
  t.equal(f.store.flushes, 1);
});

t.test('SYNCHRONIZE CACHE(16) with a range inside the medium flushes', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(cdb(0x91, 0, 0, 0, 0, 0, 0, 0, 0x03, 0x00, 0, 0, 0, 0xff));
  t.equal(r.status, ScsiStatus.Good);
  t.equal(f.store.flushes, 1);
});

t.test('range beyond the medium: LBA OUT OF RANGE without flushing', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r10 = await f.run(cdb(0x35, 0, 0, 0, 0x04, 0x00, 0, 0, 0, 0)); // LBA 1024 of 1024 blocks, "to the end"
  t.same(senseOf(r10), { key: 0x05, asc: 0x21, ascq: 0x00 });
  const span = await f.run(cdb(0x35, 0, 0, 0, 0x03, 0xff, 0, 0, 2, 0)); // last LBA + 2 blocks
  t.same(senseOf(span), { key: 0x05, asc: 0x21, ascq: 0x00 });
  const r16 = await f.run(cdb(0x91, 0, 0, 0, 0, 0, 0, 0, 0x03, 0xff, 0, 0, 0, 2));
  t.same(senseOf(r16), { key: 0x05, asc: 0x21, ascq: 0x00 });
  t.equal(f.store.flushes, 0);
});

t.test('a failing flush: medium → WRITE ERROR, not-ready → NOT READY', async (t) => {
  const f = await ScsiTargetFixture.create();
  f.store.failNext('flush', 'medium');
  t.same(senseOf(await f.run(cdb(0x35))), { key: 0x03, asc: 0x0c, ascq: 0x00 });
  f.store.failNext('flush', 'not-ready');
  t.same(senseOf(await f.run(cdb(0x91))), { key: 0x02, asc: 0x04, ascq: 0x01 });
});
