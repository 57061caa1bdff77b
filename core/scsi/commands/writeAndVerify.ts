/**
 * WRITE AND VERIFY(10), (12), (16) (SBC-3 5.36-5.38): a WRITE whose data
 * must be on the medium before the command ends, so it is written with FUA
 * (the store's stable-storage write). Residual rules are WRITE's. BYTCHK
 * 0 and 1 are accepted (the written data is what the medium now holds);
 * the other values and WRPROTECT are refused. DPO is accepted.
 */
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { CheckCondition } from '../CheckCondition.js';
import { cdbLba, cdbTransferLength, transferLengthByte } from '../BlockCdb.js';
import { writeDataOut } from './write.js';

async function executeWriteAndVerify(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
  const cdb = cmd.cdb;
  if ((cdb[1] & 0xe0) !== 0) throw CheckCondition.invalidFieldInCdb(1, 7); // WRPROTECT
  if ((cdb[1] & 0x04) !== 0) throw CheckCondition.invalidFieldInCdb(1, 2); // BYTCHK 1xb
  const lba = cdbLba(cdb);
  const blocks = cdbTransferLength(cdb);
  lu.checkRange(lba, blocks);
  lu.checkWritable();
  if (blocks > lu.maxTransferBlocks) throw CheckCondition.invalidFieldInCdb(transferLengthByte(cdb[0]));
  return writeDataOut(cmd, lu, lba, blocks, true);
}

const common = { scope: 'block', dataDirection: 'out', writesMedium: true, accessesMedium: true, execute: executeWriteAndVerify } as const;

export const writeAndVerify10: BlockCommandDefinition = {
  ...common, name: 'WRITE AND VERIFY(10)', opcode: 0x2e, cdbLength: 10,
  usageData: [0x2e, 0xf2, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x00],
};
export const writeAndVerify12: BlockCommandDefinition = {
  ...common, name: 'WRITE AND VERIFY(12)', opcode: 0xae, cdbLength: 12,
  usageData: [0xae, 0xf2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00],
};
export const writeAndVerify16: BlockCommandDefinition = {
  ...common, name: 'WRITE AND VERIFY(16)', opcode: 0x8e, cdbLength: 16,
  usageData: [0x8e, 0xf2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00],
};
