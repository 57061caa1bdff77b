/**
 * PRE-FETCH(10) and PRE-FETCH(16) (SBC-3 5.8, 5.9): the range is checked
 * and GOOD is returned — lunhost keeps no cache of its own to load (the
 * store's, e.g. the page cache, fills on the read), and GOOD is what the
 * standard asks when the blocks were not transferred to a cache. IMMED is
 * accepted.
 */
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { cdbLba, cdbTransferLength } from '../BlockCdb.js';
import { GOOD } from '../ScsiResults.js';

async function executePrefetch(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
  lu.checkRange(cdbLba(cmd.cdb), cdbTransferLength(cmd.cdb));
  return GOOD;
}

const common = { scope: 'block', dataDirection: 'none', accessesMedium: true, execute: executePrefetch } as const;

export const prefetch10: BlockCommandDefinition = {
  ...common, name: 'PRE-FETCH(10)', opcode: 0x34, cdbLength: 10,
  usageData: [0x34, 0x02, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x00],
};
export const prefetch16: BlockCommandDefinition = {
  ...common, name: 'PRE-FETCH(16)', opcode: 0x90, cdbLength: 16,
  usageData: [0x90, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00],
};
