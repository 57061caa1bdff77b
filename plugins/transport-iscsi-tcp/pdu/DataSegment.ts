/** Data segments are padded to a multiple of 4 bytes (RFC 7143 11.2.3). */
export const BHS_LENGTH = 48;
export const DIGEST_LENGTH = 4;

/** Zero bytes used as padding; never written to. */
export const ZERO_PADDING: Buffer = Buffer.alloc(4);

export function paddingOf(length: number): number {
  return (4 - (length & 3)) & 3;
}

export function paddedLength(length: number): number {
  return length + paddingOf(length);
}
