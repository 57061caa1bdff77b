/**
 * CRC32C header and data digests (RFC 7143 13.1, appendix "CRC32C"). The
 * digest goes on the wire least significant byte first: 32 zero bytes give
 * aa 36 91 8a.
 */
import { crc32c } from '@node-rs/crc32';
import { ZERO_PADDING, paddingOf } from './DataSegment.js';

export function headerDigest(bhsAndAhs: Buffer): number {
  return crc32c(bhsAndAhs) >>> 0;
}

/** Digest of a data segment given as pieces, including its padding. */
export function dataDigest(pieces: readonly Buffer[], length: number): number {
  let crc = 0;
  for (const p of pieces) crc = crc32c(p, crc);
  const pad = paddingOf(length);
  if (pad) crc = crc32c(ZERO_PADDING.subarray(0, pad), crc);
  return crc >>> 0;
}

export function digestBytes(value: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(value >>> 0, 0);
  return b;
}
