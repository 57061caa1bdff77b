/** Fixed-format sense data (SPC-4 4.5.3), for the few errors the transport itself reports. */
export function fixedSense(key: number, asc: number, ascq: number): Buffer {
  const b = Buffer.alloc(18);
  b[0] = 0x70;
  b[2] = key & 0x0f;
  b[7] = 10;
  b[12] = asc;
  b[13] = ascq;
  return b;
}
