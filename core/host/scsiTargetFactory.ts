/** The real ScsiTarget (core/scsi) behind the host's CreateScsiTarget seam. */
import { LogicalUnitDirectory } from '../scsi/LogicalUnitDirectory.js';
import { ScsiTarget } from '../scsi/ScsiTarget.js';
import type { CreateScsiTarget } from './ScsiTargetHandle.js';

export async function loadScsiTargetFactory(): Promise<CreateScsiTarget> {
  // One directory for all targets of the host: EXTENDED COPY may copy between LUs of different targets.
  const directory = new LogicalUnitDirectory();
  return (opts) => new ScsiTarget({ ...opts, directory });
}
