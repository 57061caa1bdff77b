/**
 * REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS (SPC-4 6.36, MAINTENANCE IN
 * A3h/0Dh): the functions ScsiTarget.taskManagement carries out.
 */
import type { AnyUnitCommandDefinition } from '../CommandDefinition.js';
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { goodWithData } from '../ScsiResults.js';
import type { ScsiUnit } from '../ScsiUnit.js';

/** Byte 0: ATS, ATSS, CACAS, CTSS, LURS, QTS, TRS (WAKES obsolete). */
const BYTE0 = 0x80 | 0x40 | 0x20 | 0x10 | 0x08 | 0x04 | 0x02;
/** Byte 1: QTSS (QUERY TASK SET). No QUERY ASYNCHRONOUS EVENT, no I_T NEXUS RESET (iSCSI has none). */
const BYTE1 = 0x02;

export const reportSupportedTaskManagementFunctions: AnyUnitCommandDefinition = {
  name: 'REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS', opcode: 0xa3, serviceAction: 0x0d, cdbLength: 12, scope: 'any', dataDirection: 'in',
  usageData: [0xa3, 0x0d, 0x80, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00],
  async execute(cmd: ScsiCommand, _unit: ScsiUnit): Promise<ScsiResult> {
    const cdb = cmd.cdb;
    // REPD: the extended format with timeouts (all zero: not specified).
    const repd = (cdb[2] & 0x80) !== 0;
    const data = Buffer.alloc(repd ? 16 : 4);
    data[0] = BYTE0;
    data[1] = BYTE1;
    if (repd) data[3] = 0x0c; // ADDITIONAL DATA LENGTH
    return goodWithData(data, cdb.readUInt32BE(6));
  },
};
