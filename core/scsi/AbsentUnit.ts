/**
 * Any LUN number with no logical unit behind it. INQUIRY reports peripheral
 * qualifier 011b / type 1Fh, REQUEST SENSE reports LOGICAL UNIT NOT
 * SUPPORTED, REPORT LUNS works; everything else is refused by ScsiTarget.
 */
import type { DeviceIdentity } from './DeviceIdentity.js';
import { NexusUnitAttentions } from './NexusUnitAttentions.js';
import { PeripheralType, type ScsiUnit, type TargetView } from './ScsiUnit.js';

export class AbsentUnit implements ScsiUnit {
  readonly kind = 'absent' as const;
  readonly lun = -1;
  readonly peripheral = PeripheralType.notCapable;
  /** Never has a nexus, so never a unit attention. */
  readonly unitAttentions = new NexusUnitAttentions();

  constructor(readonly target: TargetView, readonly identity: DeviceIdentity) {}
}
