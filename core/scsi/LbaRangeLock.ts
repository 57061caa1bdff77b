/**
 * Per-LBA-range exclusion on one logical unit, so read-compare-write
 * commands (COMPARE AND WRITE, ORWRITE) are atomic against every other
 * write to the same blocks (SBC-3 5.2).
 *
 * Two kinds of holders:
 * - exclusive (COMPARE AND WRITE, ORWRITE): no other holder may overlap;
 * - shared (WRITE, WRITE SAME, UNMAP, ...): may overlap other shared ones.
 *
 * Hot path: while no exclusive holder exists or waits, a write does not
 * register its range at all; it only bumps the `untracked` counter (no
 * allocation). An exclusive request waits until those untracked writes,
 * which started before it, have all finished, and until every earlier
 * overlapping holder has released. Requests are granted in arrival order
 * among overlapping ranges, so a stream of writes cannot starve a
 * COMPARE AND WRITE.
 */

/** One registered holder (or waiter) of [start, end). */
export class LbaRange {
  granted = false;
  /** Called once when granted (only set while the holder waits). */
  grant: (() => void) | null = null;
  constructor(readonly start: number, readonly end: number, readonly exclusive: boolean) {}
}

/** What beginWrite returns for an untracked write (nothing registered). */
export const UNTRACKED = null;

export class LbaRangeLock {
  /** Holders and waiters in arrival order. */
  private readonly entries: LbaRange[] = [];
  /** Exclusive holders and waiters; while > 0 every write registers. */
  private exclusives = 0;
  /** Writes in flight that started while no exclusive existed (not registered). */
  private untracked = 0;

  /** Number of registered holders and waiters (for tests and diagnostics). */
  get size(): number {
    return this.entries.length;
  }

  /**
   * A writer of [lba, lba+blocks) starts. Returns UNTRACKED (synchronously,
   * nothing allocated) on the fast path, or a promise of a granted LbaRange
   * when an exclusive holder exists. Pair with endWrite.
   */
  beginWrite(lba: number, blocks: number): typeof UNTRACKED | Promise<LbaRange> {
    if (this.exclusives === 0) {
      this.untracked++;
      return UNTRACKED;
    }
    return this.acquire(lba, blocks, false);
  }

  endWrite(held: LbaRange | typeof UNTRACKED): void {
    if (held === UNTRACKED) {
      this.untracked--;
      if (this.untracked === 0 && this.exclusives > 0) this.wake();
      return;
    }
    this.release(held);
  }

  /** Exclusive access to [lba, lba+blocks); resolves once granted. Pair with release. */
  acquireExclusive(lba: number, blocks: number): Promise<LbaRange> {
    return this.acquire(lba, blocks, true);
  }

  release(range: LbaRange): void {
    const i = this.entries.indexOf(range);
    if (i < 0) return;
    this.entries.splice(i, 1);
    if (range.exclusive) this.exclusives--;
    this.wake();
  }

  private acquire(lba: number, blocks: number, exclusive: boolean): Promise<LbaRange> {
    // A zero-length range still orders against its LBA.
    const range = new LbaRange(lba, lba + Math.max(blocks, 1), exclusive);
    this.entries.push(range);
    if (exclusive) this.exclusives++;
    if (this.grantable(this.entries.length - 1)) {
      range.granted = true;
      return Promise.resolve(range);
    }
    return new Promise((resolve) => {
      range.grant = () => resolve(range);
    });
  }

  /** Entry i may run: no earlier entry overlaps it in conflict, and (exclusive) no untracked write is left. */
  private grantable(i: number): boolean {
    const r = this.entries[i];
    if (r.exclusive && this.untracked > 0) return false;
    for (let j = 0; j < i; j++) {
      const o = this.entries[j];
      if ((o.exclusive || r.exclusive) && o.start < r.end && r.start < o.end) return false;
    }
    return true;
  }

  private wake(): void {
    for (let i = 0; i < this.entries.length; i++) {
      const r = this.entries[i];
      if (!r.granted && this.grantable(i)) {
        r.granted = true;
        const g = r.grant;
        r.grant = null;
        g?.();
      }
    }
  }
}
