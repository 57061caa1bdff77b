/**
 * REQUEST SENSE (SPC-4 6.39): reports (and clears) the oldest pending unit
 * attention of this nexus, else NO SENSE; for an absent LUN, LOGICAL UNIT NOT
 * SUPPORTED. Status is GOOD in every case. DESC=1 selects descriptor format.
 */
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import type { AnyUnitCommandDefinition } from '../CommandDefinition.js';
import type { ScsiUnit } from '../ScsiUnit.js';
import { buildDescriptorSense, buildFixedSense } from '../Sense.js';
import { SenseCodes } from '../SenseCodes.js';
import { goodWithData } from '../ScsiResults.js';

export const requestSense: AnyUnitCommandDefinition = {
  name: 'REQUEST SENSE', opcode: 0x03, cdbLength: 6, scope: 'any', dataDirection: 'in',
  usageData: [0x03, 0x01, 0x00, 0x00, 0xff, 0x00],
  ignoresUnitAttention: true,
  servesAbsentLun: true,
  async execute(cmd: ScsiCommand, unit: ScsiUnit): Promise<ScsiResult> {
    const cdb = cmd.cdb;
    const code = unit.kind === 'absent'
      ? SenseCodes.logicalUnitNotSupported
      : unit.unitAttentions.take(cmd.nexus.id) ?? SenseCodes.noSense;
    const sense = (cdb[1] & 0x01) !== 0 ? buildDescriptorSense(code) : buildFixedSense(code);
    return goodWithData(sense, cdb[4]);
  },
};
