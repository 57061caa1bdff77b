/** The real ScsiTarget (core/scsi) behind the host's CreateScsiTarget seam. */
import { ScsiTarget } from '../scsi/ScsiTarget.js';
import type { CreateScsiTarget } from './ScsiTargetHandle.js';

export async function loadScsiTargetFactory(): Promise<CreateScsiTarget> {
  return (opts) => new ScsiTarget(opts);
}
