/**
 * RESERVE(6)/(10) and RELEASE(6)/(10) (SPC-2 7.21-7.24): the whole logical
 * unit for one I_T nexus. Third-party and extent reservations are not
 * supported (INVALID FIELD IN CDB). With persistent reservation
 * registrations present both conflict (SPC-4 5.13.3, CRH=1).
 */
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import { CheckCondition } from '../CheckCondition.js';
import { GOOD } from '../ScsiResults.js';
import { RESERVATION_CONFLICT } from '../reservations/ReservationAccess.js';

function checkCdb(cdb: Buffer): void {
  const b1 = cdb[1];
  if ((b1 & 0x10) !== 0) throw CheckCondition.invalidFieldInCdb(1, 4); // 3RDPTY
  if (cdb[0] === 0x16 || cdb[0] === 0x17) {
    if ((b1 & 0x01) !== 0) throw CheckCondition.invalidFieldInCdb(1, 0); // EXTENT (obsolete)
  } else if ((b1 & 0x02) !== 0) {
    throw CheckCondition.invalidFieldInCdb(1, 1); // LONGID: only with third-party reservations
  }
}

async function executeReserve(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
  checkCdb(cmd.cdb);
  return lu.reservations.spc2Reserve(cmd.nexus) === 'good' ? GOOD : RESERVATION_CONFLICT;
}

async function executeRelease(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
  checkCdb(cmd.cdb);
  return lu.reservations.spc2Release(cmd.nexus) === 'good' ? GOOD : RESERVATION_CONFLICT;
}

export const reserve6: BlockCommandDefinition = {
  name: 'RESERVE(6)', opcode: 0x16, cdbLength: 6, scope: 'block', dataDirection: 'none',
  usageData: [0x16, 0x11, 0x00, 0x00, 0x00, 0x00], execute: executeReserve,
};
export const reserve10: BlockCommandDefinition = {
  name: 'RESERVE(10)', opcode: 0x56, cdbLength: 10, scope: 'block', dataDirection: 'none',
  usageData: [0x56, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], execute: executeReserve,
};
export const release6: BlockCommandDefinition = {
  name: 'RELEASE(6)', opcode: 0x17, cdbLength: 6, scope: 'block', dataDirection: 'none',
  usageData: [0x17, 0x11, 0x00, 0x00, 0x00, 0x00], execute: executeRelease,
};
export const release10: BlockCommandDefinition = {
  name: 'RELEASE(10)', opcode: 0x57, cdbLength: 10, scope: 'block', dataDirection: 'none',
  usageData: [0x57, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], execute: executeRelease,
};
