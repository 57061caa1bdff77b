/**
 * MODE SELECT(6) and MODE SELECT(10) (SPC-4 6.9-6.10). The whole parameter
 * list is checked before anything changes: a page, a field or a block
 * descriptor the LU cannot take fails the command and changes nothing. A
 * field may differ from its current value only where MODE SENSE's
 * changeable mask says so (today: the control page's SWP). Other I_T
 * nexuses learn of a change through MODE PARAMETERS CHANGED.
 */
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import { CheckCondition } from '../CheckCondition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { GOOD } from '../ScsiResults.js';
import { SenseCodes } from '../SenseCodes.js';
import { buildModePage, CONTROL_SWP, ModePage, PageControl } from './modePages.js';

function invalidParameter(byte: number, bit?: number): CheckCondition {
  return new CheckCondition(SenseCodes.invalidFieldInParameterList, {
    field: bit === undefined ? { inCdb: false, byte } : { inCdb: false, byte, bit },
  });
}

function lengthError(): CheckCondition {
  return new CheckCondition(SenseCodes.parameterListLengthError);
}

/** Index of the highest set bit of a non-zero byte. */
function highestBit(v: number): number {
  return 31 - Math.clz32(v);
}

/** Checks the block descriptor: it may restate the LU's geometry, never change it. */
function checkBlockDescriptor(data: Buffer, at: number, long: boolean, lu: LogicalUnit): void {
  const count = long ? data.readUInt32BE(at) * 0x1_0000_0000 + data.readUInt32BE(at + 4) : data.readUInt32BE(at);
  const current = long ? lu.blockCount : Math.min(lu.blockCount, 0xffffffff);
  if (count !== 0 && count !== current) throw invalidParameter(at);
  if (!long && data[at + 4] !== 0) throw invalidParameter(at + 4); // DENSITY CODE
  const blockLength = long ? data.readUInt32BE(at + 12) : data.readUIntBE(at + 5, 3);
  if (blockLength !== 0 && blockLength !== lu.blockSize) throw invalidParameter(long ? at + 12 : at + 5);
}

/** A validated page and what it asks for. */
interface SelectedPage {
  readonly code: number;
  readonly bytes: Buffer;
}

/** Validates every page of the list, in order; returns them for applying. */
function parsePages(data: Buffer, from: number, lu: LogicalUnit): SelectedPage[] {
  const pages: SelectedPage[] = [];
  let p = from;
  while (p < data.length) {
    if (p + 2 > data.length) throw lengthError();
    if ((data[p] & 0x80) !== 0) throw invalidParameter(p, 7); // PS is reserved in MODE SELECT
    if ((data[p] & 0x40) !== 0) throw invalidParameter(p, 6); // no subpages
    const code = data[p] & 0x3f;
    const current = code === ModePage.allPages ? null : buildModePage(code, PageControl.Current, lu);
    if (current === null) throw invalidParameter(p, 5);
    const length = data[p + 1];
    if (length !== current[1]) throw invalidParameter(p + 1);
    if (p + 2 + length > data.length) throw lengthError();
    const changeable = buildModePage(code, PageControl.Changeable, lu) as Buffer;
    for (let i = 2; i < 2 + length; i++) {
      const wrong = (data[p + i] ^ current[i]) & ~changeable[i] & 0xff;
      if (wrong !== 0) throw invalidParameter(p + i, highestBit(wrong));
    }
    pages.push({ code, bytes: data.subarray(p, p + 2 + length) });
    p += 2 + length;
  }
  return pages;
}

/** Applies validated pages; returns whether any value changed. */
function applyPages(pages: readonly SelectedPage[], lu: LogicalUnit): boolean {
  let changed = false;
  for (const page of pages) {
    if (page.code === ModePage.control) {
      const swp = (page.bytes[4] & CONTROL_SWP) !== 0;
      if (swp !== lu.modeParameters.softwareWriteProtect) {
        lu.modeParameters.softwareWriteProtect = swp;
        changed = true;
      }
    }
  }
  return changed;
}

async function executeModeSelect(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
  const cdb = cmd.cdb;
  const six = cdb[0] === 0x15;
  if ((cdb[1] & 0x01) !== 0) throw CheckCondition.invalidFieldInCdb(1, 0); // SP: nothing can be saved
  if ((cdb[1] & 0xee) !== 0) throw CheckCondition.invalidFieldInCdb(1, highestBit(cdb[1] & 0xee)); // reserved
  const listLength = six ? cdb[4] : cdb.readUInt16BE(7);
  if (listLength === 0) return GOOD;
  const received = cmd.dataOut === null ? 0 : cmd.dataOut.length;
  if (received < listLength) {
    // The initiator sent less than the CDB announces: refuse rather than parse a partial list.
    throw new CheckCondition(SenseCodes.parameterListLengthError, { commandDataLength: listLength });
  }
  const data = (cmd.dataOut as Buffer).subarray(0, listLength);
  const headerLength = six ? 4 : 8;
  if (listLength < headerLength) throw lengthError();
  const mediumType = six ? data[1] : data[2];
  if (mediumType !== 0) throw invalidParameter(six ? 1 : 2);
  const longLba = !six && (data[4] & 0x01) !== 0;
  const descriptorLength = six ? data[3] : data.readUInt16BE(6);
  const descriptorSize = longLba ? 16 : 8;
  if (descriptorLength !== 0 && descriptorLength !== descriptorSize) throw invalidParameter(six ? 3 : 6);
  if (headerLength + descriptorLength > listLength) throw lengthError();
  if (descriptorLength !== 0) checkBlockDescriptor(data, headerLength, longLba, lu);
  const pages = parsePages(data, headerLength + descriptorLength, lu);
  if (applyPages(pages, lu)) lu.unitAttentions.raise(SenseCodes.modeParametersChanged, cmd.nexus.id);
  return received === listLength ? GOOD : { ...GOOD, commandDataLength: listLength };
}

export const modeSelect6: BlockCommandDefinition = {
  name: 'MODE SELECT(6)', opcode: 0x15, cdbLength: 6, scope: 'block', dataDirection: 'out',
  usageData: [0x15, 0x11, 0x00, 0x00, 0xff, 0x00],
  execute: executeModeSelect,
};

export const modeSelect10: BlockCommandDefinition = {
  name: 'MODE SELECT(10)', opcode: 0x55, cdbLength: 10, scope: 'block', dataDirection: 'out',
  usageData: [0x55, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00],
  execute: executeModeSelect,
};
