/**
 * INQUIRY (SPC-4 6.6): standard data, or a VPD page with EVPD=1. Answered on
 * every LUN: an absent LUN reports peripheral qualifier 011b / type 1Fh.
 */
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import type { AnyUnitCommandDefinition } from '../CommandDefinition.js';
import type { ScsiUnit } from '../ScsiUnit.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import { CheckCondition } from '../CheckCondition.js';
import { goodWithData } from '../ScsiResults.js';
import { buildVpdPage } from './vpdPages.js';

/** Version descriptors (SPC-4 table 146): SAM-5, iSCSI, SPC-4, SBC-3. */
const BLOCK_VERSION_DESCRIPTORS = [0x00a0, 0x0960, 0x0460, 0x04c0];
const CONTROLLER_VERSION_DESCRIPTORS = [0x00a0, 0x0960, 0x0460];
const STANDARD_LENGTH = 96;

export function standardInquiryData(unit: ScsiUnit): Buffer {
  const b = Buffer.alloc(STANDARD_LENGTH);
  b[0] = unit.peripheral;
  if (unit.kind === 'block' && (unit as LogicalUnit).removable) b[1] = 0x80; // RMB
  b[2] = 0x06; // VERSION: SPC-4
  b[3] = 0x10 | 0x02; // HISUP, RESPONSE DATA FORMAT 2
  b[4] = STANDARD_LENGTH - 5; // ADDITIONAL LENGTH
  // 3PC: block LUs are EXTENDED COPY copy managers (commands/extendedCopy.ts).
  if (unit.kind === 'block') b[5] = 0x08;
  b[7] = 0x02; // CMDQUE
  b.write(unit.identity.vendor, 8, 8, 'ascii');
  b.write(unit.identity.product, 16, 16, 'ascii');
  b.write(unit.identity.revision, 32, 4, 'ascii');
  const versions = unit.kind === 'controller' ? CONTROLLER_VERSION_DESCRIPTORS : BLOCK_VERSION_DESCRIPTORS;
  versions.forEach((v, i) => b.writeUInt16BE(v, 58 + 2 * i));
  return b;
}

export const inquiry: AnyUnitCommandDefinition = {
  name: 'INQUIRY', opcode: 0x12, cdbLength: 6, scope: 'any', dataDirection: 'in',
  usageData: [0x12, 0x01, 0xff, 0xff, 0xff, 0x00],
  ignoresUnitAttention: true,
  servesAbsentLun: true,
  async execute(cmd: ScsiCommand, unit: ScsiUnit): Promise<ScsiResult> {
    const cdb = cmd.cdb;
    const evpd = (cdb[1] & 0x01) !== 0;
    if ((cdb[1] & 0x02) !== 0) throw CheckCondition.invalidFieldInCdb(1, 1); // CMDDT (obsolete)
    const allocationLength = cdb.readUInt16BE(3);
    const page = cdb[2];
    if (!evpd) {
      if (page !== 0) throw CheckCondition.invalidFieldInCdb(2);
      return goodWithData(standardInquiryData(unit), allocationLength);
    }
    if (unit.kind === 'absent') {
      // No logical unit: just the header saying so.
      return goodWithData(Buffer.from([unit.peripheral, page, 0, 0]), allocationLength);
    }
    const data = buildVpdPage(page, unit, cmd.nexus);
    if (data === null) throw CheckCondition.invalidFieldInCdb(2);
    return goodWithData(data, allocationLength);
  },
};
