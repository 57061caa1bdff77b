/**
 * The SCSI side of one target (SAM-5 SCSI target device): its logical units,
 * the I_T nexuses that know it, command dispatch through the opcode table,
 * unit attentions and task management. The host builds one per declared
 * target; transports call it through ScsiTargetDevice.
 *
 * Contract with transports:
 * - execute() never rejects. Failures are CHECK CONDITION results with
 *   fixed-format sense data.
 * - Aborted tasks: when task management (ABORT TASK, ABORT TASK SET, CLEAR
 *   TASK SET, LOGICAL UNIT RESET, TARGET WARM RESET) or nexusClosed() aborts a
 *   task, its execute() still resolves — once the store I/O already started
 *   has finished — with status TASK ABORTED (40h) and no data. The transport
 *   must NOT send a response for such a result (RFC 7143 / SAM-5 with TAS=0:
 *   the task simply ends). taskManagement() resolves only after every task it
 *   aborted has finished, so a FUNCTION COMPLETE response never overtakes a
 *   write still reaching the store.
 * - ABORT TASK for an unknown tag returns TaskDoesNotExist; the transport
 *   applies RFC 7143 11.5.1's RefCmdSN rule (answer Function Complete when
 *   the command was never received).
 * - A new nexus (nexusOpened) gets POWER ON, RESET, OR BUS DEVICE RESET
 *   OCCURRED on every LUN, like tgt and SAM-5 require; initiators clear it
 *   with TEST UNIT READY after login.
 * - Task attributes: SIMPLE tasks run concurrently; an ORDERED task starts
 *   after every earlier task of its LU has ended, and later SIMPLE/ORDERED
 *   tasks start after it; HEAD OF QUEUE tasks start at once. (ACA is not
 *   supported: an ACA task runs as SIMPLE.)
 * - Every command executed on a LogicalUnit updates its `counters`
 *   (core/management/LunCounters) for the management API: number updates
 *   only, no allocation, no hooks, no logging.
 *
 * LUN 0 always answers: when none is declared, a storage array controller
 * (ControllerUnit) stands in for it so initiators can scan.
 */
import type { Logger } from '../log/Logger.js';
import { IoKind } from '../management/LunCounters.js';
import { ioKindOfOpcode } from './ioKindOfOpcode.js';
import type { BackingStore } from '../store/BackingStore.js';
import { StoreError } from '../store/StoreError.js';
import { AbsentUnit } from './AbsentUnit.js';
import { CheckCondition } from './CheckCondition.js';
import type { CommandDefinition } from './CommandDefinition.js';
import { ControllerUnit } from './ControllerUnit.js';
import { deriveIdentity } from './DeviceIdentity.js';
import { LogicalUnit } from './LogicalUnit.js';
import { LogicalUnitDirectory } from './LogicalUnitDirectory.js';
import { OpcodeTable } from './OpcodeTable.js';
import {
  ScsiStatus,
  TaskAttribute,
  TaskManagementFunction,
  TaskManagementResponse,
  type ItNexus,
  type ScsiCommand,
  type ScsiResult,
  type ScsiTargetDevice,
  type TaskManagementRequest,
} from './ScsiCommand.js';
import { TASK_ABORTED } from './ScsiResults.js';
import type { ScsiUnit, TargetView } from './ScsiUnit.js';
import { buildFixedSense } from './Sense.js';
import { SenseCodes, type SenseCode } from './SenseCodes.js';
import { senseForStoreFailure } from './StoreErrorSense.js';
import type { TaskRecord } from './TaskTable.js';
import { ALL_COMMANDS } from './commands/index.js';
import { RESERVATION_CONFLICT, reservationConflict } from './reservations/ReservationAccess.js';

export const OPCODES = new OpcodeTable(ALL_COMMANDS);

/** Highest LUN number: flat space addressing (SAM-5) holds 14 bits. */
export const MAX_LUN = 16383;

