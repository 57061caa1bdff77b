/**
 * ORWRITE(16) (SBC-3 5.6): each Data-Out byte is ORed into the medium.
 * Emulated as read, OR, write under the exclusive LBA range lock, like
 * COMPARE AND WRITE, so concurrent writes to the blocks cannot interleave.
 * ORPROTECT is refused; DPO, FUA and FUA_NV are accepted (FUA honoured).
 * Residual rules are WRITE's: blocks that did not come are not written.
 */
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { ScsiStatus } from '../ScsiCommand.js';
import { CheckCondition } from '../CheckCondition.js';
import { cdbLba, cdbTransferLength } from '../BlockCdb.js';
import { GOOD } from '../ScsiResults.js';
import { SenseCodes } from '../SenseCodes.js';

async function executeOrWrite(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
  const cdb = cmd.cdb;
  if ((cdb[1] & 0xe0) !== 0) throw CheckCondition.invalidFieldInCdb(1, 7); // ORPROTECT
  const lba = cdbLba(cdb);
  const blocks = cdbTransferLength(cdb);
  lu.checkRange(lba, blocks);
  lu.checkWritable();
  if (blocks > lu.maxTransferBlocks) throw CheckCondition.invalidFieldInCdb(10);
  const bs = lu.blockSize;
  const bytes = blocks * bs;
  const received = cmd.dataOut === null ? 0 : cmd.dataOut.length;
  if (received < bytes && received % bs !== 0) {
    throw new CheckCondition(SenseCodes.invalidFieldInCommandInformationUnit, { commandDataLength: bytes });
  }
  const writing = Math.min(received, bytes);
  if (writing !== 0) {
    const data = cmd.dataOut as Buffer;
    const merged = Buffer.allocUnsafe(writing);
    const held = await lu.lbaLocks.acquireExclusive(lba, writing / bs);
    try {
      await lu.store.read(merged, lba * bs);
      for (let i = 0; i < writing; i++) merged[i] |= data[i];
      await lu.store.write(merged, lba * bs, (cdb[1] & 0x08) !== 0);
    } finally {
      lu.lbaLocks.release(held);
    }
  }
  return received === bytes ? GOOD : { status: ScsiStatus.Good, sense: null, dataIn: null, commandDataLength: bytes };
}

export const orWrite16: BlockCommandDefinition = {
  name: 'ORWRITE(16)', opcode: 0x8b, cdbLength: 16, scope: 'block', dataDirection: 'out', writesMedium: true, accessesMedium: true,
  usageData: [0x8b, 0xfa, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00],
  execute: executeOrWrite,
};
