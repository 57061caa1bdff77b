/**
 * Typed access to the small N-API addon in ./native (built by `npm ci`'s
 * install script): hole punching and data/hole seeking, which Node's fs lacks.
 * All calls run on the libuv threadpool.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

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

// dist/plugins/store-file/SparseFileNative.js → plugins/store-file/native/build/Release
const here = fileURLToPath(new URL('.', import.meta.url));
const ADDON = join(here, '../../../plugins/store-file/native/build/Release/sparse_file.node');

let loaded: SparseFileNative | Error | undefined;

/** The addon, or an Error saying why it is unavailable (e.g. not built). Loaded once. */
export function loadSparseFileNative(): SparseFileNative | Error {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)(ADDON) as SparseFileNative;
    } catch (err) {
      loaded = new Error(`the sparse-file addon is not built (${ADDON}): run \`npm ci\` or \`npm run install\`; ${(err as Error).message}`);
    }
  }
  return loaded;
}
