/**
 * PERSISTENT RESERVE OUT (SPC-4 6.16): REGISTER, RESERVE, RELEASE, CLEAR,
 * PREEMPT, PREEMPT AND ABORT, REGISTER AND IGNORE EXISTING KEY, REGISTER AND
 * MOVE. Checks the CDB and parameter list here; the rules of each service
 * action live in ReservationState. A wrong reservation key is RESERVATION
 * CONFLICT; an APTPL state is on disk before GOOD is returned.
 */
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { ScsiStatus } from '../ScsiCommand.js';
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import { CheckCondition } from '../CheckCondition.js';
import { GOOD } from '../ScsiResults.js';
import { SenseCodes } from '../SenseCodes.js';
import { isValidPrType, LU_SCOPE, type PrType } from '../reservations/PersistentReservationType.js';
import { parseBasicParameterList, parseRegisterAndMoveParameterList } from '../reservations/PrOutParameterList.js';
import { RESERVATION_CONFLICT } from '../reservations/ReservationAccess.js';
import type { ReservationOutcome } from '../reservations/ReservationState.js';

const enum PrOutAction {
  Register = 0x00,
  Reserve = 0x01,
  Release = 0x02,
  Clear = 0x03,
  Preempt = 0x04,
  PreemptAndAbort = 0x05,
  RegisterAndIgnoreExistingKey = 0x06,
  RegisterAndMove = 0x07,
}

/** The parameter list, cut to PARAMETER LIST LENGTH; the transport must have collected at least that much. */
function parameterList(cmd: ScsiCommand): Buffer {
  const length = cmd.cdb.readUInt32BE(5);
  const received = cmd.dataOut === null ? 0 : cmd.dataOut.length;
  if (received < length) {
    throw new CheckCondition(SenseCodes.invalidFieldInCommandInformationUnit, { commandDataLength: length });
  }
  return length === 0 ? Buffer.alloc(0) : (cmd.dataOut as Buffer).subarray(0, length);
}

function checkCdb(cdb: Buffer, action: PrOutAction): void {
  if ((cdb[1] & 0xe0) !== 0) throw CheckCondition.invalidFieldInCdb(1, 7);
  if (cdb[3] !== 0) throw CheckCondition.invalidFieldInCdb(3);
  if (cdb[4] !== 0) throw CheckCondition.invalidFieldInCdb(4);
  // SCOPE and TYPE matter for these service actions; the others ignore them.
  if (action === PrOutAction.Reserve || action === PrOutAction.Release || action === PrOutAction.Preempt || action === PrOutAction.PreemptAndAbort) {
    if (cdb[2] >> 4 !== LU_SCOPE) throw CheckCondition.invalidFieldInCdb(2, 7);
  }
  if (action === PrOutAction.Reserve && !isValidPrType(cdb[2] & 0x0f)) throw CheckCondition.invalidFieldInCdb(2, 3);
}

