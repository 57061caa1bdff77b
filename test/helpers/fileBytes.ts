/** `length` bytes of the file at `path` from `offset` (zeros past its end): what a store really wrote. */
import { closeSync, openSync, readSync } from 'node:fs';

export function fileBytes(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const out = Buffer.alloc(length);
    readSync(fd, out, 0, length, offset);
    return out;
  } finally {
    closeSync(fd);
  }
}
