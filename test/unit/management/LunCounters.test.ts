import t from 'tap';
import { bucketOf, IoKind, LATENCY_BOUNDS_US, LATENCY_BUCKETS, LunCounters } from '../../../core/management/LunCounters.js';
import { latencyQuantile } from '../../../core/management/latencyQuantile.js';

t.test('bucketOf: bucket i holds latencies up to 2^i µs (inclusive)', async (t) => {
  t.equal(bucketOf(0), 0);
  t.equal(bucketOf(0.4), 0);
  t.equal(bucketOf(1), 0);
  t.equal(bucketOf(1.01), 1);
  t.equal(bucketOf(2), 1);
  t.equal(bucketOf(3), 2);
  t.equal(bucketOf(4), 2);
  t.equal(bucketOf(4.5), 3);
  t.equal(bucketOf(1000), 10, '1 ms ≤ 1024 µs');
  t.equal(bucketOf(1025), 11);
  const last = LATENCY_BOUNDS_US[LATENCY_BOUNDS_US.length - 1]!;
  t.equal(bucketOf(last), LATENCY_BUCKETS - 2, 'the largest finite bound is inside');
  t.equal(bucketOf(last + 1), LATENCY_BUCKETS - 1, 'beyond it: +Inf');
  t.equal(bucketOf(1e12), LATENCY_BUCKETS - 1);
  for (let i = 0; i < LATENCY_BOUNDS_US.length; i++) {
    t.ok(bucketOf(LATENCY_BOUNDS_US[i]!) === i, `bound ${LATENCY_BOUNDS_US[i]} in bucket ${i}`);
  }
});

t.test('record counts ops, bytes, errors and latency by kind', async (t) => {
  const c = new LunCounters();
  c.record(IoKind.Read, 4096, 100, false);
  c.record(IoKind.Read, 512, 3, false);
  c.record(IoKind.Write, 65536, 2000, false);
  c.record(IoKind.Write, 0, 50, true);
  c.record(IoKind.Other, 0, 1, false);
  const s = c.snapshot();
  t.equal(s.readOps, 2);
  t.equal(s.readBytes, 4608);
  t.equal(s.writeOps, 2);
  t.equal(s.writeBytes, 65536);
  t.equal(s.otherOps, 1);
  t.equal(s.errors, 1);
  t.equal(s.latency.count, 5);
  t.equal(s.latency.sumUs, 2154);
  t.equal(s.latency.counts.length, LATENCY_BUCKETS);
  t.equal(s.latency.counts[bucketOf(100)], 1);
  t.equal(s.latency.counts[bucketOf(2000)], 1);
  t.equal(s.latency.counts.reduce((a, b) => a + b, 0), 5);
});

t.test('a snapshot is a copy: later records do not change it', async (t) => {
  const c = new LunCounters();
  c.record(IoKind.Read, 512, 10, false);
  const s = c.snapshot();
  c.record(IoKind.Read, 512, 10, false);
  t.equal(s.readOps, 1);
  t.equal(s.latency.count, 1);
  t.equal(c.snapshot().readOps, 2);
});

t.test('latencyQuantile returns the upper bound of the bucket holding the quantile', async (t) => {
  const c = new LunCounters();
  t.equal(latencyQuantile(c.snapshot().latency, 0.5), null, 'nothing counted');
  for (let i = 0; i < 98; i++) c.record(IoKind.Read, 512, 100, false); // ≤ 128 µs
  c.record(IoKind.Read, 512, 5000, false); // ≤ 8192 µs
  c.record(IoKind.Read, 512, 1e9, false); // +Inf
  const h = c.snapshot().latency;
  t.equal(latencyQuantile(h, 0.5), 128);
  t.equal(latencyQuantile(h, 0.99), 8192);
  t.equal(latencyQuantile(h, 1), Infinity);
});
