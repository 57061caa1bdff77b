/**
 * START STOP UNIT (SBC-3 5.25): accepted and ignored — a virtual medium is
 * always spinning. (Power conditions and LOEJ are a later issue.)
 */
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import { GOOD } from '../ScsiResults.js';

export const startStopUnit: BlockCommandDefinition = {
  name: 'START STOP UNIT', opcode: 0x1b, cdbLength: 6, scope: 'block', dataDirection: 'none',
  usageData: [0x1b, 0x01, 0x00, 0x0f, 0xf7, 0x00],
  async execute() {
    return GOOD;
  },
};
