/**
 * Text keys (RFC 7143 6.1): `key=value` pairs, each ended by a NUL, in the
 * data segment of Login and Text PDUs. Order matters for responses, so pairs
 * are kept as a list.
 */
export type KeyValue = readonly [key: string, value: string];

export class TextFormatError extends Error {}

/** Largest key name (RFC 7143 6.1: up to 63 bytes). */
export const MAX_KEY_LENGTH = 63;

/** Parses a data segment; a trailing fragment without NUL is returned separately (continued text). */
export function parseTextKeys(data: Buffer): { pairs: KeyValue[]; rest: Buffer } {
  const pairs: KeyValue[] = [];
  let start = 0;
  for (;;) {
    const nul = data.indexOf(0, start);
    if (nul < 0) break;
    if (nul > start) {
      const item = data.toString('utf8', start, nul);
      const eq = item.indexOf('=');
      if (eq <= 0) throw new TextFormatError(`text key without '=': '${item.slice(0, 80)}'`);
      const key = item.slice(0, eq);
      if (key.length > MAX_KEY_LENGTH || !/^[A-Za-z0-9.\-+@_#]+$/.test(key)) throw new TextFormatError(`malformed text key '${key.slice(0, 80)}'`);
      pairs.push([key, item.slice(eq + 1)]);
    }
    start = nul + 1;
  }
  return { pairs, rest: data.subarray(start) };
}

export function encodeTextKeys(pairs: readonly KeyValue[]): Buffer {
  if (pairs.length === 0) return Buffer.alloc(0);
  return Buffer.from(pairs.map(([k, v]) => `${k}=${v}\0`).join(''), 'utf8');
}
