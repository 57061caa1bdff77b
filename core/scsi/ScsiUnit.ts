/**
 * What a command handler addresses: a block logical unit (LogicalUnit), the
 * stand-in controller answering LUN 0 when none is declared, or a LUN that
 * does not exist. Handlers switch on `kind`.
 */
import type { DeviceIdentity } from './DeviceIdentity.js';
import type { NexusUnitAttentions } from './NexusUnitAttentions.js';
import type { OpcodeTable } from './OpcodeTable.js';
import type { SenseCode } from './SenseCodes.js';
import type { LogicalUnit } from './LogicalUnit.js';

/** The parts of a target a unit's handlers need (REPORT LUNS, VPD 83h). */
export interface TargetView {
  /** Target name (iSCSI IQN). */
  readonly name: string;
  /** LUN numbers REPORT LUNS lists, ascending (includes the stand-in LUN 0). */
  lunNumbers(): number[];
  /** Every command core/scsi knows (REPORT SUPPORTED OPERATION CODES filters it per unit). */
  readonly opcodes: OpcodeTable;
  /** Drops a pending unit attention `code` of `nexusId` on every unit of the target. */
  clearUnitAttention(nexusId: string, code: SenseCode): void;
  /** Whether `initiatorName` has an I_T nexus (a session past login and ACLs) with this target. */
  hasInitiator(initiatorName: string): boolean;
  /** A LU of the host (any target) by its NAA designator, for EXTENDED COPY; undefined when none. */
  findLogicalUnitByNaa(naa: Buffer): LogicalUnit | undefined;
}

export type ScsiUnitKind = 'block' | 'controller' | 'absent';

export interface ScsiUnit {
  readonly kind: ScsiUnitKind;
  readonly lun: number;
  /** INQUIRY byte 0: peripheral qualifier (bits 7-5) and peripheral device type (bits 4-0). */
  readonly peripheral: number;
  readonly identity: DeviceIdentity;
  readonly target: TargetView;
  readonly unitAttentions: NexusUnitAttentions;
}

export const PeripheralType = {
  directAccessBlock: 0x00,
  storageArrayController: 0x0c,
  /** Qualifier 011b, type 1Fh: no logical unit can exist at this address. */
  notCapable: 0x7f,
} as const;
