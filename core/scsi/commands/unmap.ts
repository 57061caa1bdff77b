/**
 * UNMAP (SBC-3 5.28): deallocates the ranges of the parameter list's block
 * descriptors. Offered only on thin LUNs (store.capabilities.discard).
 *
 * Parameter list: 8-byte header (UNMAP DATA LENGTH, UNMAP BLOCK DESCRIPTOR
 * DATA LENGTH), then 16-byte descriptors (LBA, NUMBER OF LOGICAL BLOCKS).
 * Everything is checked before anything is deallocated, so a bad descriptor
 * never leaves a half-done UNMAP behind.
 */
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { CheckCondition } from '../CheckCondition.js';
import { isThin, MAX_UNMAP_BLOCKS, MAX_UNMAP_DESCRIPTORS } from '../BlockLimits.js';
import { GOOD } from '../ScsiResults.js';
import { SenseCodes } from '../SenseCodes.js';

const HEADER = 8;
const DESCRIPTOR = 16;

function invalidParameter(byte: number): CheckCondition {
  return new CheckCondition(SenseCodes.invalidFieldInParameterList, { field: { inCdb: false, byte } });
}

/** Deallocates [lba, lba+blocks) on the store, holding the range against COMPARE AND WRITE. */
export async function deallocate(lu: LogicalUnit, lba: number, blocks: number): Promise<void> {
  const pending = lu.lbaLocks.beginWrite(lba, blocks);
  const held = pending === null ? null : await pending;
  try {
    // isThin() (availableOn) guarantees discard exists.
    await lu.store.discard!(lba * lu.blockSize, blocks * lu.blockSize);
  } finally {
    lu.lbaLocks.endWrite(held);
  }
}

async function executeUnmap(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
  const cdb = cmd.cdb;
  // ANCHOR: anchored LBAs are not supported (ANC_SUP=0 in VPD B2h).
  if ((cdb[1] & 0x01) !== 0) throw CheckCondition.invalidFieldInCdb(1, 0);
  const listLength = cdb.readUInt16BE(7);
  lu.checkWritable();
  if (listLength === 0) return GOOD;
  if (listLength < HEADER) throw new CheckCondition(SenseCodes.parameterListLengthError);
  const data = cmd.dataOut;
  const available = Math.min(listLength, data === null ? 0 : data.length);
  if (data === null || available < HEADER) throw new CheckCondition(SenseCodes.parameterListLengthError);
  // Descriptors the header announces and the transfer really carries; a trailing partial one is ignored.
  const announced = data.readUInt16BE(2);
  const count = Math.floor(Math.min(announced, available - HEADER) / DESCRIPTOR);
  if (count > MAX_UNMAP_DESCRIPTORS) throw invalidParameter(2);
  const capacity = lu.blockCount;
  let total = 0;
  for (let i = 0, p = HEADER; i < count; i++, p += DESCRIPTOR) {
    const lba = readLba(data, p);
    const blocks = data.readUInt32BE(p + 8);
    if (lba + blocks > capacity) throw CheckCondition.lbaOutOfRange();
    total += blocks;
  }
  if (total > MAX_UNMAP_BLOCKS) throw invalidParameter(HEADER + 8);
  for (let i = 0, p = HEADER; i < count; i++, p += DESCRIPTOR) {
    const blocks = data.readUInt32BE(p + 8);
    if (blocks !== 0) await deallocate(lu, readLba(data, p), blocks);
  }
  return GOOD;
}

/** 64-bit LBA of a descriptor; beyond 2^53 is Infinity, which the range check refuses. */
function readLba(data: Buffer, p: number): number {
  const hi = data.readUInt32BE(p);
  return hi >= 0x200000 ? Number.POSITIVE_INFINITY : hi * 0x1_0000_0000 + data.readUInt32BE(p + 4);
}

export const unmap: BlockCommandDefinition = {
  name: 'UNMAP', opcode: 0x42, cdbLength: 10, scope: 'block', dataDirection: 'out', writesMedium: true, accessesMedium: true,
  usageData: [0x42, 0x01, 0x00, 0x00, 0x00, 0x00, 0x1f, 0xff, 0xff, 0x00],
  availableOn: isThin,
  execute: executeUnmap,
};
