/**
 * The interface between core/scsi and a backing-store plugin.
 *
 * A store knows nothing of SCSI: it sees byte offsets and lengths, always
 * multiples of the LUN's block size and always inside `size`. core/scsi checks
 * ranges, emulates what a store lacks (WRITE SAME as writes, COMPARE AND WRITE
 * as read-compare-write) and advertises only what `capabilities` declares.
 *
 * Hot path rule: read/write/flush are called once per SCSI command; an
 * implementation must not log, call hooks or allocate per call beyond what
 * the I/O needs.
 */
export interface StoreCapabilities {
  /** discard() really deallocates (thin provisioning: UNMAP, WRITE SAME with UNMAP). */
  readonly discard: boolean;
  /** Deallocated blocks read back as zeros (READ CAPACITY 16 LBPRZ). */
  readonly discardZeroes: boolean;
  /** writeZeroes() is cheaper than writing a zero buffer. */
  readonly writeZeroes: boolean;
  /** getAllocation() reports the real mapped/deallocated state (GET LBA STATUS). */
  readonly allocationMap: boolean;
  /** resize() can change the size of the backing object in place. */
  readonly resize: boolean;
  /** Writes are refused by the store itself (a snapshot, a read-only file). */
  readonly readOnly: boolean;
  /** writeAtomic() is offered: all-or-nothing writes, also across a crash (WRITE ATOMIC(16)). Absent = false. */
  readonly atomicWrite?: boolean;
  /**
   * read() and write() hold no reference to `dst` / `src` once their promise
   * has settled (fulfilled or rejected): nothing of theirs still reads or
   * fills the buffer, in this process or a worker. The caller may then reuse
   * it at once (core/buffers/DataBufferPool). Absent = false: such buffers are
   * left to the garbage collector instead.
   */
  readonly buffersFreeOnSettle?: boolean;
}

export interface AllocationExtent {
  /** Byte offset of the extent. */
  readonly offset: number;
  /** Byte length of the extent. */
  readonly length: number;
  /** true: data is stored; false: deallocated (reads as zeros when discardZeroes). */
  readonly mapped: boolean;
}

export interface BackingStore {
  readonly capabilities: StoreCapabilities;
  /** Current size in bytes. Changes only through resize() or refreshSize(). */
  readonly size: number;

  /** Fill `dst` completely with the bytes at `offset`. */
  read(dst: Buffer, offset: number): Promise<void>;
  /** Write all of `src` at `offset`; with `fua` the data is on stable storage when this resolves. */
  write(src: Buffer, offset: number, fua: boolean): Promise<void>;
  /** Make every acknowledged write durable (SYNCHRONIZE CACHE). */
  flush(): Promise<void>;

  /**
   * Write all of `src` at `offset` or none of it, also across a crash or a
   * power loss: after a restart a read sees either the old or the new bytes
   * of the whole range, never a mix (only called when capabilities.atomicWrite).
   * On success the data is on stable storage (as with `fua`).
   */
  writeAtomic?(src: Buffer, offset: number, fua: boolean): Promise<void>;

  /** Deallocate a byte range (only called when capabilities.discard). */
  discard?(offset: number, length: number): Promise<void>;
  /** Zero a byte range without sending a buffer (only called when capabilities.writeZeroes). */
  writeZeroes?(offset: number, length: number): Promise<void>;
  /** Mapped/deallocated extents covering [offset, offset+length), in order, without gaps. */
  getAllocation?(offset: number, length: number): Promise<AllocationExtent[]>;
  /** Grow (or, when the caller allowed it, shrink) the backing object to `newSize` bytes. */
  resize?(newSize: number): Promise<void>;
  /** Re-read the size of an externally managed object (size: auto); returns the new size. */
  refreshSize?(): Promise<number>;

  /** Flush and release everything (locks, sockets, descriptors). Called once. */
  close(): Promise<void>;
}
