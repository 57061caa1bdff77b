/**
 * MODE SENSE(6) and MODE SENSE(10) (SPC-4 6.11-6.12): header, block
 * descriptor unless DBD, then the requested page(s). Saved values are not
 * supported (SAVING PARAMETERS NOT SUPPORTED).
 */
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import { CheckCondition } from '../CheckCondition.js';
import { SenseCodes } from '../SenseCodes.js';
import { goodWithData } from '../ScsiResults.js';
import { buildBlockDescriptor, buildModePage, MODE_PAGE_CODES, ModePage, PageControl } from './modePages.js';

/** Device-specific parameter (SBC-3 6.4.1): WP for read-only LUNs, DPOFUA since FUA is honoured. */
function deviceSpecificParameter(lu: LogicalUnit): number {
  return (lu.writeProtected ? 0x80 : 0) | 0x10;
}

function collectPages(cmd: ScsiCommand, lu: LogicalUnit): Buffer[] {
  const cdb = cmd.cdb;
  const pc = (cdb[2] >> 6) as PageControl;
  const code = cdb[2] & 0x3f;
  const subpage = cdb[3];
  if (pc === PageControl.Saved) throw new CheckCondition(SenseCodes.savingParametersNotSupported);
  if (code === ModePage.allPages) {
    // Subpage FFh asks for all subpages too; there are none beyond subpage 0.
    if (subpage !== 0x00 && subpage !== 0xff) throw CheckCondition.invalidFieldInCdb(3);
    return MODE_PAGE_CODES.map((c) => buildModePage(c, pc, lu) as Buffer);
  }
  if (subpage !== 0x00) throw CheckCondition.invalidFieldInCdb(3);
  const page = buildModePage(code, pc, lu);
  if (page === null) throw CheckCondition.invalidFieldInCdb(2, 5);
  return [page];
}

export const modeSense6: BlockCommandDefinition = {
  name: 'MODE SENSE(6)', opcode: 0x1a, cdbLength: 6, scope: 'block', dataDirection: 'in',
  usageData: [0x1a, 0x08, 0xff, 0xff, 0xff, 0x00],
  async execute(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
    const cdb = cmd.cdb;
    const pages = collectPages(cmd, lu);
    const dbd = (cdb[1] & 0x08) !== 0;
    const descriptor = dbd ? null : buildBlockDescriptor(lu, false);
    const header = Buffer.alloc(4);
    header[2] = deviceSpecificParameter(lu);
    header[3] = descriptor === null ? 0 : descriptor.length;
    const data = Buffer.concat(descriptor === null ? [header, ...pages] : [header, descriptor, ...pages]);
    data[0] = Math.min(data.length - 1, 0xff); // MODE DATA LENGTH excludes itself
    return goodWithData(data, cdb[4]);
  },
};

export const modeSense10: BlockCommandDefinition = {
  name: 'MODE SENSE(10)', opcode: 0x5a, cdbLength: 10, scope: 'block', dataDirection: 'in',
  usageData: [0x5a, 0x18, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00],
  async execute(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
    const cdb = cmd.cdb;
    const pages = collectPages(cmd, lu);
    const dbd = (cdb[1] & 0x08) !== 0;
    const llbaa = (cdb[1] & 0x10) !== 0;
    const descriptor = dbd ? null : buildBlockDescriptor(lu, llbaa);
    const header = Buffer.alloc(8);
    header[3] = deviceSpecificParameter(lu);
    if (descriptor !== null && llbaa) header[4] = 0x01; // LONGLBA
    header.writeUInt16BE(descriptor === null ? 0 : descriptor.length, 6);
    const data = Buffer.concat(descriptor === null ? [header, ...pages] : [header, descriptor, ...pages]);
    data.writeUInt16BE(data.length - 2, 0);
    return goodWithData(data, cdb.readUInt16BE(7));
  },
};