export interface ScsiTargetOptions {
  /** Target name (iSCSI IQN). */
  readonly name: string;
  readonly log: Logger;
  /** The host's LUs by designator, shared by all its targets (EXTENDED COPY across targets); default: this target's own. */
  readonly directory?: LogicalUnitDirectory;
}

export interface AttachLunOptions {
  readonly lun: number;
  readonly store: BackingStore;
  /** Logical block size in bytes (512 or 4096 usually). */
  readonly blockSize: number;
  readonly readOnly: boolean;
  /** VPD 80h serial (printable ASCII); absent or '' means derived from target name and LUN. */
  readonly serial?: string;
  /** INQUIRY vendor (≤ 8 ASCII characters). */
  readonly vendor?: string;
  /** INQUIRY product (≤ 16 ASCII characters). */
  readonly product?: string;
  /** Directory for the LU's lasting state (APTPL persistent reservations); without it APTPL is refused. */
  readonly stateDir?: string;
  /** Removable medium (INQUIRY RMB): START STOP UNIT ejects and loads it, PREVENT ALLOW MEDIUM REMOVAL guards it. */
  readonly removable?: boolean;
  /** SANITIZE may erase this LUN (otherwise the command does not exist for it). */
  readonly allowSanitize?: boolean;
  /** Physical block size reported by READ CAPACITY(16) (a power-of-two multiple of blockSize); default blockSize. */
  readonly physicalBlockSize?: number;
}

function checkConditionResult(code: SenseCode): ScsiResult {
  return { status: ScsiStatus.CheckCondition, sense: buildFixedSense(code), dataIn: null };
}

/**
 * One number-only update of the LUN's counters (no allocation). Reads and
 * writes are the medium READ/WRITE commands (ioKindOfOpcode), everything
 * else counts as Other; data moved is counted only when GOOD.
 */
function recordCounters(lu: LogicalUnit, _def: CommandDefinition, cmd: ScsiCommand, result: ScsiResult, latencyUs: number): void {
  const good = result.status === ScsiStatus.Good;
  const kind = ioKindOfOpcode(cmd.cdb[0]!);
  let bytes = 0;
  if (good && kind === IoKind.Read) {
    bytes = result.dataIn === null ? 0 : Math.min(result.dataIn.length, cmd.expectedDataLength);
  } else if (good && kind === IoKind.Write) {
    bytes = result.commandDataLength ?? (cmd.dataOut === null ? 0 : cmd.dataOut.length);
  }
  lu.counters.record(kind, bytes, latencyUs, !good);
}

export class ScsiTarget implements ScsiTargetDevice, TargetView {
  readonly name: string;
  readonly opcodes: OpcodeTable = OPCODES;
  private readonly log: Logger;
  private readonly directory: LogicalUnitDirectory;
  private readonly luns = new Map<number, LogicalUnit>();
  private readonly nexuses = new Map<string, ItNexus>();
  private readonly controller: ControllerUnit;
  private readonly absent: AbsentUnit;
  private sortedLuns: number[] = [0];

  constructor(o: ScsiTargetOptions) {
    this.name = o.name;
    this.log = o.log;
    this.directory = o.directory ?? new LogicalUnitDirectory();
    this.controller = new ControllerUnit(this);
    this.absent = new AbsentUnit(this, this.controller.identity);
  }

  // ---- control path: LUNs -------------------------------------------------

