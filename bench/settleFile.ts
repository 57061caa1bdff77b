/**
 * Puts a daemon's backing file in the same state before every sample: its
 * dirty pages written back (fdatasync) and all of it read into the page
 * cache. These machines reclaim page cache within seconds to minutes, and a
 * workload also inherits the writeback of the one before it; without this,
 * which daemon's file happened to be cached or being written back decided
 * the 1 MiB workloads (ratios of 0.6x and 1.6x for the same build within one
 * run). Both daemons' files get the same treatment.
 */
import { closeSync, fdatasyncSync, openSync, readSync } from 'node:fs';

const CHUNK = 4 << 20;

export function settleFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fdatasyncSync(fd);
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let pos = 0; ; pos += CHUNK) {
      if (readSync(fd, buf, 0, CHUNK, pos) === 0) break;
    }
  } finally {
    closeSync(fd);
  }
}
