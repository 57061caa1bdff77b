/**
 * READ(6), READ(10), READ(12), READ(16) (SBC-3 5.10-5.13). Hot path: one
 * buffer of the exact length (a pooled one for stores that allow it),
 * filled by the store.
 */
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { ScsiStatus } from '../ScsiCommand.js';
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import { CheckCondition } from '../CheckCondition.js';
import { cdbLba, cdbTransferLength, transferLengthByte } from '../BlockCdb.js';
import { GOOD } from '../ScsiResults.js';
import { dataBuffers } from '../../buffers/DataBufferPool.js';

async function executeRead(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
  const cdb = cmd.cdb;
  // RDPROTECT (byte 1 bits 7-5): no protection information is supported.
  if (cdb[0] !== 0x08 && (cdb[1] & 0xe0) !== 0) throw CheckCondition.invalidFieldInCdb(1, 7);
  const lba = cdbLba(cdb);
  const blocks = cdbTransferLength(cdb);
  lu.checkRange(lba, blocks);
  if (blocks === 0) return GOOD;
  if (blocks > lu.maxTransferBlocks) throw CheckCondition.invalidFieldInCdb(transferLengthByte(cdb[0]));
  const bs = lu.blockSize;
  const store = lu.store;
  // A reusable buffer when the store lets go of it on settling; the transport releases it once sent.
  const pooled = store.capabilities.buffersFreeOnSettle === true;
  const data = pooled ? dataBuffers.acquire(blocks * bs) : Buffer.allocUnsafe(blocks * bs);
  try {
    await store.read(data, lba * bs);
  } catch (err) {
    if (pooled) dataBuffers.release(data);
    throw err;
  }
  return { status: ScsiStatus.Good, sense: null, dataIn: data };
}

const common = { scope: 'block', dataDirection: 'in', accessesMedium: true, execute: executeRead } as const;

export const read6: BlockCommandDefinition = {
  ...common, name: 'READ(6)', opcode: 0x08, cdbLength: 6,
  usageData: [0x08, 0x1f, 0xff, 0xff, 0xff, 0x00],
};
export const read10: BlockCommandDefinition = {
  ...common, name: 'READ(10)', opcode: 0x28, cdbLength: 10,
  usageData: [0x28, 0xf8, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff, 0x00],
};
export const read12: BlockCommandDefinition = {
  ...common, name: 'READ(12)', opcode: 0xa8, cdbLength: 12,
  usageData: [0xa8, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00],
};
export const read16: BlockCommandDefinition = {
  ...common, name: 'READ(16)', opcode: 0x88, cdbLength: 16,
  usageData: [0x88, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00],
};
