/**
 * One block logical unit (SBC-3 direct-access device) over a BackingStore:
 * its store, block size, identity, unit attention queues and the tasks in
 * flight on it. Created by ScsiTarget.attachLun.
 */
import { LunCounters } from '../management/LunCounters.js';
import type { BackingStore } from '../store/BackingStore.js';
import { CheckCondition } from './CheckCondition.js';
import { CopyResults } from './CopyResults.js';
import type { DeviceIdentity } from './DeviceIdentity.js';
import { ModeParameters } from './ModeParameters.js';
import { NexusUnitAttentions } from './NexusUnitAttentions.js';
import { PeripheralType, type ScsiUnit, type TargetView } from './ScsiUnit.js';
import { SenseCodes } from './SenseCodes.js';
import { TaskTable } from './TaskTable.js';
import { AptplFile } from './reservations/AptplFile.js';
import { ReservationState } from './reservations/ReservationState.js';
import { LbaRangeLock } from './LbaRangeLock.js';

/**
 * Largest READ/WRITE core/scsi accepts in one command (VPD B0h MAXIMUM
 * TRANSFER LENGTH): bounds the buffer one command can make us allocate.
 */
export const MAX_TRANSFER_BYTES = 32 * 1024 * 1024;

export interface LogicalUnitOptions {
  readonly lun: number;
  readonly store: BackingStore;
  readonly blockSize: number;
  /** Declared read-only, or the store itself refuses writes. */
  readonly readOnly: boolean;
  /** Removable medium: START STOP UNIT LOEJ ejects/loads it (INQUIRY RMB). Default false. */
  readonly removable?: boolean;
  /** SANITIZE is offered for this LUN. Default false. */
  readonly allowSanitize?: boolean;
  /** Physical block size (READ CAPACITY(16) LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT); default blockSize. */
  readonly physicalBlockSize?: number;
  readonly identity: DeviceIdentity;
  readonly target: TargetView;
  /** Directory for state that outlives the process (APTPL persistent reservations); none: APTPL is refused. */
  readonly stateDir?: string;
}

export class LogicalUnit implements ScsiUnit {
  readonly kind = 'block' as const;
  readonly peripheral = PeripheralType.directAccessBlock;
  readonly lun: number;
  readonly store: BackingStore;
  readonly blockSize: number;
  readonly readOnly: boolean;
  readonly identity: DeviceIdentity;
  readonly target: TargetView;
  readonly unitAttentions = new NexusUnitAttentions();
  readonly tasks = new TaskTable();
  /** Persistent and SPC-2 reservations (core/scsi/reservations). */
  readonly reservations: ReservationState;
  /** What MODE SELECT changed (control page SWP). */
  readonly modeParameters = new ModeParameters();
  /** EXTENDED COPY results held for RECEIVE COPY RESULTS (this LU is their copy manager). */
  readonly copyResults = new CopyResults();
  /** I/O statistics for the management API, updated once per executed command by ScsiTarget. */
  readonly counters = new LunCounters();
  /** Makes COMPARE AND WRITE / ORWRITE atomic against writes to the same blocks. */
  readonly lbaLocks = new LbaRangeLock();
  readonly removable: boolean;
  readonly allowSanitize: boolean;
  /** log2(physical block size / block size), READ CAPACITY(16) byte 13. */
  readonly physicalBlockExponent: number;
  /** false after START STOP UNIT ejected a removable medium: medium commands are NOT READY. */
  mediumPresent = true;
  /** A SANITIZE is running: other commands get NOT READY / SANITIZE IN PROGRESS. */
  sanitizing = false;
  /** I_T nexuses that hold PREVENT MEDIUM REMOVAL (cleared on nexus loss and resets). */
  readonly preventers = new Set<string>();
  /** Maximum blocks per READ/WRITE. */
  readonly maxTransferBlocks: number;

  constructor(o: LogicalUnitOptions) {
    if (o.blockSize < 512 || o.blockSize > 65536 || (o.blockSize & (o.blockSize - 1)) !== 0) {
      throw new Error(`LUN ${o.lun}: block size ${o.blockSize} must be a power of two between 512 and 65536`);
    }
    this.lun = o.lun;
    this.store = o.store;
    this.blockSize = o.blockSize;
    this.readOnly = o.readOnly || o.store.capabilities.readOnly;
    this.removable = o.removable ?? false;
    const physical = o.physicalBlockSize ?? o.blockSize;
    const ratio = physical / o.blockSize;
    if (!Number.isInteger(ratio) || ratio < 1 || ratio > 32768 || (ratio & (ratio - 1)) !== 0) {
      throw new Error(`LUN ${o.lun}: physical block size ${physical} must be the block size ${o.blockSize} times a power of two`);
    }
    this.physicalBlockExponent = Math.log2(ratio);
    this.allowSanitize = o.allowSanitize ?? false;
    this.identity = o.identity;
    this.target = o.target;
    this.reservations = new ReservationState(this.unitAttentions, o.target.name, o.stateDir === undefined ? null : new AptplFile(o.stateDir, o.identity.naa));
    this.maxTransferBlocks = Math.floor(MAX_TRANSFER_BYTES / o.blockSize);
  }

  /** Number of logical blocks; read from the store each time, so a resize shows at once. */
  get blockCount(): number {
    return Math.floor(this.store.size / this.blockSize);
  }

  /** Number of tasks in flight. */
  get inFlight(): number {
    return this.tasks.size;
  }

  /** The store has a new size: READ CAPACITY reports it now; tell every nexus (SBC-3 CAPACITY DATA HAS CHANGED). */
  capacityChanged(): void {
    this.unitAttentions.raise(SenseCodes.capacityDataHasChanged);
  }

  /**
   * Throws LBA OUT OF RANGE unless [lba, lba+blocks) lies inside the medium.
   * The LBA itself must exist even when no block is transferred (SBC-3 4.5).
   */
  checkRange(lba: number, blocks: number): void {
    const count = this.blockCount;
    if (lba >= count || lba + blocks > count) throw CheckCondition.lbaOutOfRange();
  }

  /** Declared read-only, or write protected through the control mode page (SWP). */
  get writeProtected(): boolean {
    return this.readOnly || this.modeParameters.softwareWriteProtect;
  }

  /** Throws DATA PROTECT / WRITE PROTECTED on a read-only or software write-protected LUN. */
  checkWritable(): void {
    if (this.writeProtected) throw new CheckCondition(SenseCodes.writeProtected);
  }
}
