/**
 * PREVENT ALLOW MEDIUM REMOVAL (SBC-3 5.12): PREVENT 01b records that this
 * I_T nexus prevents removal, 00b withdraws it. While any nexus prevents,
 * START STOP UNIT cannot eject or load a removable medium. Prevention ends
 * with the nexus and with LOGICAL UNIT RESET / target resets (ScsiTarget).
 * PREVENT 1xb (obsolete) is an invalid field.
 */
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { CheckCondition } from '../CheckCondition.js';
import { GOOD } from '../ScsiResults.js';

export const preventAllowMediumRemoval: BlockCommandDefinition = {
  name: 'PREVENT ALLOW MEDIUM REMOVAL', opcode: 0x1e, cdbLength: 6, scope: 'block', dataDirection: 'none',
  usageData: [0x1e, 0x00, 0x00, 0x00, 0x03, 0x00],
  async execute(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
    const prevent = cmd.cdb[4] & 0x03;
    if (prevent > 1) throw CheckCondition.invalidFieldInCdb(4, 1);
    if (prevent === 1) lu.preventers.add(cmd.nexus.id);
    else lu.preventers.delete(cmd.nexus.id);
    return GOOD;
  },
};
