/**
 * START STOP UNIT (SBC-3 5.25). A virtual medium is always spinning, so
 * START without LOEJ and every POWER CONDITION are accepted and change
 * nothing. On a removable LUN, LOEJ=1 ejects (START=0) or loads (START=1)
 * the medium, unless an I_T nexus holds PREVENT MEDIUM REMOVAL: then
 * ILLEGAL REQUEST / MEDIUM REMOVAL PREVENTED. An eject first flushes the
 * store (unless NO_FLUSH). On a fixed LUN, LOEJ is ignored.
 */
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { CheckCondition } from '../CheckCondition.js';
import { GOOD } from '../ScsiResults.js';
import { SenseCodes } from '../SenseCodes.js';

export const startStopUnit: BlockCommandDefinition = {
  name: 'START STOP UNIT', opcode: 0x1b, cdbLength: 6, scope: 'block', dataDirection: 'none',
  usageData: [0x1b, 0x01, 0x00, 0x0f, 0xf7, 0x00],
  async execute(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
    const b4 = cmd.cdb[4];
    const powerCondition = b4 >> 4;
    const loej = (b4 & 0x02) !== 0;
    // With a POWER CONDITION, START and LOEJ are ignored (SBC-3 5.25).
    if (powerCondition !== 0 || !loej || !lu.removable) return GOOD;
    if (lu.preventers.size > 0) throw new CheckCondition(SenseCodes.mediumRemovalPrevented);
    const start = (b4 & 0x01) !== 0;
    if (!start && lu.mediumPresent) {
      if ((b4 & 0x04) === 0 && !lu.readOnly) await lu.store.flush();
      lu.mediumPresent = false;
    } else if (start) {
      lu.mediumPresent = true;
    }
    return GOOD;
  },
};
