/**
 * VERIFY(10), VERIFY(12), VERIFY(16) (SBC-3 5.33-5.35). BYTCHK:
 * - 00b: medium verification only: the range is checked (the store has no
 *   separate media check to run);
 * - 01b: the Data-Out (one block per block of the range) is compared with
 *   the medium;
 * - 11b: one block of Data-Out is compared with each block of the range;
 * - 10b: reserved.
 * A difference answers MISCOMPARE with INFORMATION = offset into the
 * Data-Out of the first differing byte. VRPROTECT is refused (no
 * protection information); DPO is accepted (there is no cache to spare).
 */
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { ScsiStatus } from '../ScsiCommand.js';
import { CheckCondition } from '../CheckCondition.js';
import { cdbLba, cdbTransferLength, transferLengthByte } from '../BlockCdb.js';
import { GOOD } from '../ScsiResults.js';
import { SenseCodes } from '../SenseCodes.js';
import { firstDifference, miscompareAt } from './compareAndWrite.js';

/** Largest read done at once for BYTCHK=11b (the range may be much larger than a transfer). */
const CHUNK_BYTES = 1024 * 1024;

async function executeVerify(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
  const cdb = cmd.cdb;
  if ((cdb[1] & 0xe0) !== 0) throw CheckCondition.invalidFieldInCdb(1, 7); // VRPROTECT
  const bytchk = (cdb[1] >> 1) & 0x03;
  if (bytchk === 2) throw CheckCondition.invalidFieldInCdb(1, 2);
  const lba = cdbLba(cdb);
  const blocks = cdbTransferLength(cdb);
  lu.checkRange(lba, blocks);
  if (bytchk === 0 || blocks === 0) {
    // No Data-Out was asked for: report any that came as overflow.
    return cmd.dataOut === null || cmd.dataOut.length === 0 ? GOOD : { status: ScsiStatus.Good, sense: null, dataIn: null, commandDataLength: 0 };
  }
  const bs = lu.blockSize;
  if (bytchk === 1 && blocks > lu.maxTransferBlocks) throw CheckCondition.invalidFieldInCdb(transferLengthByte(cdb[0]));
  const expected = bytchk === 1 ? blocks * bs : bs;
  const data = cmd.dataOut;
  const received = data === null ? 0 : data.length;
  if (data === null || received < expected) {
    throw new CheckCondition(SenseCodes.invalidFieldInCommandInformationUnit, { commandDataLength: expected });
  }
  if (bytchk === 1) {
    const current = Buffer.allocUnsafe(expected);
    await lu.store.read(current, lba * bs);
    const diff = firstDifference(current, data.subarray(0, expected));
    if (diff >= 0) throw miscompareAt(diff);
  } else {
    await compareEachBlock(lu, data.subarray(0, bs), lba, blocks);
  }
  return received === expected ? GOOD : { status: ScsiStatus.Good, sense: null, dataIn: null, commandDataLength: expected };
}

/** BYTCHK=11b: every block of the range must equal `block`. */
async function compareEachBlock(lu: LogicalUnit, block: Buffer, lba: number, blocks: number): Promise<void> {
  const bs = lu.blockSize;
  const chunkBlocks = Math.min(blocks, Math.max(1, Math.floor(CHUNK_BYTES / bs)));
  const chunk = Buffer.allocUnsafe(chunkBlocks * bs);
  for (let done = 0; done < blocks; done += chunkBlocks) {
    const n = Math.min(chunkBlocks, blocks - done);
    const view = n === chunkBlocks ? chunk : chunk.subarray(0, n * bs);
    await lu.store.read(view, (lba + done) * bs);
    for (let i = 0; i < n; i++) {
      const diff = firstDifference(view.subarray(i * bs, (i + 1) * bs), block);
      // The Data-Out is the one block: the offset is within it.
      if (diff >= 0) throw miscompareAt(diff);
    }
  }
}

const common = { scope: 'block', dataDirection: 'out', accessesMedium: true, execute: executeVerify } as const;

export const verify10: BlockCommandDefinition = {
  ...common, name: 'VERIFY(10)', opcode: 0x2f, cdbLength: 10,
  usageData: [0x2f, 0xf6, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x00],
};
export const verify12: BlockCommandDefinition = {
  ...common, name: 'VERIFY(12)', opcode: 0xaf, cdbLength: 12,
  usageData: [0xaf, 0xf6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00],
};
export const verify16: BlockCommandDefinition = {
  ...common, name: 'VERIFY(16)', opcode: 0x8f, cdbLength: 16,
  usageData: [0x8f, 0xf6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00],
};
