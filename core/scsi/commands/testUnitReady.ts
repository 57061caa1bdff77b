/** TEST UNIT READY (SPC-4 6.47): GOOD once unit attentions are reported; the stores have no "not ready" state yet. */
import type { AnyUnitCommandDefinition } from '../CommandDefinition.js';
import { GOOD } from '../ScsiResults.js';

export const testUnitReady: AnyUnitCommandDefinition = {
  name: 'TEST UNIT READY', opcode: 0x00, cdbLength: 6, scope: 'any', dataDirection: 'none', accessesMedium: true,
  usageData: [0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
  async execute() {
    return GOOD;
  },
};
