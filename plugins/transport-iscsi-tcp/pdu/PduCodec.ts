/**
 * The one codec of iSCSI Basic Header Segments (RFC 7143 chapter 11): every
 * PDU type both ways. encodeBhs writes 48 bytes; decodeBhs reads them. Data
 * segments, padding and digests are the framing's business (PduReader,
 * PduWriter), never built here.
 */
import { Opcode, RESERVED_TAG } from './Opcode.js';
import { decodeLun, encodeLun } from './Lun.js';
import { BHS_LENGTH } from './DataSegment.js';
import type { AnyPdu } from './PduTypes.js';

/** A BHS that could not be decoded (unknown opcode); the caller decides between Reject and closing. */
export class UnknownOpcodeError extends Error {
  constructor(readonly opcode: number) {
    super(`unknown iSCSI opcode 0x${opcode.toString(16).padStart(2, '0')}`);
  }
}

export function opcodeOf(bhs: Buffer): number {
  return bhs[0]! & 0x3f;
}

export function dataSegmentLengthOf(bhs: Buffer): number {
  return (bhs[5]! << 16) | (bhs[6]! << 8) | bhs[7]!;
}

export function totalAhsLengthOf(bhs: Buffer): number {
  return bhs[4]!;
}

export function initiatorTaskTagOf(bhs: Buffer): number {
  return bhs.readUInt32BE(16);
}

function isidHex(b: Buffer): string {
  return b.toString('hex', 8, 14);
}

function writeIsid(b: Buffer, isid: string): void {
  if (!/^[0-9a-fA-F]{12}$/.test(isid)) throw new Error(`ISID must be 12 hex digits, got '${isid}'`);
  b.write(isid, 8, 6, 'hex');
}

