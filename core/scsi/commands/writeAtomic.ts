/**
 * WRITE ATOMIC(16) (SBC-4 5.48): the whole range is written or none of it,
 * also across a crash. Offered only when the store can promise that
 * (capabilities.atomicWrite → store.writeAtomic). The exclusive LBA range
 * lock keeps plain writes to overlapping blocks from interleaving with it,
 * so other commands too see the range either before or after the write.
 *
 * No ATOMIC ALIGNMENT or GRANULARITY restriction is advertised (both 0),
 * and no atomic boundary (MAXIMUM ATOMIC BOUNDARY SIZE 0): a nonzero
 * ATOMIC BOUNDARY field is refused.
 */
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { ScsiStatus } from '../ScsiCommand.js';
import { CheckCondition } from '../CheckCondition.js';
import { cdbLba } from '../BlockCdb.js';
import { hasAtomicWrite, maxAtomicTransferBlocks } from '../BlockLimits.js';
import { GOOD } from '../ScsiResults.js';
import { SenseCodes } from '../SenseCodes.js';

async function executeWriteAtomic16(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
  const cdb = cmd.cdb;
  if ((cdb[1] & 0xe0) !== 0) throw CheckCondition.invalidFieldInCdb(1, 7); // WRPROTECT: no protection information
  if (cdb.readUInt16BE(10) !== 0) throw CheckCondition.invalidFieldInCdb(10); // ATOMIC BOUNDARY: not supported
  const lba = cdbLba(cdb);
  const blocks = cdb.readUInt16BE(12);
  lu.checkRange(lba, blocks);
  if (blocks > maxAtomicTransferBlocks(lu)) throw CheckCondition.invalidFieldInCdb(12);
  lu.checkWritable();
  const bytes = blocks * lu.blockSize;
  const received = cmd.dataOut === null ? 0 : cmd.dataOut.length;
  // Less Data-Out than the CDB asks: writing part of it would not be the atomic write asked for.
  if (received < bytes) throw new CheckCondition(SenseCodes.invalidFieldInCommandInformationUnit, { commandDataLength: bytes });
  if (blocks === 0) return received === 0 ? GOOD : { status: ScsiStatus.Good, sense: null, dataIn: null, commandDataLength: 0 };
  const data = cmd.dataOut as Buffer;
  const fua = (cdb[1] & 0x08) !== 0;
  const held = await lu.lbaLocks.acquireExclusive(lba, blocks);
  try {
    // availableOn (hasAtomicWrite) guarantees writeAtomic exists.
    await lu.store.writeAtomic!(received === bytes ? data : data.subarray(0, bytes), lba * lu.blockSize, fua);
  } finally {
    lu.lbaLocks.release(held);
  }
  return received === bytes ? GOOD : { status: ScsiStatus.Good, sense: null, dataIn: null, commandDataLength: bytes };
}

export const writeAtomic16: BlockCommandDefinition = {
  name: 'WRITE ATOMIC(16)', opcode: 0x9c, cdbLength: 16, scope: 'block', dataDirection: 'out', writesMedium: true, accessesMedium: true,
  usageData: [0x9c, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00],
  availableOn: hasAtomicWrite,
  execute: executeWriteAtomic16,
};
