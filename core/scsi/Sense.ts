/**
 * Sense data builders (SPC-4 4.5). Fixed format is what core/scsi sends by
 * default (D_SENSE=0 in the control mode page); descriptor format is here for
 * REQUEST SENSE with DESC=1 and for a later D_SENSE=1.
 */

export const enum SenseKey {
  NoSense = 0x0,
  RecoveredError = 0x1,
  NotReady = 0x2,
  MediumError = 0x3,
  HardwareError = 0x4,
  IllegalRequest = 0x5,
  UnitAttention = 0x6,
  DataProtect = 0x7,
  CopyAborted = 0xa,
  AbortedCommand = 0xb,
  Miscompare = 0xe,
}

/** Points at the CDB (or parameter list) byte/bit that was wrong (sense-key specific, SPC-4 4.5.2.4.2). */
export interface FieldPointer {
  /** true: the error is in the CDB; false: in the parameter data. */
  readonly inCdb: boolean;
  readonly byte: number;
  /** Bit 0..7 inside that byte, when one bit is to blame. */
  readonly bit?: number;
}

export interface SenseInfo {
  readonly key: SenseKey;
  readonly asc: number;
  readonly ascq: number;
  readonly field?: FieldPointer;
  /** INFORMATION field (e.g. the first failing LBA); sets the VALID bit. */
  readonly information?: number;
}

export const FIXED_SENSE_LENGTH = 18;

/** Fixed-format sense data, 18 bytes, response code 70h (current error). */
export function buildFixedSense(info: SenseInfo): Buffer {
  const b = Buffer.alloc(FIXED_SENSE_LENGTH);
  b[0] = 0x70;
  b[2] = info.key & 0x0f;
  if (info.information !== undefined) {
    b[0] |= 0x80;
    b.writeUInt32BE(info.information >>> 0, 3);
  }
  b[7] = FIXED_SENSE_LENGTH - 8;
  b[12] = info.asc;
  b[13] = info.ascq;
  if (info.field !== undefined) writeFieldPointer(b, 15, info.field);
  return b;
}

/** Descriptor-format sense data, response code 72h, with a sense-key specific descriptor when a field is named. */
export function buildDescriptorSense(info: SenseInfo): Buffer {
  const hasInfo = info.information !== undefined;
  const hasField = info.field !== undefined;
  const length = 8 + (hasInfo ? 12 : 0) + (hasField ? 8 : 0);
  const b = Buffer.alloc(length);
  b[0] = 0x72;
  b[1] = info.key & 0x0f;
  b[2] = info.asc;
  b[3] = info.ascq;
  b[7] = length - 8;
  let p = 8;
  if (hasInfo) {
    // Information descriptor (type 00h), VALID bit set.
    b[p] = 0x00;
    b[p + 1] = 0x0a;
    b[p + 2] = 0x80;
    b.writeBigUInt64BE(BigInt(info.information as number), p + 4);
    p += 12;
  }
  if (info.field !== undefined) {
    // Sense key specific descriptor (type 02h).
    b[p] = 0x02;
    b[p + 1] = 0x06;
    writeFieldPointer(b, p + 4, info.field);
  }
  return b;
}

function writeFieldPointer(b: Buffer, at: number, field: FieldPointer): void {
  let flags = 0x80; // SKSV
  if (field.inCdb) flags |= 0x40; // C/D
  if (field.bit !== undefined) flags |= 0x08 | (field.bit & 0x07); // BPV + bit pointer
  b[at] = flags;
  b.writeUInt16BE(field.byte, at + 1);
}

/** Reads key/asc/ascq back from fixed or descriptor sense (used by REQUEST SENSE and tests). */
export function parseSense(b: Buffer): { key: number; asc: number; ascq: number } {
  const code = b[0] & 0x7f;
  if (code === 0x72 || code === 0x73) return { key: b[1] & 0x0f, asc: b[2], ascq: b[3] };
  return { key: b[2] & 0x0f, asc: b[12], ascq: b[13] };
}
