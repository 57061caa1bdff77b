/**
 * The sparse-file calls of the store-file addon (./native/src/sparse_file.c): hole
 * punching and data/hole seeking, which Node's fs lacks. All calls run on
 * the libuv threadpool.
 */
import { loadNativeAddon } from './loadNativeAddon.js';

export interface SparseFileNative {
  /** Deallocate [offset, offset+length); the file size is kept; the range reads as zeros. */
  punchHole(fd: number, offset: number, length: number): Promise<void>;
  /** Zero [offset, offset+length) without writing data (may allocate unwritten extents). */
  zeroRange(fd: number, offset: number, length: number): Promise<void>;
  /** Offset of the first data at or after `offset`, or -1 when only a hole follows. */
  seekData(fd: number, offset: number): Promise<number>;
  /** Offset of the first hole at or after `offset` (EOF counts as a hole), or -1 past EOF. */
  seekHole(fd: number, offset: number): Promise<number>;
}

/** The addon, or an Error saying why it is unavailable (e.g. not built). */
export function loadSparseFileNative(): SparseFileNative | Error {
  return loadNativeAddon<SparseFileNative>('store_file');
}
