/**
 * SYNCHRONIZE CACHE(10) and (16) (SBC-3 5.22-5.23): range checked, then the
 * whole store is flushed (stores flush everything; a range is a hint).
 */
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import { cdbLba } from '../BlockCdb.js';
import { GOOD } from '../ScsiResults.js';

async function executeSynchronizeCache(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
  const cdb = cmd.cdb;
  const lba = cdbLba(cdb);
  // NUMBER OF LOGICAL BLOCKS 0 means "to the end of the medium".
  const blocks = cdb[0] === 0x35 ? cdb.readUInt16BE(7) : cdb.readUInt32BE(10);
  lu.checkRange(lba, blocks);
  await lu.store.flush();
  return GOOD;
}

export const synchronizeCache10: BlockCommandDefinition = {
  name: 'SYNCHRONIZE CACHE(10)', opcode: 0x35, cdbLength: 10, scope: 'block', dataDirection: 'none', writesMedium: true, accessesMedium: true,
  usageData: [0x35, 0x02, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff, 0x00],
  execute: executeSynchronizeCache,
};

export const synchronizeCache16: BlockCommandDefinition = {
  name: 'SYNCHRONIZE CACHE(16)', opcode: 0x91, cdbLength: 16, scope: 'block', dataDirection: 'none', writesMedium: true, accessesMedium: true,
  usageData: [0x91, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00],
  execute: executeSynchronizeCache,
};
