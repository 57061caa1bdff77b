/**
 * The 8-byte LUN field (SAM-5 4.6): single-level peripheral device addressing
 * for LUNs 0..255 and flat space addressing for 256..16383. Anything else
 * decodes to NO_LUN, which core/scsi answers as a LUN that does not exist.
 */
export const NO_LUN = -1;
export const MAX_FLAT_LUN = 0x3fff;

export function decodeLun(buf: Buffer, offset: number): number {
  const b0 = buf[offset]!;
  const b1 = buf[offset + 1]!;
  for (let i = 2; i < 8; i++) if (buf[offset + i] !== 0) return NO_LUN;
  const method = b0 >> 6;
  if (method === 0) return (b0 & 0x3f) === 0 ? b1 : NO_LUN; // peripheral, bus 0 only
  if (method === 1) return ((b0 & 0x3f) << 8) | b1; // flat space
  return NO_LUN;
}

export function encodeLun(lun: number, buf: Buffer, offset: number): void {
  buf.fill(0, offset, offset + 8);
  if (lun < 0 || lun > MAX_FLAT_LUN) return;
  if (lun < 256) {
    buf[offset + 1] = lun;
  } else {
    buf[offset] = 0x40 | (lun >> 8);
    buf[offset + 1] = lun & 0xff;
  }
}
