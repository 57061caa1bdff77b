/**
 * WRITE SAME(10) and WRITE SAME(16) (SBC-3 5.41, 5.42): one block of
 * Data-Out (or zeros with NDOB, WRITE SAME(16) only) written to every block
 * of a range. NUMBER OF LOGICAL BLOCKS 0 means "to the end of the medium"
 * (WSNZ=0). Core emulates it for every store:
 * - UNMAP=1 on a thin store: the range is deallocated and reads back as
 *   zeros (LBPRZ), whatever the Data-Out block holds — what tgt and LIO do
 *   and what libiscsi's WriteSame10.UnmapUntilEnd expects (it sends 0xFF);
 * - a zero block on a store with writeZeroes: zeroed without buffers;
 * - otherwise: written in chunks of at most 1 MiB, the block repeated.
 * UNMAP=1 on a LUN that is not thin is refused (LBPWS/LBPWS10 are 0 there).
 * ANCHOR, WRPROTECT and the obsolete PBDATA/LBDATA bits are refused.
 */
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { CheckCondition } from '../CheckCondition.js';
import { cdbLba } from '../BlockCdb.js';
import { isThin, maxWriteSameBlocks } from '../BlockLimits.js';
import { GOOD } from '../ScsiResults.js';
import { SenseCodes } from '../SenseCodes.js';
import { deallocate } from './unmap.js';

const CHUNK_BYTES = 1024 * 1024;

function isZero(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

async function executeWriteSame(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
  const cdb = cmd.cdb;
  const long = cdb[0] === 0x93;
  const flags = cdb[1];
  if ((flags & 0xe0) !== 0) throw CheckCondition.invalidFieldInCdb(1, 7); // WRPROTECT: no protection information
  if ((flags & 0x06) !== 0) throw CheckCondition.invalidFieldInCdb(1, (flags & 0x04) !== 0 ? 2 : 1); // PBDATA/LBDATA (obsolete)
  const anchor = (flags & 0x10) !== 0;
  const unmapBit = (flags & 0x08) !== 0;
  const ndob = long && (flags & 0x01) !== 0;
  if (!long && (flags & 0x01) !== 0) throw CheckCondition.invalidFieldInCdb(1, 0);
  // ANCHOR needs UNMAP, and anchored LBAs are not supported anyway (ANC_SUP=0).
  if (anchor) throw CheckCondition.invalidFieldInCdb(1, 4);
  if (unmapBit && !isThin(lu)) throw CheckCondition.invalidFieldInCdb(1, 3);

  const lba = cdbLba(cdb);
  const lengthByte = long ? 10 : 7;
  let blocks = long ? cdb.readUInt32BE(10) : cdb.readUInt16BE(7);
  lu.checkRange(lba, 0);
  if (blocks === 0) blocks = lu.blockCount - lba; // WSNZ=0: to the last block
  if (blocks > maxWriteSameBlocks(lu)) throw CheckCondition.invalidFieldInCdb(lengthByte);
  lu.checkRange(lba, blocks);
  lu.checkWritable();

  const bs = lu.blockSize;
  let block: Buffer | null = null;
  if (ndob) {
    if (cmd.dataOut !== null && cmd.dataOut.length !== 0) {
      throw new CheckCondition(SenseCodes.invalidFieldInCommandInformationUnit, { commandDataLength: 0 });
    }
  } else {
    if (cmd.dataOut === null || cmd.dataOut.length !== bs) {
      throw new CheckCondition(SenseCodes.invalidFieldInCommandInformationUnit, { commandDataLength: bs });
    }
    block = cmd.dataOut;
  }
  const zero = block === null || isZero(block);
  const caps = lu.store.capabilities;
  if (unmapBit && caps.discardZeroes) {
    await deallocate(lu, lba, blocks);
    return GOOD;
  }
  const pending = lu.lbaLocks.beginWrite(lba, blocks);
  const held = pending === null ? null : await pending;
  try {
    if (zero && caps.writeZeroes && lu.store.writeZeroes !== undefined) {
      await lu.store.writeZeroes(lba * bs, blocks * bs);
    } else {
      await writeRepeated(lu, block ?? Buffer.alloc(bs), lba, blocks);
    }
  } finally {
    lu.lbaLocks.endWrite(held);
  }
  return GOOD;
}

/** Writes `block` to each of [lba, lba+blocks), a bounded chunk at a time. */
async function writeRepeated(lu: LogicalUnit, block: Buffer, lba: number, blocks: number): Promise<void> {
  const bs = lu.blockSize;
  const chunkBlocks = Math.min(blocks, Math.max(1, Math.floor(CHUNK_BYTES / bs)));
  const chunk = Buffer.allocUnsafe(chunkBlocks * bs);
  chunk.fill(block);
  for (let done = 0; done < blocks; done += chunkBlocks) {
    const n = Math.min(chunkBlocks, blocks - done);
    await lu.store.write(n === chunkBlocks ? chunk : chunk.subarray(0, n * bs), (lba + done) * bs, false);
  }
}

const common = { scope: 'block', dataDirection: 'out', writesMedium: true, accessesMedium: true, execute: executeWriteSame } as const;

export const writeSame10: BlockCommandDefinition = {
  ...common, name: 'WRITE SAME(10)', opcode: 0x41, cdbLength: 10,
  usageData: [0x41, 0xf8, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x00],
};

export const writeSame16: BlockCommandDefinition = {
  ...common, name: 'WRITE SAME(16)', opcode: 0x93, cdbLength: 16,
  usageData: [0x93, 0xf9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00],
};
