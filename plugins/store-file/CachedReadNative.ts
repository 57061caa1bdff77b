/**
 * The cached read of the store-file addon (./native/src/cached_read.c):
 * preadv2 with RWF_NOWAIT on the calling thread, which reads only what the
 * page cache holds and never waits for the disk.
 */
import { loadNativeAddon } from './loadNativeAddon.js';

export interface CachedReadNative {
  /**
   * Reads up to `length` bytes at `position` into `buffer[at…]` from the page
   * cache only. Returns the bytes read (fewer when only part is cached; 0 at
   * end of file) or a negative errno: -EAGAIN when nothing is cached,
   * -EOPNOTSUPP where the file system or kernel lacks RWF_NOWAIT.
   */
  readCached(fd: number, buffer: Buffer, at: number, length: number, position: number): number;
}

/** The addon, or null when it is not built (reads then always use the threadpool). */
export function loadCachedReadNative(): CachedReadNative | null {
  const addon = loadNativeAddon<CachedReadNative>('store_file');
  return addon instanceof Error ? null : addon;
}