  attachLun(o: AttachLunOptions): LogicalUnit {
    if (!Number.isInteger(o.lun) || o.lun < 0 || o.lun > MAX_LUN) {
      throw new Error(`target ${this.name}: LUN ${o.lun} is not an integer between 0 and ${MAX_LUN}`);
    }
    if (this.luns.has(o.lun)) {
      throw new Error(`target ${this.name}: LUN ${o.lun} is already attached; detach it first`);
    }
    const lu = new LogicalUnit({
      lun: o.lun,
      store: o.store,
      blockSize: o.blockSize,
      readOnly: o.readOnly,
      removable: o.removable ?? false,
      physicalBlockSize: o.physicalBlockSize,
      allowSanitize: o.allowSanitize ?? false,
      identity: deriveIdentity({ targetName: this.name, lun: o.lun, vendor: o.vendor, product: o.product, serial: o.serial }),
      target: this,
      stateDir: o.stateDir,
    });
    for (const [id, nexus] of this.nexuses) {
      lu.unitAttentions.addNexus(id);
      lu.reservations.nexusOpened(nexus);
    }
    this.luns.set(o.lun, lu);
    if (lu.reservations.loadProblem !== null) this.log.warn(lu.reservations.loadProblem, { target: this.name, lun: o.lun });
    this.directory.add(lu);
    this.lunsChanged(lu);
    this.log.debug('LUN attached', { target: this.name, lun: o.lun, size: o.store.size, blockSize: o.blockSize });
    return lu;
  }

  /** Removes the LUN at once (new commands see no LUN), then waits for its in-flight commands. */
  async detachLun(lun: number): Promise<void> {
    const lu = this.luns.get(lun);
    if (lu === undefined) throw new Error(`target ${this.name}: LUN ${lun} is not attached`);
    this.luns.delete(lun);
    this.directory.remove(lu);
    await lu.tasks.idle();
    this.lunsChanged(null);
    this.log.debug('LUN detached', { target: this.name, lun });
  }

  clearUnitAttention(nexusId: string, code: SenseCode): void {
    for (const unit of this.units()) unit.unitAttentions.clearFor(nexusId, code);
  }

  hasInitiator(initiatorName: string): boolean {
    for (const n of this.nexuses.values()) if (n.initiatorName === initiatorName) return true;
    return false;
  }

  /** A LU of the host (this target or another) by its NAA designator: EXTENDED COPY targets. */
  findLogicalUnitByNaa(naa: Buffer): LogicalUnit | undefined {
    return this.directory.findByNaa(naa);
  }

  getLun(lun: number): LogicalUnit | undefined {
    return this.luns.get(lun);
  }

  /** LUN numbers REPORT LUNS lists, ascending; 0 is always there (the stand-in controller when undeclared). */
  lunNumbers(): number[] {
    return this.sortedLuns;
  }

  /** After an attach/detach: REPORTED LUNS DATA HAS CHANGED on every other unit, for every nexus. */
  private lunsChanged(changed: LogicalUnit | null): void {
    const numbers = [...this.luns.keys()];
    if (!this.luns.has(0)) numbers.push(0);
    this.sortedLuns = numbers.sort((a, b) => a - b);
    for (const unit of this.units()) {
      if (unit !== changed) unit.unitAttentions.raise(SenseCodes.reportedLunsDataHasChanged);
    }
  }

  /** Every unit that carries unit attentions: the LUs, plus the controller when LUN 0 is not declared. */
  private units(): ScsiUnit[] {
    const list: ScsiUnit[] = [...this.luns.values()];
    if (!this.luns.has(0)) list.push(this.controller);
    return list;
  }

  // ---- nexuses ------------------------------------------------------------

  nexusOpened(nexus: ItNexus): void {
    this.nexuses.set(nexus.id, nexus);
    for (const lu of this.luns.values()) {
      lu.unitAttentions.addNexus(nexus.id, SenseCodes.powerOnResetOccurred);
      lu.reservations.nexusOpened(nexus);
    }
    this.controller.unitAttentions.addNexus(nexus.id, SenseCodes.powerOnResetOccurred);
  }

  nexusClosed(nexus: ItNexus): void {
    this.nexuses.delete(nexus.id);
    for (const lu of this.luns.values()) {
      for (const task of lu.tasks.list(nexus.id)) task.aborted = true;
      lu.unitAttentions.removeNexus(nexus.id);
      lu.reservations.nexusClosed(nexus); // ends its SPC-2 reservation; registrations stay
      lu.copyResults.forgetNexus(nexus.id);
      lu.preventers.delete(nexus.id); // I_T nexus loss ends its PREVENT MEDIUM REMOVAL (SBC-3 5.12)
    }
    this.controller.unitAttentions.removeNexus(nexus.id);
  }

