/**
 * A quantile of a log2 latency histogram: the upper bound of the bucket the
 * q-th command falls in (so "p99 ≤ 4ms"), which is all the resolution the
 * buckets have. null when nothing was counted; Infinity in the +Inf bucket.
 */
import type { LatencyHistogram } from './LunCounters.js';

export function latencyQuantile(h: LatencyHistogram, q: number): number | null {
  if (h.count === 0) return null;
  const rank = Math.max(1, Math.ceil(q * h.count));
  let seen = 0;
  for (let i = 0; i < h.counts.length; i++) {
    seen += h.counts[i]!;
    if (seen >= rank) return i < h.boundsUs.length ? h.boundsUs[i]! : Infinity;
  }
  return Infinity;
}
