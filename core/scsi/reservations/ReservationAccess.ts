/**
 * Does a command get RESERVATION CONFLICT? SPC-4 5.12.3 table 5.9.x
 * ("commands allowed in the presence of various reservations") and SBC-3
 * 4.17, reduced to three access classes per opcode, plus the SPC-2
 * RESERVE/RELEASE rules with SPC-4 5.13.3's exceptions (CRH=1).
 *
 * Classes, for an I_T nexus that is not a holder and not admitted as a
 * registrant:
 *   allowed  never conflicts (INQUIRY, REPORT LUNS, TEST UNIT READY, ...)
 *   read     conflicts under EXCLUSIVE ACCESS types only (READ, VERIFY, ...)
 *   write    conflicts under every type (WRITE, UNMAP, MODE SELECT, ...)
 * An opcode not listed is a write: refusing is the safe default.
 *
 * REPORT CAPABILITIES says ALLOW COMMANDS 011b: TEST UNIT READY passes every
 * reservation, and MODE SENSE, READ BUFFER, RECEIVE COPY RESULTS, RECEIVE
 * DIAGNOSTIC RESULTS, READ ATTRIBUTE, READ DEFECT DATA, REPORT SUPPORTED
 * OPERATION CODES / TASK MANAGEMENT FUNCTIONS pass write exclusive ones: they
 * are "read" here.
 */
import { ScsiStatus, type ScsiCommand, type ScsiResult } from '../ScsiCommand.js';
import { isExclusiveAccess, admitsRegistrants } from './PersistentReservationType.js';
import type { ReservationState } from './ReservationState.js';

export const enum AccessClass {
  Write = 0,
  Read = 1,
  Allowed = 2,
}

/** ALLOW COMMANDS value REPORT CAPABILITIES reports; must match the classes below. */
export const ALLOW_COMMANDS = 0b011;

const PERSISTENT_RESERVE_IN = 0x5e;
const PERSISTENT_RESERVE_OUT = 0x5f;
const SERVICE_ACTION_IN_16 = 0x9e;
const MAINTENANCE_IN = 0xa3;
const PREVENT_ALLOW_MEDIUM_REMOVAL = 0x1e;
const START_STOP_UNIT = 0x1b;

const BY_OPCODE = new Uint8Array(256); // AccessClass.Write = 0 everywhere else
for (const op of [
  0x00, // TEST UNIT READY
  0x03, // REQUEST SENSE
  0x12, // INQUIRY
  0x25, // READ CAPACITY(10)
  0x4d, // LOG SENSE
  0x5e, // PERSISTENT RESERVE IN
  0x5f, // PERSISTENT RESERVE OUT: its own rules (ReservationState)
  0xa0, // REPORT LUNS
  0xab, // SERVICE ACTION IN(12): READ MEDIA SERIAL NUMBER
  0x16, 0x56, 0x17, 0x57, // RESERVE / RELEASE: their own rules (SPC-4 5.13.3)
]) BY_OPCODE[op] = AccessClass.Allowed;
for (const op of [
  0x08, 0x28, 0xa8, 0x88, // READ(6/10/12/16)
  0x2f, 0xaf, 0x8f, // VERIFY(10/12/16)
  0x34, 0x90, // PRE-FETCH(10/16)
  0x37, 0xb7, // READ DEFECT DATA(10/12)
  0x3e, // READ LONG(10)
  0x52, // XDREAD(10)
  0x1a, 0x5a, // MODE SENSE(6/10)
  0x3c, // READ BUFFER
  0x84, // RECEIVE COPY RESULTS
  0x1c, // RECEIVE DIAGNOSTIC RESULTS
  0x8c, // READ ATTRIBUTE
]) BY_OPCODE[op] = AccessClass.Read;

/** The access class of the command in `cdb`. */
export function accessClassOf(cdb: Buffer): AccessClass {
  const op = cdb[0];
  switch (op) {
    case SERVICE_ACTION_IN_16: {
      const sa = cdb[1] & 0x1f;
      if (sa === 0x10) return AccessClass.Allowed; // READ CAPACITY(16)
      if (sa === 0x11 || sa === 0x12) return AccessClass.Read; // READ LONG(16), GET LBA STATUS
      return AccessClass.Write;
    }
    case MAINTENANCE_IN: {
      const sa = cdb[1] & 0x1f;
      // REPORT IDENTIFYING INFORMATION, REPORT TARGET PORT GROUPS, REPORT ALIASES, REPORT PRIORITY, REPORT TIMESTAMP.
      if (sa === 0x05 || sa === 0x0a || sa === 0x0b || sa === 0x0e || sa === 0x0f) return AccessClass.Allowed;
      if (sa === 0x0c || sa === 0x0d) return AccessClass.Read; // REPORT SUPPORTED OPERATION CODES / TMFs
      return AccessClass.Write;
    }
    case PREVENT_ALLOW_MEDIUM_REMOVAL:
      return (cdb[4] & 0x03) === 0 ? AccessClass.Allowed : AccessClass.Write;
    case START_STOP_UNIT:
      // START=1 with POWER CONDITION 0 is allowed; stopping or power changes are not.
      return (cdb[4] & 0xf1) === 0x01 ? AccessClass.Allowed : AccessClass.Write;
    default:
      return BY_OPCODE[op] as AccessClass;
  }
}

/** SPC-2 RESERVE held by another nexus: what still passes (SPC-2 5.5.1, SPC-4 5.13). */
function allowedUnderSpc2Reservation(op: number): boolean {
  return op === 0x12 || op === 0xa0 || op === 0x03 || op === 0x17 || op === 0x57;
}

/**
 * True when the command must end with RESERVATION CONFLICT instead of running.
 * Hot path: with no reservation it is two property reads.
 */
export function reservationConflict(state: ReservationState, cmd: ScsiCommand): boolean {
  const r = state.reservation;
  const spc2 = state.spc2Holder;
  if (r === null && spc2 === null) return false;
  const op = cmd.cdb[0];
  if (spc2 !== null) {
    // Under an SPC-2 reservation every PERSISTENT RESERVE command conflicts, whoever sends it (SPC-4 5.13.3).
    if (op === PERSISTENT_RESERVE_IN || op === PERSISTENT_RESERVE_OUT) return true;
    if (spc2 !== cmd.nexus.id && !allowedUnderSpc2Reservation(op)) return true;
  }
  if (r === null) return false;
  const access = accessClassOf(cmd.cdb);
  if (access === AccessClass.Allowed) return false;
  const reg = state.registrationOf(cmd.nexus);
  if (reg !== undefined && (r.holder === reg || admitsRegistrants(r.type))) return false;
  return access === AccessClass.Write || isExclusiveAccess(r.type);
}

/** The result of a command refused by a reservation: status 18h, no sense data (SAM-5 5.3.1). */
export const RESERVATION_CONFLICT: ScsiResult = Object.freeze({ status: ScsiStatus.ReservationConflict, sense: null, dataIn: null });