  // ---- hot path -----------------------------------------------------------

  execute(cmd: ScsiCommand): Promise<ScsiResult> {
    // A transport that skipped nexusOpened still gets unit attentions from now on (but no power-on one).
    if (!this.nexuses.has(cmd.nexus.id)) this.adoptNexus(cmd.nexus);
    const def = OPCODES.lookup(cmd.cdb);
    const lu = this.luns.get(cmd.lun);
    return lu !== undefined ? this.executeOnLogicalUnit(def, cmd, lu) : this.executeWithoutLogicalUnit(def, cmd);
  }

  private async executeOnLogicalUnit(def: CommandDefinition | undefined, cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
    if (def === undefined || def.ignoresUnitAttention !== true) {
      const ua = lu.unitAttentions.take(cmd.nexus.id);
      if (ua !== undefined) return checkConditionResult(ua);
    }
    // SBC-3 5.19: a SANITIZE service action that is not supported is an invalid field, not an unknown command.
    if (def === undefined && cmd.cdb[0] === 0x48 && OPCODES.hasServiceActions(0x48) && lu.allowSanitize) {
      return { status: ScsiStatus.CheckCondition, sense: buildFixedSense({ ...SenseCodes.invalidFieldInCdb, field: { inCdb: true, byte: 1, bit: 4 } }), dataIn: null };
    }
    // PERSISTENT RESERVE IN/OUT: an unknown service action is INVALID FIELD IN CDB (libiscsi PrinServiceactionRange).
    if (def === undefined && (cmd.cdb[0] === 0x5e || cmd.cdb[0] === 0x5f)) {
      return { status: ScsiStatus.CheckCondition, sense: buildFixedSense({ ...SenseCodes.invalidFieldInCdb, field: { inCdb: true, byte: 1, bit: 4 } }), dataIn: null };
    }
    if (def === undefined || (def.availableOn !== undefined && !def.availableOn(lu))) {
      return checkConditionResult(SenseCodes.invalidCommandOperationCode);
    }
    // An ejected removable medium (START STOP UNIT LOEJ): medium commands are NOT READY.
    if (!lu.mediumPresent && def.accessesMedium === true) return checkConditionResult(SenseCodes.mediumNotPresent);
    // While SANITIZE runs only INQUIRY, REPORT LUNS and REQUEST SENSE are served (SBC-3 4.11).
    if (lu.sanitizing && def.ignoresUnitAttention !== true) return checkConditionResult(SenseCodes.sanitizeInProgress);
    // CONTROL byte NACA: ACA is not supported (SAM-5 5.x), so NACA=1 is an invalid field.
    if ((cmd.cdb[def.cdbLength - 1] & 0x04) !== 0) return this.failure(CheckCondition.invalidFieldInCdb(def.cdbLength - 1, 2), def, cmd);
    // SPC-4 5.12.3 / SBC-3 4.17: what a reservation forbids this nexus ends here (after unit attentions, like tgt).
    if (reservationConflict(lu.reservations, cmd)) return RESERVATION_CONFLICT;
    const task = lu.tasks.begin(cmd.nexus.id, cmd.taskTag);
    // Task attributes (SAM-5 8.6): ORDERED waits for every earlier task and holds back later ones;
    // SIMPLE waits only while an ORDERED task is in flight; HEAD OF QUEUE never waits.
    const barrier = cmd.taskAttribute === TaskAttribute.Ordered ? lu.tasks.beginOrdered(task)
      : cmd.taskAttribute === TaskAttribute.HeadOfQueue ? null : lu.tasks.orderedBarrier;
    const started = performance.now();
    let result: ScsiResult;
    try {
      if (barrier !== null) await barrier;
      // Aborted while it waited: it never runs.
      result = task.aborted ? TASK_ABORTED : await def.execute(cmd, lu);
    } catch (err) {
      result = this.failure(err, def, cmd);
    }
    lu.tasks.end(task);
    recordCounters(lu, def, cmd, result, (performance.now() - started) * 1000);
    return task.aborted ? TASK_ABORTED : result;
  }

