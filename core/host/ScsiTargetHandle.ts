/**
 * What the host needs from core/scsi's ScsiTarget: the device a transport
 * calls, plus attaching and detaching LUNs. Kept as an interface so plan/apply
 * can be tested with a stand-in.
 */
import type { Logger } from '../log/Logger.js';
import type { ScsiTargetDevice } from '../scsi/ScsiCommand.js';
import type { BackingStore } from '../store/BackingStore.js';

export interface AttachLunRequest {
  readonly lun: number;
  readonly store: BackingStore;
  readonly blockSize: number;
  readonly readOnly: boolean;
  readonly serial: string;
  readonly physicalBlockSize?: number;
  readonly removable?: boolean;
  readonly allowSanitize?: boolean;
  /** Directory for the LU's persistent SCSI state (APTPL reservations). */
  readonly stateDir?: string;
}

export interface AttachedLun {
  /** The store's size changed: raise CAPACITY DATA HAS CHANGED. */
  capacityChanged(): void;
}

export interface ScsiTargetHandle extends ScsiTargetDevice {
  attachLun(req: AttachLunRequest): AttachedLun;
  /** Waits for in-flight commands of the LUN, then removes it. */
  detachLun(lun: number): Promise<void> | void;
}

export type CreateScsiTarget = (opts: { name: string; log: Logger }) => ScsiTargetHandle;