async function executePrOut(action: PrOutAction, cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
  const cdb = cmd.cdb;
  checkCdb(cdb, action);
  const data = parameterList(cmd);
  const state = lu.reservations;
  const nexus = cmd.nexus;
  const type = cdb[2] & 0x0f;
  let outcome: ReservationOutcome;
  if (action === PrOutAction.RegisterAndMove) {
    const p = parseRegisterAndMoveParameterList(data);
    if (p.aptpl && !state.persistCapable) throw invalidParameterField(17, 0);
    outcome = state.registerAndMove(nexus, p);
  } else {
    const register = action === PrOutAction.Register || action === PrOutAction.RegisterAndIgnoreExistingKey;
    const p = parseBasicParameterList(data, action === PrOutAction.Register);
    if (register && p.aptpl && !state.persistCapable) throw invalidParameterField(20, 0);
    // SPEC_I_PT is only defined for REGISTER (SPC-4 6.16.3).
    if (action === PrOutAction.RegisterAndIgnoreExistingKey && p.specifyInitiatorPorts) throw invalidParameterField(20, 3);
    switch (action) {
      case PrOutAction.Register:
      case PrOutAction.RegisterAndIgnoreExistingKey:
        outcome = state.register(nexus, p, action === PrOutAction.RegisterAndIgnoreExistingKey);
        break;
      case PrOutAction.Reserve:
        outcome = state.reserve(nexus, p.reservationKey, type as PrType);
        break;
      case PrOutAction.Release:
        outcome = state.release(nexus, p.reservationKey, type);
        break;
      case PrOutAction.Clear:
        outcome = state.clear(nexus, p.reservationKey);
        break;
      default: {
        const result = state.preempt(nexus, p.reservationKey, p.serviceActionKey, type);
        outcome = result.outcome;
        if (outcome === 'good' && action === PrOutAction.PreemptAndAbort) await abortTasksOf(lu, result.preemptedNexusIds);
      }
    }
  }
  if (outcome === 'conflict') return RESERVATION_CONFLICT;
  await state.persist();
  const received = cmd.dataOut === null ? 0 : cmd.dataOut.length;
  return received === data.length ? GOOD : { status: ScsiStatus.Good, sense: null, dataIn: null, commandDataLength: data.length };
}

function invalidParameterField(byte: number, bit: number): CheckCondition {
  return new CheckCondition(SenseCodes.invalidFieldInParameterList, { field: { inCdb: false, byte, bit } });
}

/** PREEMPT AND ABORT: the preempted nexuses' tasks end as TASK ABORTED; wait until their I/O is done. */
async function abortTasksOf(lu: LogicalUnit, nexusIds: readonly string[]): Promise<void> {
  const waits: Promise<void>[] = [];
  for (const id of nexusIds) {
    for (const task of lu.tasks.list(id)) {
      task.aborted = true;
      waits.push(lu.tasks.settled(task));
    }
  }
  await Promise.all(waits);
}

function prOut(action: PrOutAction, name: string, scopeTypeUsage: number): BlockCommandDefinition {
  return {
    name: `PERSISTENT RESERVE OUT (${name})`, opcode: 0x5f, serviceAction: action, cdbLength: 10,
    scope: 'block', dataDirection: 'out',
    usageData: [0x5f, 0x1f, scopeTypeUsage, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00],
    execute: (cmd: ScsiCommand, lu: LogicalUnit) => executePrOut(action, cmd, lu),
  };
}

export const persistentReserveOutRegister = prOut(PrOutAction.Register, 'REGISTER', 0x00);
export const persistentReserveOutReserve = prOut(PrOutAction.Reserve, 'RESERVE', 0xff);
export const persistentReserveOutRelease = prOut(PrOutAction.Release, 'RELEASE', 0xff);
export const persistentReserveOutClear = prOut(PrOutAction.Clear, 'CLEAR', 0x00);
export const persistentReserveOutPreempt = prOut(PrOutAction.Preempt, 'PREEMPT', 0xff);
export const persistentReserveOutPreemptAndAbort = prOut(PrOutAction.PreemptAndAbort, 'PREEMPT AND ABORT', 0xff);
export const persistentReserveOutRegisterAndIgnoreExistingKey = prOut(PrOutAction.RegisterAndIgnoreExistingKey, 'REGISTER AND IGNORE EXISTING KEY', 0x00);
export const persistentReserveOutRegisterAndMove = prOut(PrOutAction.RegisterAndMove, 'REGISTER AND MOVE', 0x00);

export const PERSISTENT_RESERVE_OUT_COMMANDS: readonly BlockCommandDefinition[] = [
  persistentReserveOutRegister,
  persistentReserveOutReserve,
  persistentReserveOutRelease,
  persistentReserveOutClear,
  persistentReserveOutPreempt,
  persistentReserveOutPreemptAndAbort,
  persistentReserveOutRegisterAndIgnoreExistingKey,
  persistentReserveOutRegisterAndMove,
];
