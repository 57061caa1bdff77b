/**
 * The batched write of the store-file addon (./native/src/write_batch.c):
 * several pwrite()s to one descriptor as one threadpool job, in order.
 */
import { loadNativeAddon } from './loadNativeAddon.js';

export interface WriteBatchNative {
  /**
   * Writes every buffer whole at its position, in order. Resolves with null
   * when all succeeded, else with one errno per buffer (0 = written).
   */
  writeBatch(fd: number, buffers: Buffer[], positions: number[]): Promise<number[] | null>;
}

/** The addon, or null when it is not built (FileStore then writes one fs.write at a time). */
export function loadWriteBatchNative(): WriteBatchNative | null {
  const addon = loadNativeAddon<WriteBatchNative>('store_file');
  return addon instanceof Error ? null : addon;
}