// Byte access without closures or bounds checks: the BHS is always 48 bytes (hot path, once per PDU).
function u32(b: Buffer, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function u16(b: Buffer, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function w32(b: Buffer, o: number, v: number): void {
  b[o] = v >>> 24; b[o + 1] = v >>> 16; b[o + 2] = v >>> 8; b[o + 3] = v;
}

function w16(b: Buffer, o: number, v: number): void {
  b[o] = v >>> 8; b[o + 1] = v;
}

export function decodeBhs(b: Buffer): AnyPdu {
  const opcode = b[0]! & 0x3f;
  const immediate = (b[0]! & 0x40) !== 0;
  const f = b[1]!;
  const totalAhsLength = b[4]!;
  const dataSegmentLength = dataSegmentLengthOf(b);
  switch (opcode) {
    case Opcode.NopOut:
      return { opcode, totalAhsLength, dataSegmentLength, immediate, lun: decodeLun(b, 8), itt: u32(b, 16), ttt: u32(b, 20), cmdSN: u32(b, 24), expStatSN: u32(b, 28) };
    case Opcode.ScsiCommand:
      return {
        opcode, totalAhsLength, dataSegmentLength, immediate,
        final: (f & 0x80) !== 0, read: (f & 0x40) !== 0, write: (f & 0x20) !== 0, attribute: f & 0x07,
        lun: decodeLun(b, 8), itt: u32(b, 16), expectedDataTransferLength: u32(b, 20), cmdSN: u32(b, 24), expStatSN: u32(b, 28),
        cdb: b.subarray(32, 48),
      };
    case Opcode.TaskManagementRequest:
      return {
        opcode, totalAhsLength, dataSegmentLength, immediate, fn: f & 0x7f, lun: decodeLun(b, 8), itt: u32(b, 16), referencedTaskTag: u32(b, 20),
        cmdSN: u32(b, 24), expStatSN: u32(b, 28), refCmdSN: u32(b, 32), expDataSN: u32(b, 36),
      };
    case Opcode.LoginRequest:
      return {
        opcode, totalAhsLength, dataSegmentLength, transit: (f & 0x80) !== 0, continue: (f & 0x40) !== 0, csg: (f >> 2) & 3, nsg: f & 3,
        versionMax: b[2]!, versionMin: b[3]!, isid: isidHex(b), tsih: u16(b, 14), itt: u32(b, 16), cid: u16(b, 20),
        cmdSN: u32(b, 24), expStatSN: u32(b, 28),
      };
    case Opcode.TextRequest:
      return {
        opcode, totalAhsLength, dataSegmentLength, immediate, final: (f & 0x80) !== 0, continue: (f & 0x40) !== 0, lun: decodeLun(b, 8),
        itt: u32(b, 16), ttt: u32(b, 20), cmdSN: u32(b, 24), expStatSN: u32(b, 28),
      };
    case Opcode.DataOut:
      return {
        opcode, totalAhsLength, dataSegmentLength, final: (f & 0x80) !== 0, lun: decodeLun(b, 8), itt: u32(b, 16), ttt: u32(b, 20),
        expStatSN: u32(b, 28), dataSN: u32(b, 36), bufferOffset: u32(b, 40),
      };
    case Opcode.LogoutRequest:
      return { opcode, totalAhsLength, dataSegmentLength, immediate, reason: f & 0x7f, itt: u32(b, 16), cid: u16(b, 20), cmdSN: u32(b, 24), expStatSN: u32(b, 28) };
    case Opcode.Snack:
      return {
        opcode, totalAhsLength, dataSegmentLength, type: f & 0x0f, lun: decodeLun(b, 8), itt: u32(b, 16), ttt: u32(b, 20), expStatSN: u32(b, 28),
        begRun: u32(b, 40), runLength: u32(b, 44),
      };
    case Opcode.NopIn:
      return { opcode, totalAhsLength, dataSegmentLength, lun: decodeLun(b, 8), itt: u32(b, 16), ttt: u32(b, 20), statSN: u32(b, 24), expCmdSN: u32(b, 28), maxCmdSN: u32(b, 32) };
    case Opcode.ScsiResponse:
      return {
        opcode, totalAhsLength, dataSegmentLength, bidiOverflow: (f & 0x10) !== 0, bidiUnderflow: (f & 0x08) !== 0, overflow: (f & 0x04) !== 0,
        underflow: (f & 0x02) !== 0, response: b[2]!, status: b[3]!, itt: u32(b, 16), snackTag: u32(b, 20), statSN: u32(b, 24),
        expCmdSN: u32(b, 28), maxCmdSN: u32(b, 32), expDataSN: u32(b, 36), bidiResidualCount: u32(b, 40), residualCount: u32(b, 44),
      };
    case Opcode.TaskManagementResponse:
      return { opcode, totalAhsLength, dataSegmentLength, response: b[2]!, itt: u32(b, 16), statSN: u32(b, 24), expCmdSN: u32(b, 28), maxCmdSN: u32(b, 32) };
    case Opcode.LoginResponse:
      return {
        opcode, totalAhsLength, dataSegmentLength, transit: (f & 0x80) !== 0, continue: (f & 0x40) !== 0, csg: (f >> 2) & 3, nsg: f & 3,
        versionMax: b[2]!, versionActive: b[3]!, isid: isidHex(b), tsih: u16(b, 14), itt: u32(b, 16), statSN: u32(b, 24),
        expCmdSN: u32(b, 28), maxCmdSN: u32(b, 32), statusClass: b[36]!, statusDetail: b[37]!,
      };
    case Opcode.TextResponse:
      return {
        opcode, totalAhsLength, dataSegmentLength, final: (f & 0x80) !== 0, continue: (f & 0x40) !== 0, lun: decodeLun(b, 8), itt: u32(b, 16),
        ttt: u32(b, 20), statSN: u32(b, 24), expCmdSN: u32(b, 28), maxCmdSN: u32(b, 32),
      };
    case Opcode.DataIn:
      return {
        opcode, totalAhsLength, dataSegmentLength, final: (f & 0x80) !== 0, acknowledge: (f & 0x40) !== 0, overflow: (f & 0x04) !== 0,
        underflow: (f & 0x02) !== 0, hasStatus: (f & 0x01) !== 0, status: b[3]!, lun: decodeLun(b, 8), itt: u32(b, 16),
        ttt: u32(b, 20), statSN: u32(b, 24), expCmdSN: u32(b, 28), maxCmdSN: u32(b, 32), dataSN: u32(b, 36), bufferOffset: u32(b, 40),
        residualCount: u32(b, 44),
      };
    case Opcode.LogoutResponse:
      return {
        opcode, totalAhsLength, dataSegmentLength, response: b[2]!, itt: u32(b, 16), statSN: u32(b, 24), expCmdSN: u32(b, 28), maxCmdSN: u32(b, 32),
        time2Wait: u16(b, 40), time2Retain: u16(b, 42),
      };
    case Opcode.ReadyToTransfer:
      return {
        opcode, totalAhsLength, dataSegmentLength, lun: decodeLun(b, 8), itt: u32(b, 16), ttt: u32(b, 20), statSN: u32(b, 24), expCmdSN: u32(b, 28),
        maxCmdSN: u32(b, 32), r2tSN: u32(b, 36), bufferOffset: u32(b, 40), desiredDataTransferLength: u32(b, 44),
      };
    case Opcode.AsyncMessage:
      return {
        opcode, totalAhsLength, dataSegmentLength, lun: decodeLun(b, 8), statSN: u32(b, 24), expCmdSN: u32(b, 28), maxCmdSN: u32(b, 32),
        asyncEvent: b[36]!, asyncVCode: b[37]!, parameter1: u16(b, 38), parameter2: u16(b, 40), parameter3: u16(b, 42),
      };
    case Opcode.Reject:
      return { opcode, totalAhsLength, dataSegmentLength, reason: b[2]!, statSN: u32(b, 24), expCmdSN: u32(b, 28), maxCmdSN: u32(b, 32), dataSN: u32(b, 36) };
    default:
      throw new UnknownOpcodeError(opcode);
  }
}

/** Encodes the BHS of `pdu` into `out` (48 bytes, zeroed first) or a new buffer. */
export function encodeBhs(pdu: AnyPdu, out: Buffer = Buffer.allocUnsafe(BHS_LENGTH)): Buffer {
  const b = out;
  b.fill(0, 0, BHS_LENGTH);
  b[0] = pdu.opcode;
  b[4] = pdu.totalAhsLength;
  const dsl = pdu.dataSegmentLength;
  if (dsl < 0 || dsl > 0xffffff) throw new RangeError(`data segment length ${dsl} does not fit 24 bits`);
  b[5] = dsl >> 16; b[6] = (dsl >> 8) & 0xff; b[7] = dsl & 0xff;
  switch (pdu.opcode) {
    case Opcode.NopOut:
      if (pdu.immediate) b[0] |= 0x40;
      b[1] = 0x80; encodeLun(pdu.lun, b, 8); w32(b, 16, pdu.itt); w32(b, 20, pdu.ttt); w32(b, 24, pdu.cmdSN); w32(b, 28, pdu.expStatSN);
      break;
    case Opcode.ScsiCommand:
      if (pdu.immediate) b[0] |= 0x40;
      b[1] = (pdu.final ? 0x80 : 0) | (pdu.read ? 0x40 : 0) | (pdu.write ? 0x20 : 0) | (pdu.attribute & 7);
      encodeLun(pdu.lun, b, 8); w32(b, 16, pdu.itt); w32(b, 20, pdu.expectedDataTransferLength); w32(b, 24, pdu.cmdSN);
      w32(b, 28, pdu.expStatSN); pdu.cdb.copy(b, 32, 0, Math.min(16, pdu.cdb.length));
      break;
    case Opcode.TaskManagementRequest:
      if (pdu.immediate) b[0] |= 0x40;
      b[1] = 0x80 | (pdu.fn & 0x7f); encodeLun(pdu.lun, b, 8); w32(b, 16, pdu.itt); w32(b, 20, pdu.referencedTaskTag);
      w32(b, 24, pdu.cmdSN); w32(b, 28, pdu.expStatSN); w32(b, 32, pdu.refCmdSN); w32(b, 36, pdu.expDataSN);
      break;
    case Opcode.LoginRequest:
      b[0] |= 0x40; // a Login Request is always immediate
      b[1] = (pdu.transit ? 0x80 : 0) | (pdu.continue ? 0x40 : 0) | ((pdu.csg & 3) << 2) | (pdu.nsg & 3);
      b[2] = pdu.versionMax; b[3] = pdu.versionMin; writeIsid(b, pdu.isid); w16(b, 14, pdu.tsih); w32(b, 16, pdu.itt);
      w16(b, 20, pdu.cid); w32(b, 24, pdu.cmdSN); w32(b, 28, pdu.expStatSN);
      break;
    case Opcode.TextRequest:
      if (pdu.immediate) b[0] |= 0x40;
      b[1] = (pdu.final ? 0x80 : 0) | (pdu.continue ? 0x40 : 0); encodeLun(pdu.lun, b, 8); w32(b, 16, pdu.itt);
      w32(b, 20, pdu.ttt); w32(b, 24, pdu.cmdSN); w32(b, 28, pdu.expStatSN);
      break;
    case Opcode.DataOut:
      b[1] = pdu.final ? 0x80 : 0; encodeLun(pdu.lun, b, 8); w32(b, 16, pdu.itt); w32(b, 20, pdu.ttt); w32(b, 28, pdu.expStatSN);
      w32(b, 36, pdu.dataSN); w32(b, 40, pdu.bufferOffset);
      break;
    case Opcode.LogoutRequest:
      if (pdu.immediate) b[0] |= 0x40;
      b[1] = 0x80 | (pdu.reason & 0x7f); w32(b, 16, pdu.itt); w16(b, 20, pdu.cid); w32(b, 24, pdu.cmdSN); w32(b, 28, pdu.expStatSN);
      break;
    case Opcode.Snack:
      b[1] = 0x80 | (pdu.type & 0x0f); encodeLun(pdu.lun, b, 8); w32(b, 16, pdu.itt); w32(b, 20, pdu.ttt);
      w32(b, 28, pdu.expStatSN); w32(b, 40, pdu.begRun); w32(b, 44, pdu.runLength);
      break;
    case Opcode.NopIn:
      b[1] = 0x80; encodeLun(pdu.lun, b, 8); w32(b, 16, pdu.itt); w32(b, 20, pdu.ttt); w32(b, 24, pdu.statSN);
      w32(b, 28, pdu.expCmdSN); w32(b, 32, pdu.maxCmdSN);
      break;
    case Opcode.ScsiResponse:
      b[1] = 0x80 | (pdu.bidiOverflow ? 0x10 : 0) | (pdu.bidiUnderflow ? 0x08 : 0) | (pdu.overflow ? 0x04 : 0) | (pdu.underflow ? 0x02 : 0);
      b[2] = pdu.response; b[3] = pdu.status; w32(b, 16, pdu.itt); w32(b, 20, pdu.snackTag); w32(b, 24, pdu.statSN);
      w32(b, 28, pdu.expCmdSN); w32(b, 32, pdu.maxCmdSN); w32(b, 36, pdu.expDataSN); w32(b, 40, pdu.bidiResidualCount);
      w32(b, 44, pdu.residualCount);
      break;
    case Opcode.TaskManagementResponse:
      b[1] = 0x80; b[2] = pdu.response; w32(b, 16, pdu.itt); w32(b, 24, pdu.statSN); w32(b, 28, pdu.expCmdSN); w32(b, 32, pdu.maxCmdSN);
      break;
    case Opcode.LoginResponse:
      b[1] = (pdu.transit ? 0x80 : 0) | (pdu.continue ? 0x40 : 0) | ((pdu.csg & 3) << 2) | (pdu.nsg & 3);
      b[2] = pdu.versionMax; b[3] = pdu.versionActive; writeIsid(b, pdu.isid); w16(b, 14, pdu.tsih); w32(b, 16, pdu.itt);
      w32(b, 24, pdu.statSN); w32(b, 28, pdu.expCmdSN); w32(b, 32, pdu.maxCmdSN); b[36] = pdu.statusClass; b[37] = pdu.statusDetail;
      break;
    case Opcode.TextResponse:
      b[1] = (pdu.final ? 0x80 : 0) | (pdu.continue ? 0x40 : 0); encodeLun(pdu.lun, b, 8); w32(b, 16, pdu.itt);
      w32(b, 20, pdu.ttt); w32(b, 24, pdu.statSN); w32(b, 28, pdu.expCmdSN); w32(b, 32, pdu.maxCmdSN);
      break;
    case Opcode.DataIn:
      b[1] = (pdu.final ? 0x80 : 0) | (pdu.acknowledge ? 0x40 : 0) | (pdu.overflow ? 0x04 : 0) | (pdu.underflow ? 0x02 : 0) | (pdu.hasStatus ? 0x01 : 0);
      b[3] = pdu.hasStatus ? pdu.status : 0; encodeLun(pdu.lun, b, 8); w32(b, 16, pdu.itt); w32(b, 20, pdu.ttt);
      w32(b, 24, pdu.statSN); w32(b, 28, pdu.expCmdSN); w32(b, 32, pdu.maxCmdSN); w32(b, 36, pdu.dataSN); w32(b, 40, pdu.bufferOffset);
      w32(b, 44, pdu.residualCount);
      break;
    case Opcode.LogoutResponse:
      b[1] = 0x80; b[2] = pdu.response; w32(b, 16, pdu.itt); w32(b, 24, pdu.statSN); w32(b, 28, pdu.expCmdSN); w32(b, 32, pdu.maxCmdSN);
      w16(b, 40, pdu.time2Wait); w16(b, 42, pdu.time2Retain);
      break;
    case Opcode.ReadyToTransfer:
      b[1] = 0x80; encodeLun(pdu.lun, b, 8); w32(b, 16, pdu.itt); w32(b, 20, pdu.ttt); w32(b, 24, pdu.statSN); w32(b, 28, pdu.expCmdSN);
      w32(b, 32, pdu.maxCmdSN); w32(b, 36, pdu.r2tSN); w32(b, 40, pdu.bufferOffset); w32(b, 44, pdu.desiredDataTransferLength);
      break;
    case Opcode.AsyncMessage:
      b[1] = 0x80; encodeLun(pdu.lun, b, 8); w32(b, 16, RESERVED_TAG); w32(b, 24, pdu.statSN); w32(b, 28, pdu.expCmdSN);
      w32(b, 32, pdu.maxCmdSN); b[36] = pdu.asyncEvent; b[37] = pdu.asyncVCode; w16(b, 38, pdu.parameter1);
      w16(b, 40, pdu.parameter2); w16(b, 42, pdu.parameter3);
      break;
    case Opcode.Reject:
      b[1] = 0x80; b[2] = pdu.reason; w32(b, 16, RESERVED_TAG); w32(b, 24, pdu.statSN); w32(b, 28, pdu.expCmdSN);
      w32(b, 32, pdu.maxCmdSN); w32(b, 36, pdu.dataSN);
      break;
  }
  return b;
}
