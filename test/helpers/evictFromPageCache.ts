/**
 * Drops a file's clean pages from the page cache (posix_fadvise DONTNEED,
 * through python3, which has it; Node's fs does not), so a test can read
 * what is on disk rather than in memory. Sync the file first.
 */
import { execFileSync } from 'node:child_process';

export function evictFromPageCache(path: string): void {
  execFileSync('python3', ['-c', 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)', path]);
}
