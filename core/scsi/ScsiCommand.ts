/**
 * The interface between a transport and core/scsi. A transport turns its
 * PDUs into ScsiCommands and ScsiResults back into PDUs; core/scsi knows
 * nothing of TCP or iSCSI.
 */

/** An I_T nexus: one initiator port talking to one target port (SAM-5). */
export interface ItNexus {
  /** Unique for the life of the nexus, e.g. `${initiatorPortName}|${targetPortName}`. */
  readonly id: string;
  /** iSCSI initiator name (IQN/EUI/NAA). */
  readonly initiatorName: string;
  /** SCSI initiator port name: `${initiatorName},i,0x${isid hex 12}` for iSCSI. */
  readonly initiatorPortName: string;
  /** SCSI target port name: `${targetName},t,0x${tpgt hex 4}` for iSCSI. */
  readonly targetPortName: string;
  /** Relative target port identifier (the portal group tag for iSCSI), for VPD 0x83. */
  readonly relativeTargetPortId: number;
  /** Transport-level identifier of the initiator (TransportID, SPC-4 7.6.4), for PR. */
  readonly transportId: Buffer;
}

export const enum TaskAttribute {
  Simple = 0,
  Ordered = 1,
  HeadOfQueue = 2,
  Aca = 3,
}

export interface ScsiCommand {
  readonly nexus: ItNexus;
  /** LUN number (already decoded from the 8-byte LUN field). */
  readonly lun: number;
  /** The CDB; at least 16 bytes (zero-padded) — `cdb[0]` is the opcode. */
  readonly cdb: Buffer;
  /** Initiator task tag, unique per nexus while the task runs (task management uses it). */
  readonly taskTag: number;
  readonly taskAttribute: TaskAttribute;
  /** Expected data transfer length from the initiator (bytes, its data direction). */
  readonly expectedDataLength: number;
  /**
   * All data-out, collected by the transport (length = expected write length),
   * or null. core/scsi owns it from execute() on: the transport must not read
   * or reuse it again (core may return it to core/buffers/DataBufferPool).
   */
  readonly dataOut: Buffer | null;
}

export const enum ScsiStatus {
  Good = 0x00,
  CheckCondition = 0x02,
  ConditionMet = 0x04,
  Busy = 0x08,
  ReservationConflict = 0x18,
  TaskSetFull = 0x28,
  AcaActive = 0x30,
  TaskAborted = 0x40,
}

export interface ScsiResult {
  readonly status: ScsiStatus;
  /** Sense data (fixed or descriptor format) when status is CHECK CONDITION. */
  readonly sense: Buffer | null;
  /**
   * Data-In. May be longer than the expected length (the transport sends the
   * first expectedDataLength bytes and reports overflow) or shorter (underflow).
   * The transport owns it once execute() resolved, and releases it to
   * core/buffers/DataBufferPool once written (a no-op for buffers not from it).
   */
  readonly dataIn: Buffer | null;
  /**
   * For commands without Data-In: the number of bytes the CDB asked to
   * transfer, when it differs from what the transport received, so the
   * transport can report over/underflow (RFC 7143 11.4.5). Omitted = no residual.
   */
  readonly commandDataLength?: number;
}

/** iSCSI task management function codes (RFC 7143 11.5.1), also SAM-5 names. */
export const enum TaskManagementFunction {
  AbortTask = 1,
  AbortTaskSet = 2,
  ClearAca = 3,
  ClearTaskSet = 4,
  LogicalUnitReset = 5,
  TargetWarmReset = 6,
  TargetColdReset = 7,
  TaskReassign = 8,
  QueryTask = 9,
  QueryTaskSet = 10,
  QueryAsyncEvent = 11,
}

export const enum TaskManagementResponse {
  Complete = 0,
  TaskDoesNotExist = 1,
  LunDoesNotExist = 2,
  TaskStillAllegiant = 3,
  ReassignUnsupported = 4,
  NotSupported = 5,
  AuthorizationFailed = 6,
  Rejected = 255,
  /** SAM-5 FUNCTION SUCCEEDED (QUERY TASK found the task); iSCSI has no code, maps to Complete. */
  Succeeded = 254,
}

export interface TaskManagementRequest {
  readonly nexus: ItNexus;
  readonly fn: TaskManagementFunction;
  readonly lun: number;
  /** For ABORT TASK / QUERY TASK: the tag of the referenced task. */
  readonly referencedTaskTag: number;
}

/**
 * One target's SCSI side, as a transport sees it. The host builds it from the
 * declaration; the transport calls it for every command of every session
 * logged in to that target.
 */
export interface ScsiTargetDevice {
  /** Run one command. Never rejects: every failure is a ScsiResult with sense. */
  execute(cmd: ScsiCommand): Promise<ScsiResult>;
  /** Task management; the transport sends the response when this resolves. */
  taskManagement(req: TaskManagementRequest): Promise<TaskManagementResponse>;
  /** A new I_T nexus exists (session logged in). */
  nexusOpened(nexus: ItNexus): void;
  /** The nexus is gone (logout, connection loss): its tasks are aborted. */
  nexusClosed(nexus: ItNexus): void;
}
