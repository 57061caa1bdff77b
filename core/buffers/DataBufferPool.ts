/**
 * Reusable buffers for large data transfers: READ data and WRITE Data-Out.
 *
 * Why: a fresh 1 MiB Buffer per command is 256 page faults, and V8 counts it
 * as external memory, so at 1 GB/s it starts a full mark-compact GC several
 * times a second (perf showed 40% of the daemon's CPU in V8's marker and
 * sweeper on 1 MiB sequential reads). At 4 KiB the cost is a malloc and a
 * free per command, 100,000 times a second at depth. Buffers from 4 KiB to
 * 16 MiB come from power-of-two slabs that are kept and reused; smaller ones
 * are ordinary Buffers (Node slices those from its own pool).
 *
 * Ownership: whoever holds a buffer from acquire() passes it on with the
 * data; the last holder calls release() once nothing can read or write it
 * any more. The hand-overs are part of the contracts:
 * - ScsiCommand.dataOut passes from the transport to core/scsi, which
 *   releases it after a store that declares buffersFreeOnSettle settled
 *   the write; otherwise it is simply garbage collected.
 * - ScsiResult.dataIn passes from core/scsi to the transport, which releases
 *   it once the socket has taken all of it.
 * A buffer never released is garbage collected like any other (its slab is
 * not reused, nothing leaks). release() of a buffer this pool did not issue,
 * or a second release() before it was issued again, does nothing. Releasing
 * a buffer that is still in use is the one thing that must never happen:
 * another command would get the same memory.
 */

const MIN_POOLED = 4 * 1024;
const MAX_POOLED = 16 * 1024 * 1024;

export class DataBufferPool {
  /** Idle slabs by size class (index = log2(size) - log2(MIN_POOLED)). */
  private readonly idle: ArrayBuffer[][] = [];
  /** Every slab this pool issued: true while in use. */
  private readonly issued = new WeakMap<ArrayBuffer, boolean>();
  private idleBytes = 0;

  /** `maxIdleBytes`: idle slabs beyond this are left to the GC (bounds the memory kept for reuse). */
  constructor(private readonly maxIdleBytes: number) {
    for (let size = MIN_POOLED; size <= MAX_POOLED; size *= 2) this.idle.push([]);
  }

  /** A Buffer of exactly `length` bytes, uninitialised (the caller fills all of it). */
  acquire(length: number): Buffer {
    if (length < MIN_POOLED || length > MAX_POOLED) return Buffer.allocUnsafe(length);
    const cls = sizeClass(length);
    let slab = this.idle[cls]!.pop();
    if (slab !== undefined) this.idleBytes -= slab.byteLength;
    else slab = new ArrayBuffer(MIN_POOLED << cls);
    this.issued.set(slab, true);
    return Buffer.from(slab, 0, length);
  }

  /** Gives `buf` (or any view of its slab) back for reuse. */
  release(buf: Buffer): void {
    const slab = buf.buffer;
    if (this.issued.get(slab as ArrayBuffer) !== true) return; // not ours, or already released
    this.issued.set(slab as ArrayBuffer, false);
    if (this.idleBytes + slab.byteLength > this.maxIdleBytes) return;
    this.idleBytes += slab.byteLength;
    this.idle[sizeClass(slab.byteLength)]!.push(slab as ArrayBuffer);
  }

  /** Bytes held idle for reuse (for tests and the management API). */
  get idleByteCount(): number {
    return this.idleBytes;
  }
}

/** Index of the smallest power-of-two class of at least `length` bytes (length ≥ MIN_POOLED). */
function sizeClass(length: number): number {
  return Math.max(0, Math.ceil(Math.log2(length)) - Math.log2(MIN_POOLED));
}

/** The daemon's pool: 64 MiB kept idle at most (64 buffers of 1 MiB, enough for depth 32 on two sessions). */
export const dataBuffers = new DataBufferPool(64 * 1024 * 1024);