  /** LUN 0 without a declared LUN 0 (the controller), or a LUN that does not exist. */
  private async executeWithoutLogicalUnit(def: CommandDefinition | undefined, cmd: ScsiCommand): Promise<ScsiResult> {
    let unit: ScsiUnit;
    if (cmd.lun === 0) {
      unit = this.controller;
      if (def === undefined || def.ignoresUnitAttention !== true) {
        const ua = unit.unitAttentions.take(cmd.nexus.id);
        if (ua !== undefined) return checkConditionResult(ua);
      }
      if (def === undefined || def.scope !== 'any') return checkConditionResult(SenseCodes.invalidCommandOperationCode);
    } else {
      unit = this.absent;
      if (def === undefined || def.scope !== 'any' || def.servesAbsentLun !== true) {
        return checkConditionResult(SenseCodes.logicalUnitNotSupported);
      }
    }
    try {
      return await def.execute(cmd, unit);
    } catch (err) {
      return this.failure(err, def, cmd);
    }
  }

  /** A handler or store failed: CHECK CONDITION with the matching sense. */
  private failure(err: unknown, def: CommandDefinition, cmd: ScsiCommand): ScsiResult {
    if (err instanceof CheckCondition) {
      const d = err.details;
      const sense = buildFixedSense({ ...err.code, field: d.field, information: d.information });
      return d.commandDataLength === undefined
        ? { status: ScsiStatus.CheckCondition, sense, dataIn: null }
        : { status: ScsiStatus.CheckCondition, sense, dataIn: null, commandDataLength: d.commandDataLength };
    }
    const code = senseForStoreFailure(err, def.writesMedium === true);
    if (!(err instanceof StoreError)) {
      // A bug (not a store condition the initiator is told about): worth a log line.
      this.log.error(`${def.name} failed: ${err instanceof Error ? err.message : String(err)}`, {
        target: this.name, lun: cmd.lun, error: err instanceof Error ? err.stack : String(err),
      });
    }
    return checkConditionResult(code);
  }

  private adoptNexus(nexus: ItNexus): void {
    this.nexuses.set(nexus.id, nexus);
    for (const lu of this.luns.values()) {
      lu.unitAttentions.addNexus(nexus.id);
      lu.reservations.nexusOpened(nexus);
    }
    this.controller.unitAttentions.addNexus(nexus.id);
  }

  // ---- task management ----------------------------------------------------

  async taskManagement(req: TaskManagementRequest): Promise<TaskManagementResponse> {
    switch (req.fn) {
      case TaskManagementFunction.AbortTask:
      case TaskManagementFunction.QueryTask:
      case TaskManagementFunction.QueryTaskSet:
      case TaskManagementFunction.ClearAca:
      case TaskManagementFunction.AbortTaskSet:
      case TaskManagementFunction.ClearTaskSet:
      case TaskManagementFunction.LogicalUnitReset:
        return this.lunTaskManagement(req);
      case TaskManagementFunction.TargetWarmReset:
        await Promise.all([...this.luns.values()].map((lu) => this.resetLogicalUnit(lu)));
        this.controller.unitAttentions.raise(SenseCodes.busDeviceResetFunctionOccurred);
        return TaskManagementResponse.Complete;
      case TaskManagementFunction.TargetColdReset:
        // SCSI side of a cold reset: like a warm reset, reported as a power on (SAM-5 6.3.1).
        // The transport then ends every session (RFC 7143 11.5.1).
        await Promise.all([...this.luns.values()].map((lu) => this.resetLogicalUnit(lu, SenseCodes.powerOnOccurred)));
        this.controller.unitAttentions.raise(SenseCodes.powerOnOccurred);
        return TaskManagementResponse.Complete;
      default:
        return TaskManagementResponse.NotSupported;
    }
  }

