/**
 * Pending unit attention conditions of one I_T nexus on one logical unit
 * (SPC-4 5.14). Reported oldest first, one per command; a condition already
 * pending is not queued twice.
 */
import type { SenseCode } from './SenseCodes.js';

/** Enough for every distinct condition core/scsi raises; older ones are kept, newer duplicates dropped. */
const MAX_PENDING = 16;

export class UnitAttentionQueue {
  private readonly pending: SenseCode[] = [];

  get size(): number {
    return this.pending.length;
  }

  add(code: SenseCode): void {
    for (const p of this.pending) if (p === code) return;
    if (this.pending.length < MAX_PENDING) this.pending.push(code);
  }

  /** Removes and returns the oldest condition, or undefined. */
  take(): SenseCode | undefined {
    return this.pending.length === 0 ? undefined : this.pending.shift();
  }

  /** Drops `code` if pending (REPORT LUNS clears REPORTED LUNS DATA HAS CHANGED). */
  remove(code: SenseCode): void {
    const i = this.pending.indexOf(code);
    if (i >= 0) this.pending.splice(i, 1);
  }

  clear(): void {
    this.pending.length = 0;
  }
}
