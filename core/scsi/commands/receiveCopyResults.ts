/**
 * RECEIVE COPY RESULTS (SPC-4 6.18, opcode 84h): COPY STATUS (00h) of a
 * held EXTENDED COPY(LID1) result, and OPERATING PARAMETERS (03h), the
 * copy manager's limits. RECEIVE DATA and FAILED SEGMENT DETAILS have
 * nothing to report (no held data segments) and are not offered.
 */
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import { CheckCondition } from '../CheckCondition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { goodWithData } from '../ScsiResults.js';
import { CopyLimits, DescriptorType } from './extendedCopy.js';

/** TRANSFER COUNT UNITS: 00h = bytes; larger counts are reported in KiB (F1h) so they fit 32 bits. */
const UNITS_BYTES = 0x00;
const UNITS_KIB = 0xf1;

const USAGE_DATA = [0x84, 0x1f, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00];

function checkReserved(cdb: Buffer): void {
  if ((cdb[1] & 0xe0) !== 0) throw CheckCondition.invalidFieldInCdb(1, 7);
  for (let i = 3; i <= 9; i++) if (cdb[i] !== 0) throw CheckCondition.invalidFieldInCdb(i);
  if (cdb[14] !== 0) throw CheckCondition.invalidFieldInCdb(14);
}

export const receiveCopyStatus: BlockCommandDefinition = {
  name: 'RECEIVE COPY RESULTS (COPY STATUS)', opcode: 0x84, serviceAction: 0x00, cdbLength: 16, scope: 'block', dataDirection: 'in',
  usageData: USAGE_DATA,
  async execute(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
    const cdb = cmd.cdb;
    checkReserved(cdb);
    const result = lu.copyResults.take(cmd.nexus.id, cdb[2]);
    // No EXTENDED COPY with this list identifier is held for this nexus.
    if (result === undefined) throw CheckCondition.invalidFieldInCdb(2);
    const data = Buffer.alloc(12);
    data.writeUInt32BE(data.length - 4, 0); // AVAILABLE DATA
    data[4] = result.status; // HDD 0: no held data discarded
    data.writeUInt16BE(Math.min(result.segmentsProcessed, 0xffff), 5);
    const inBytes = result.transferredBytes <= 0xffffffff;
    data[7] = inBytes ? UNITS_BYTES : UNITS_KIB;
    data.writeUInt32BE(inBytes ? result.transferredBytes : Math.min(Math.floor(result.transferredBytes / 1024), 0xffffffff), 8);
    return goodWithData(data, cdb.readUInt32BE(10));
  },
};

/** Descriptor type codes listed in OPERATING PARAMETERS, ascending. */
const IMPLEMENTED_DESCRIPTORS = [DescriptorType.blockToBlock, DescriptorType.identification];

export const receiveCopyOperatingParameters: BlockCommandDefinition = {
  name: 'RECEIVE COPY RESULTS (OPERATING PARAMETERS)', opcode: 0x84, serviceAction: 0x03, cdbLength: 16, scope: 'block', dataDirection: 'in',
  usageData: [...USAGE_DATA.slice(0, 2), 0x00, ...USAGE_DATA.slice(3)],
  async execute(cmd: ScsiCommand, _lu: LogicalUnit): Promise<ScsiResult> {
    const cdb = cmd.cdb;
    checkReserved(cdb);
    if (cdb[2] !== 0) throw CheckCondition.invalidFieldInCdb(2); // LIST IDENTIFIER is reserved here
    const data = Buffer.alloc(44 + IMPLEMENTED_DESCRIPTORS.length);
    data.writeUInt32BE(data.length - 4, 0); // AVAILABLE DATA
    data[4] = 0x01; // SNLID: LIST ID USAGE 11b (no list identifier) is supported
    data.writeUInt16BE(CopyLimits.maxTargetDescriptors, 8);
    data.writeUInt16BE(CopyLimits.maxSegmentDescriptors, 10);
    data.writeUInt32BE(CopyLimits.maxDescriptorListLength, 12);
    data.writeUInt32BE(CopyLimits.maxSegmentBytes, 16);
    data.writeUInt32BE(0, 20); // MAXIMUM INLINE DATA LENGTH: no inline data
    data.writeUInt32BE(CopyLimits.heldDataLimit, 24);
    data.writeUInt32BE(0, 28); // MAXIMUM STREAM DEVICE TRANSFER SIZE: no stream devices
    data.writeUInt16BE(CopyLimits.totalConcurrentCopies, 34);
    data[36] = CopyLimits.totalConcurrentCopies; // MAXIMUM CONCURRENT COPIES
    data[37] = 9; // DATA SEGMENT GRANULARITY: 2^9 bytes
    data[38] = 0; // INLINE DATA GRANULARITY
    data[39] = 0; // HELD DATA GRANULARITY
    data[43] = IMPLEMENTED_DESCRIPTORS.length;
    IMPLEMENTED_DESCRIPTORS.forEach((code, i) => { data[44 + i] = code; });
    return goodWithData(data, cdb.readUInt32BE(10));
  },
};
