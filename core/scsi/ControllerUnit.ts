/**
 * LUN 0 when the declaration has none: a storage array controller (device
 * type 0Ch), as tgt provides, so initiators that scan from LUN 0 find the
 * target's LUNs. It answers INQUIRY, REPORT LUNS, TEST UNIT READY and
 * REQUEST SENSE, and carries unit attentions (REPORTED LUNS DATA HAS CHANGED).
 */
import { deriveIdentity, type DeviceIdentity } from './DeviceIdentity.js';
import { NexusUnitAttentions } from './NexusUnitAttentions.js';
import { PeripheralType, type ScsiUnit, type TargetView } from './ScsiUnit.js';

export class ControllerUnit implements ScsiUnit {
  readonly kind = 'controller' as const;
  readonly lun = 0;
  readonly peripheral = PeripheralType.storageArrayController;
  readonly identity: DeviceIdentity;
  readonly unitAttentions = new NexusUnitAttentions();

  constructor(readonly target: TargetView) {
    this.identity = deriveIdentity({ targetName: target.name, lun: 'controller' });
  }
}
