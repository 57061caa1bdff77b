/**
 * COMPARE AND WRITE (SBC-3 5.2): Data-Out holds NUMBER OF LOGICAL BLOCKS of
 * verify data followed by as many of write data. Emulated for every store
 * as read, compare, write while holding an exclusive LBA range lock, which
 * plain writes to overlapping blocks also wait for: the compare and the
 * write are atomic against every other command on those blocks.
 *
 * A miscompare writes nothing and answers MISCOMPARE / MISCOMPARE DURING
 * VERIFY OPERATION with INFORMATION = offset of the first differing byte.
 */
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { CheckCondition } from '../CheckCondition.js';
import { cdbLba } from '../BlockCdb.js';
import { MAX_COMPARE_AND_WRITE_BLOCKS } from '../BlockLimits.js';
import { GOOD } from '../ScsiResults.js';
import { SenseCodes } from '../SenseCodes.js';

/** Offset of the first byte where a and b differ (same length), or -1. */
export function firstDifference(a: Buffer, b: Buffer): number {
  if (a.equals(b)) return -1;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

export function miscompareAt(offset: number): CheckCondition {
  return new CheckCondition(SenseCodes.miscompareDuringVerify, { information: offset });
}

async function executeCompareAndWrite(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
  const cdb = cmd.cdb;
  if ((cdb[1] & 0xe0) !== 0) throw CheckCondition.invalidFieldInCdb(1, 7); // WRPROTECT: no protection information
  const lba = cdbLba(cdb);
  const blocks = cdb[13];
  if (blocks > MAX_COMPARE_AND_WRITE_BLOCKS) throw CheckCondition.invalidFieldInCdb(13);
  lu.checkRange(lba, blocks);
  lu.checkWritable();
  const bytes = blocks * lu.blockSize;
  const received = cmd.dataOut === null ? 0 : cmd.dataOut.length;
  // The Data-Out must be exactly the verify and the write data: anything else is a malformed command.
  if (received !== 2 * bytes) throw CheckCondition.invalidFieldInCdb(13);
  if (blocks === 0) return GOOD;
  const data = cmd.dataOut as Buffer;
  const fua = (cdb[1] & 0x08) !== 0;
  const current = Buffer.allocUnsafe(bytes);
  const held = await lu.lbaLocks.acquireExclusive(lba, blocks);
  try {
    await lu.store.read(current, lba * lu.blockSize);
    const diff = firstDifference(current, data.subarray(0, bytes));
    if (diff >= 0) throw miscompareAt(diff);
    await lu.store.write(data.subarray(bytes), lba * lu.blockSize, fua);
  } finally {
    lu.lbaLocks.release(held);
  }
  return GOOD;
}

export const compareAndWrite: BlockCommandDefinition = {
  name: 'COMPARE AND WRITE', opcode: 0x89, cdbLength: 16, scope: 'block', dataDirection: 'out', writesMedium: true, accessesMedium: true,
  usageData: [0x89, 0xfa, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0x1f, 0x00],
  execute: executeCompareAndWrite,
};
