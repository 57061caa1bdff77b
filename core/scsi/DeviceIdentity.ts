/**
 * What INQUIRY says a logical unit is: vendor, product, revision, serial and
 * a stable NAA identifier. Derived from the target name and LUN number by a
 * hash, so the same declaration always yields the same identity (multipath
 * and udev rely on it surviving restarts).
 */
import { createHash } from 'node:crypto';

export interface DeviceIdentity {
  /** T10 vendor identification, 8 ASCII bytes (space padded). */
  readonly vendor: string;
  /** Product identification, 16 ASCII bytes. */
  readonly product: string;
  /** Product revision level, 4 ASCII bytes. */
  readonly revision: string;
  /** Unit serial number (VPD 80h), printable ASCII. */
  readonly serial: string;
  /** NAA IEEE Registered Extended designator (type 6), 16 bytes. */
  readonly naa: Buffer;
}

export const DEFAULT_VENDOR = 'LUNHOST';
export const DEFAULT_PRODUCT = 'VIRTUAL-DISK';
export const CONTROLLER_PRODUCT = 'CONTROLLER';
export const PRODUCT_REVISION = '0001';

/**
 * IEEE company ID placed in the NAA designator. lunhost owns no registered
 * OUI, so this is a CID with the locally-administered (X) bit set: it can
 * never collide with a real vendor's registered identifiers.
 */
export const LUNHOST_COMPANY_ID = 0x0a4c48;

export interface IdentityOptions {
  readonly targetName: string;
  /** LUN number, or 'controller' for the stand-in LUN 0. */
  readonly lun: number | 'controller';
  readonly vendor?: string;
  readonly product?: string;
  readonly serial?: string;
}

export function deriveIdentity(o: IdentityOptions): DeviceIdentity {
  const hash = createHash('sha256').update(`${o.targetName}\0${o.lun}`).digest();
  const naa = Buffer.alloc(16);
  naa[0] = 0x60 | ((LUNHOST_COMPANY_ID >> 20) & 0x0f);
  naa[1] = (LUNHOST_COMPANY_ID >> 12) & 0xff;
  naa[2] = (LUNHOST_COMPANY_ID >> 4) & 0xff;
  // Low nibble of byte 3 onwards: 36-bit vendor specific identifier + 64-bit extension, from the hash.
  naa[3] = ((LUNHOST_COMPANY_ID & 0x0f) << 4) | (hash[0] & 0x0f);
  hash.copy(naa, 4, 1, 13);
  return {
    vendor: asciiField(o.vendor ?? DEFAULT_VENDOR, 8, 'vendor'),
    product: asciiField(o.product ?? (o.lun === 'controller' ? CONTROLLER_PRODUCT : DEFAULT_PRODUCT), 16, 'product'),
    revision: PRODUCT_REVISION,
    serial: o.serial === undefined || o.serial === '' ? hash.subarray(16, 24).toString('hex') : serialField(o.serial),
    naa,
  };
}

/** VPD 80h carries printable ASCII; 251 bytes keeps the page length in one byte for old initiators. */
function serialField(serial: string): string {
  if (serial.length > 251 || !/^[\x20-\x7e]+$/.test(serial)) {
    throw new Error(`serial "${serial}" must be 1 to 251 printable ASCII characters`);
  }
  return serial;
}

/** Space-pads to `width`; refuses what INQUIRY cannot carry, naming the field. */
function asciiField(value: string, width: number, what: string): string {
  if (value.length > width || !/^[\x20-\x7e]*$/.test(value)) {
    throw new Error(`INQUIRY ${what} "${value}" must be at most ${width} printable ASCII characters`);
  }
  return value.padEnd(width, ' ');
}