  private async lunTaskManagement(req: TaskManagementRequest): Promise<TaskManagementResponse> {
    const lu = this.luns.get(req.lun);
    if (lu === undefined) {
      if (req.lun !== 0) return TaskManagementResponse.LunDoesNotExist;
      // The controller runs no long tasks: nothing to abort or find.
      if (req.fn === TaskManagementFunction.AbortTask) return TaskManagementResponse.TaskDoesNotExist;
      if (req.fn === TaskManagementFunction.QueryTask || req.fn === TaskManagementFunction.QueryTaskSet) return TaskManagementResponse.Complete;
      if (req.fn === TaskManagementFunction.LogicalUnitReset) this.controller.unitAttentions.raise(SenseCodes.busDeviceResetFunctionOccurred);
      return TaskManagementResponse.Complete;
    }
    const nexusId = req.nexus.id;
    switch (req.fn) {
      case TaskManagementFunction.AbortTask: {
        const task = lu.tasks.find(nexusId, req.referencedTaskTag);
        if (task === undefined) return TaskManagementResponse.TaskDoesNotExist;
        await this.abort(lu, [task]);
        return TaskManagementResponse.Complete;
      }
      case TaskManagementFunction.QueryTask: {
        const task = lu.tasks.find(nexusId, req.referencedTaskTag);
        return task !== undefined && !task.aborted ? TaskManagementResponse.Succeeded : TaskManagementResponse.Complete;
      }
      case TaskManagementFunction.QueryTaskSet:
        // FUNCTION SUCCEEDED when this nexus has any task in the LU's task set.
        return lu.tasks.list(nexusId).some((t) => !t.aborted) ? TaskManagementResponse.Succeeded : TaskManagementResponse.Complete;
      case TaskManagementFunction.ClearAca:
        // NACA is never accepted, so no ACA condition ever exists: nothing to clear (SAM-5 7.4).
        return TaskManagementResponse.Complete;
      case TaskManagementFunction.AbortTaskSet:
        await this.abort(lu, lu.tasks.list(nexusId));
        return TaskManagementResponse.Complete;
      case TaskManagementFunction.ClearTaskSet: {
        const tasks = lu.tasks.list();
        // Other initiators whose tasks vanish are told (SAM-5, TAS=0).
        const others = new Set(tasks.map((t) => t.nexusId).filter((id) => id !== nexusId));
        await this.abort(lu, tasks);
        for (const id of others) lu.unitAttentions.raiseFor(id, SenseCodes.commandsClearedByAnotherInitiator);
        return TaskManagementResponse.Complete;
      }
      default:
        await this.resetLogicalUnit(lu);
        return TaskManagementResponse.Complete;
    }
  }

  /** LOGICAL UNIT RESET: abort every task, then BUS DEVICE RESET FUNCTION OCCURRED on every nexus. */
  private async resetLogicalUnit(lu: LogicalUnit, condition: SenseCode = SenseCodes.busDeviceResetFunctionOccurred): Promise<void> {
    await this.abort(lu, lu.tasks.list());
    lu.reservations.reset(); // SPC-2 reservations end with a reset; persistent ones do not (SPC-4 5.13.4)
    lu.preventers.clear(); // a reset allows medium removal again (SBC-3 5.12)
    lu.unitAttentions.raise(condition);
  }

  /** Marks tasks aborted and waits until each has finished its store I/O. */
  private async abort(lu: LogicalUnit, tasks: TaskRecord[]): Promise<void> {
    for (const t of tasks) t.aborted = true;
    await Promise.all(tasks.map((t) => lu.tasks.settled(t)));
  }
}
