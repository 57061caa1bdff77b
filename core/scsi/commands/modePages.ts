/**
 * The mode pages MODE SENSE reports and MODE SELECT changes (SPC-4 7.5,
 * SBC-3 6.4). The only changeable field is the control page's SWP
 * (lu.modeParameters); the changeable mask shows exactly that, and the
 * default values are the ones a LUN starts with.
 */
import type { LogicalUnit } from '../LogicalUnit.js';

export const enum PageControl {
  Current = 0,
  Changeable = 1,
  Default = 2,
  Saved = 3,
}

export const ModePage = {
  readWriteErrorRecovery: 0x01,
  caching: 0x08,
  control: 0x0a,
  allPages: 0x3f,
} as const;

/** Control mode page byte 4: SWP (software write protect). */
export const CONTROL_SWP = 0x08;

/** Page codes in the order MODE SENSE (all pages) returns them. */
export const MODE_PAGE_CODES: readonly number[] = [ModePage.readWriteErrorRecovery, ModePage.caching, ModePage.control];

/** Builds one page (header included), or null for a page this LUN does not have. */
export function buildModePage(code: number, pc: PageControl, lu: LogicalUnit): Buffer | null {
  switch (code) {
    case ModePage.readWriteErrorRecovery:
      return page(code, 0x0a);
    case ModePage.caching: {
      const b = page(code, 0x12);
      // WCE: the BackingStore contract lets a store buffer non-FUA writes until flush(),
      // so the only accurate answer is "write cache enabled": initiators then send
      // SYNCHRONIZE CACHE and FUA, which core/scsi passes to the store.
      if (pc !== PageControl.Changeable) b[2] = 0x04;
      return b;
    }
    case ModePage.control: {
      const b = page(code, 0x0a);
      if (pc === PageControl.Changeable) {
        b[4] = CONTROL_SWP;
      } else {
        b[3] = 0x10; // QUEUE ALGORITHM MODIFIER 1: unrestricted reordering; QERR 0
        if (pc === PageControl.Current && lu.modeParameters.softwareWriteProtect) b[4] |= CONTROL_SWP;
        b.writeUInt16BE(0xffff, 8); // BUSY TIMEOUT PERIOD: unlimited
      }
      return b;
    }
    default:
      return null;
  }
}

function page(code: number, length: number): Buffer {
  const b = Buffer.alloc(2 + length);
  b[0] = code; // PS=0: pages cannot be saved
  b[1] = length;
  return b;
}

/** Block descriptor: short (8 bytes, count capped at FFFFFFFFh) or long (16 bytes, LLBAA). */
export function buildBlockDescriptor(lu: LogicalUnit, long: boolean): Buffer {
  const count = lu.blockCount;
  if (long) {
    const b = Buffer.alloc(16);
    b.writeUInt32BE(Math.floor(count / 0x1_0000_0000), 0);
    b.writeUInt32BE(count >>> 0, 4);
    b.writeUInt32BE(lu.blockSize, 12);
    return b;
  }
  const b = Buffer.alloc(8);
  b.writeUInt32BE(count > 0xffffffff ? 0xffffffff : count, 0);
  b.writeUIntBE(lu.blockSize, 5, 3);
  return b;
}
