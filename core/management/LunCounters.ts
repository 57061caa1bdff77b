/**
 * Per-LUN I/O counters: operations and bytes read and written, other
 * commands, errors, and a latency histogram with fixed log2 buckets.
 *
 * Updated once per SCSI command from core/scsi's dispatch, so recording is a
 * handful of number additions into preallocated storage: no allocation, no
 * closure, no hook. Reading (snapshot) is the management API's job and may
 * allocate.
 */

/** Bucket i counts commands that took at most 2^i microseconds (Prometheus `le`); the last one is +Inf. */
export const LATENCY_BUCKETS = 26;

/** Upper bounds in microseconds of the finite buckets: 1, 2, 4, ... 2^24 µs (~16.8 s). */
export const LATENCY_BOUNDS_US: readonly number[] = Array.from({ length: LATENCY_BUCKETS - 1 }, (_, i) => 2 ** i);

/** What a command did, as the dispatcher classifies it (by its data direction). */
export const enum IoKind {
  Read = 0,
  Write = 1,
  Other = 2,
}

export interface LatencyHistogram {
  /** Upper bounds (µs, inclusive) of the finite buckets, ascending. */
  readonly boundsUs: readonly number[];
  /** Commands per bucket, not cumulative; one more entry than boundsUs (the +Inf bucket). */
  readonly counts: readonly number[];
  /** Sum of all latencies in microseconds. */
  readonly sumUs: number;
  readonly count: number;
}

export interface LunCounterSnapshot {
  readonly readOps: number;
  readonly readBytes: number;
  readonly writeOps: number;
  readonly writeBytes: number;
  /** Commands that neither read nor wrote data (TEST UNIT READY, SYNCHRONIZE CACHE, ...). */
  readonly otherOps: number;
  /** Commands that ended with a status other than GOOD (or CONDITION MET). */
  readonly errors: number;
  readonly latency: LatencyHistogram;
}

export class LunCounters {
  // Plain number fields: V8 keeps them as unboxed doubles in the object.
  private readOps = 0;
  private readBytes = 0;
  private writeOps = 0;
  private writeBytes = 0;
  private otherOps = 0;
  private errors = 0;
  private latencySumUs = 0;
  private readonly buckets = new Float64Array(LATENCY_BUCKETS);

  /**
   * Record one finished command. `bytes` is the data moved (0 for Other),
   * `latencyUs` the time from dispatch to result, `failed` whether the status
   * was not GOOD.
   */
  record(kind: IoKind, bytes: number, latencyUs: number, failed: boolean): void {
    if (kind === IoKind.Read) {
      this.readOps++;
      this.readBytes += bytes;
    } else if (kind === IoKind.Write) {
      this.writeOps++;
      this.writeBytes += bytes;
    } else {
      this.otherOps++;
    }
    if (failed) this.errors++;
    this.latencySumUs += latencyUs;
    this.buckets[bucketOf(latencyUs)]!++;
  }

  snapshot(): LunCounterSnapshot {
    let count = 0;
    for (let i = 0; i < LATENCY_BUCKETS; i++) count += this.buckets[i]!;
    return {
      readOps: this.readOps,
      readBytes: this.readBytes,
      writeOps: this.writeOps,
      writeBytes: this.writeBytes,
      otherOps: this.otherOps,
      errors: this.errors,
      latency: { boundsUs: LATENCY_BOUNDS_US, counts: Array.from(this.buckets), sumUs: this.latencySumUs, count },
    };
  }
}

/** Index of the bucket for a latency: ceil(log2(µs)), 0 up to 1 µs, capped at +Inf. */
export function bucketOf(latencyUs: number): number {
  if (latencyUs <= 1) return 0;
  if (latencyUs > LATENCY_BOUNDS_US[LATENCY_BUCKETS - 2]!) return LATENCY_BUCKETS - 1;
  // ceil(log2(x)) for x > 1 is the bit length of ceil(x) - 1.
  return 32 - Math.clz32(Math.ceil(latencyUs) - 1);
}

/** An empty snapshot, for LUNs whose unit keeps no counters. */
export function emptyCounterSnapshot(): LunCounterSnapshot {
  return new LunCounters().snapshot();
}
