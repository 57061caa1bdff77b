/**
 * Encodings of CHAP key values (RFC 7143 6.1 and 12.1.3): CHAP_C and CHAP_R
 * are binary values written as hex (`0x`/`0X`) or base64 (`0b`/`0B`), at most
 * 1024 bytes; CHAP_I is a number 0..255, decimal or hex.
 */

export class ChapValueError extends Error {
  override readonly name = 'ChapValueError';
}

/** RFC 7143 12.1.3: the binary length of C and R must not exceed 1024 bytes. */
export const MAX_CHAP_BINARY_LENGTH = 1024;

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function decodeChapBinary(text: string): Buffer {
  const prefix = text.slice(0, 2);
  const body = text.slice(2);
  let value: Buffer;
  if (prefix === '0x' || prefix === '0X') {
    if (!HEX.test(body)) throw new ChapValueError('hex value with non-hex digits');
    if (body.length > 2 * MAX_CHAP_BINARY_LENGTH + 1) throw new ChapValueError('binary value longer than 1024 bytes');
    // RFC 7143 6.1: an odd number of hex digits has an implied leading zero.
    value = Buffer.from(body.length % 2 ? `0${body}` : body, 'hex');
  } else if (prefix === '0b' || prefix === '0B') {
    if (!BASE64.test(body) || body.length % 4 !== 0) throw new ChapValueError('malformed base64 value');
    if (body.length > Math.ceil(MAX_CHAP_BINARY_LENGTH / 3) * 4) throw new ChapValueError('binary value longer than 1024 bytes');
    value = Buffer.from(body, 'base64');
  } else {
    throw new ChapValueError('binary value must start with 0x (hex) or 0b (base64)');
  }
  if (value.length === 0) throw new ChapValueError('empty binary value');
  if (value.length > MAX_CHAP_BINARY_LENGTH) throw new ChapValueError('binary value longer than 1024 bytes');
  return value;
}

/** How the target writes binary values: `0x` and hex digits (libiscsi only parses a lower-case `0x`). */
export function encodeChapBinary(value: Buffer): string {
  return `0x${value.toString('hex')}`;
}

/** CHAP_I: one octet, as a decimal or hex constant. */
export function decodeChapIdentifier(text: string): number {
  let n: number;
  if (/^\d{1,3}$/.test(text)) n = Number(text);
  else if (/^0[xX][0-9a-fA-F]{1,2}$/.test(text)) n = parseInt(text.slice(2), 16);
  else throw new ChapValueError('CHAP_I must be a number 0..255');
  if (n > 255) throw new ChapValueError('CHAP_I must be a number 0..255');
  return n;
}
