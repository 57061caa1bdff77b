/**
 * PERSISTENT RESERVE IN (SPC-4 6.15): READ KEYS, READ RESERVATION, REPORT
 * CAPABILITIES, READ FULL STATUS, from the LU's ReservationState. The data
 * is always built whole (its length fields never depend on the allocation
 * length) and then cut to the ALLOCATION LENGTH. Another service action is
 * INVALID FIELD IN CDB (ScsiTarget, for every service-action opcode).
 */
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import { CheckCondition } from '../CheckCondition.js';
import { goodWithData } from '../ScsiResults.js';
import { isAllRegistrants, LU_SCOPE } from '../reservations/PersistentReservationType.js';
import { ALLOW_COMMANDS } from '../reservations/ReservationAccess.js';
import type { ReservationState } from '../reservations/ReservationState.js';
import { encodeTransportId } from '../reservations/TransportId.js';

const enum PrInAction {
  ReadKeys = 0x00,
  ReadReservation = 0x01,
  ReportCapabilities = 0x02,
  ReadFullStatus = 0x03,
}

function header(state: ReservationState, additionalLength: number): Buffer {
  const b = Buffer.alloc(8 + additionalLength);
  b.writeUInt32BE(state.generation, 0);
  b.writeUInt32BE(additionalLength, 4);
  return b;
}

function readKeys(state: ReservationState): Buffer {
  const regs = state.registrations;
  const b = header(state, 8 * regs.length);
  regs.forEach((r, i) => b.writeBigUInt64BE(r.key, 8 + 8 * i));
  return b;
}

function readReservation(state: ReservationState): Buffer {
  const r = state.reservation;
  if (r === null) return header(state, 0);
  const b = header(state, 16);
  // ALL REGISTRANTS reservations report key 0 (SPC-4 6.15.3).
  b.writeBigUInt64BE(isAllRegistrants(r.type) ? 0n : r.holder.key, 8);
  b[21] = (LU_SCOPE << 4) | r.type;
  return b;
}

function reportCapabilities(state: ReservationState): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16BE(8, 0);
  // CRH (SPC-2 RESERVE/RELEASE exceptions), SIP_C, ATP_C, and PTPL_C when a state directory exists.
  b[2] = 0x10 | 0x08 | 0x04 | (state.persistCapable ? 0x01 : 0);
  // TMV, ALLOW COMMANDS, PTPL_A.
  b[3] = 0x80 | (ALLOW_COMMANDS << 4) | (state.aptpl ? 0x01 : 0);
  // Type mask: WR_EX_AR, EX_AC_RO, WR_EX_RO, EX_AC, WR_EX; EX_AC_AR.
  b[4] = 0x80 | 0x40 | 0x20 | 0x08 | 0x02;
  b[5] = 0x01;
  return b;
}

function readFullStatus(state: ReservationState): Buffer {
  const descriptors = state.registrations.map((reg) => {
    const tid = encodeTransportId(reg);
    const d = Buffer.alloc(24 + tid.length);
    d.writeBigUInt64BE(reg.key, 0);
    const holder = state.isHolder(reg);
    d[12] = (reg.targetPort === null ? 0x02 : 0) | (holder ? 0x01 : 0);
    if (holder && state.reservation !== null) d[13] = (LU_SCOPE << 4) | state.reservation.type;
    d.writeUInt16BE(reg.targetPort === null ? 0 : reg.relativeTargetPortId, 18);
    d.writeUInt32BE(tid.length, 20);
    tid.copy(d, 24);
    return d;
  });
  const body = Buffer.concat(descriptors);
  const b = header(state, body.length);
  body.copy(b, 8);
  return b;
}

function prIn(action: PrInAction, name: string, build: (state: ReservationState) => Buffer): BlockCommandDefinition {
  return {
    name: `PERSISTENT RESERVE IN (${name})`, opcode: 0x5e, serviceAction: action, cdbLength: 10,
    scope: 'block', dataDirection: 'in',
    usageData: [0x5e, 0x1f, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00],
    async execute(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
      const cdb = cmd.cdb;
      if ((cdb[1] & 0xe0) !== 0) throw CheckCondition.invalidFieldInCdb(1, 7);
      for (let i = 2; i <= 6; i++) if (cdb[i] !== 0) throw CheckCondition.invalidFieldInCdb(i);
      return goodWithData(build(lu.reservations), cdb.readUInt16BE(7));
    },
  };
}

export const persistentReserveInReadKeys = prIn(PrInAction.ReadKeys, 'READ KEYS', readKeys);
export const persistentReserveInReadReservation = prIn(PrInAction.ReadReservation, 'READ RESERVATION', readReservation);
export const persistentReserveInReportCapabilities = prIn(PrInAction.ReportCapabilities, 'REPORT CAPABILITIES', reportCapabilities);
export const persistentReserveInReadFullStatus = prIn(PrInAction.ReadFullStatus, 'READ FULL STATUS', readFullStatus);

export const PERSISTENT_RESERVE_IN_COMMANDS: readonly BlockCommandDefinition[] = [
  persistentReserveInReadKeys,
  persistentReserveInReadReservation,
  persistentReserveInReportCapabilities,
  persistentReserveInReadFullStatus,
];
