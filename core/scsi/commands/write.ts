/**
 * WRITE(6), WRITE(10), WRITE(12), WRITE(16) (SBC-3 5.29-5.32). The transport
 * has collected all Data-Out (= its expected data transfer length) in
 * cmd.dataOut. When that differs from what the CDB asks (FCP-4 9.4.2 rules,
 * which libiscsi's residual tests check):
 * - more data than the CDB asks: only the CDB's amount is written;
 * - less, in whole blocks: only the blocks that came are written (GOOD);
 * - less, ending inside a block: nothing is written, ILLEGAL REQUEST /
 *   INVALID FIELD IN COMMAND INFORMATION UNIT.
 * In every such case commandDataLength tells the transport what the CDB
 * asked, so it reports the residual.
 */
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { ScsiStatus } from '../ScsiCommand.js';
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import { CheckCondition } from '../CheckCondition.js';
import { cdbLba, cdbTransferLength, transferLengthByte } from '../BlockCdb.js';
import { GOOD } from '../ScsiResults.js';
import { SenseCodes } from '../SenseCodes.js';
import { dataBuffers } from '../../buffers/DataBufferPool.js';

async function executeWrite(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
  const cdb = cmd.cdb;
  const small = cdb[0] === 0x0a;
  // WRPROTECT (byte 1 bits 7-5): no protection information is supported.
  if (!small && (cdb[1] & 0xe0) !== 0) throw CheckCondition.invalidFieldInCdb(1, 7);
  const lba = cdbLba(cdb);
  const blocks = cdbTransferLength(cdb);
  lu.checkRange(lba, blocks);
  lu.checkWritable();
  if (blocks > lu.maxTransferBlocks) throw CheckCondition.invalidFieldInCdb(transferLengthByte(cdb[0]));
  return writeDataOut(cmd, lu, lba, blocks, !small && (cdb[1] & 0x08) !== 0);
}

/**
 * Writes the Data-Out of a checked command to [lba, lba+blocks) under the
 * residual rules above (also used by WRITE AND VERIFY). Respects the LBA
 * range locks of COMPARE AND WRITE / ORWRITE.
 */
export async function writeDataOut(cmd: ScsiCommand, lu: LogicalUnit, lba: number, blocks: number, fua: boolean): Promise<ScsiResult> {
  const bytes = blocks * lu.blockSize;
  const received = cmd.dataOut === null ? 0 : cmd.dataOut.length;
  if (received < bytes && received % lu.blockSize !== 0) {
    throw new CheckCondition(SenseCodes.invalidFieldInCommandInformationUnit, { commandDataLength: bytes });
  }
  const writing = received < bytes ? received : bytes;
  if (writing !== 0) {
    const data = cmd.dataOut as Buffer;
    const pending = lu.lbaLocks.beginWrite(lba, writing / lu.blockSize);
    const held = pending === null ? null : await pending;
    try {
      await lu.store.write(received === writing ? data : data.subarray(0, writing), lba * lu.blockSize, fua);
    } finally {
      lu.lbaLocks.endWrite(held);
      // The Data-Out buffer is ours now (ScsiCommand.dataOut); reusable once a store that lets go of it settled.
      if (lu.store.capabilities.buffersFreeOnSettle === true) dataBuffers.release(data);
    }
  }
  return received === bytes ? GOOD : { status: ScsiStatus.Good, sense: null, dataIn: null, commandDataLength: bytes };
}

const common = { scope: 'block', dataDirection: 'out', writesMedium: true, accessesMedium: true, execute: executeWrite } as const;

export const write6: BlockCommandDefinition = {
  ...common, name: 'WRITE(6)', opcode: 0x0a, cdbLength: 6,
  usageData: [0x0a, 0x1f, 0xff, 0xff, 0xff, 0x00],
};
export const write10: BlockCommandDefinition = {
  ...common, name: 'WRITE(10)', opcode: 0x2a, cdbLength: 10,
  usageData: [0x2a, 0xf8, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff, 0x00],
};
export const write12: BlockCommandDefinition = {
  ...common, name: 'WRITE(12)', opcode: 0xaa, cdbLength: 12,
  usageData: [0xaa, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00],
};
export const write16: BlockCommandDefinition = {
  ...common, name: 'WRITE(16)', opcode: 0x8a, cdbLength: 16,
  usageData: [0x8a, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00],
};
