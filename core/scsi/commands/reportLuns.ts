/**
 * REPORT LUNS (SPC-4 6.33). SELECT REPORT 0 and 2 list every LUN (the
 * stand-in LUN 0 included); 1 lists well-known LUNs, of which there are none.
 */
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import type { AnyUnitCommandDefinition } from '../CommandDefinition.js';
import type { ScsiUnit } from '../ScsiUnit.js';
import { CheckCondition } from '../CheckCondition.js';
import { goodWithData } from '../ScsiResults.js';
import { SenseCodes } from '../SenseCodes.js';

/** 8-byte LUN (SAM-5 4.6): peripheral addressing below 256, flat space addressing up to 16383. */
export function encodeLun(lun: number, into: Buffer, at: number): void {
  if (lun < 256) {
    into[at] = 0;
    into[at + 1] = lun;
  } else {
    into[at] = 0x40 | ((lun >> 8) & 0x3f);
    into[at + 1] = lun & 0xff;
  }
}

export const reportLuns: AnyUnitCommandDefinition = {
  name: 'REPORT LUNS', opcode: 0xa0, cdbLength: 12, scope: 'any', dataDirection: 'in',
  usageData: [0xa0, 0x00, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00],
  ignoresUnitAttention: true,
  servesAbsentLun: true,
  async execute(cmd: ScsiCommand, unit: ScsiUnit): Promise<ScsiResult> {
    const cdb = cmd.cdb;
    const select = cdb[2];
    if (select > 2) throw CheckCondition.invalidFieldInCdb(2);
    const luns = select === 1 ? [] : unit.target.lunNumbers();
    // The initiator now has the new inventory: REPORTED LUNS DATA HAS CHANGED is cleared on every LU (SPC-4 6.33).
    unit.target.clearUnitAttention(cmd.nexus.id, SenseCodes.reportedLunsDataHasChanged);
    const data = Buffer.alloc(8 + 8 * luns.length);
    data.writeUInt32BE(8 * luns.length, 0);
    luns.forEach((lun, i) => encodeLun(lun, data, 8 + 8 * i));
    return goodWithData(data, cdb.readUInt32BE(6));
  },
};
