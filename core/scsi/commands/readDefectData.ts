/**
 * READ DEFECT DATA(10) and (12) (SBC-3 5.17, 5.18): a virtual medium has no
 * defects, so the answer is a header with an empty list, echoing the
 * requested lists (PLISTV/GLISTV) and DEFECT LIST FORMAT.
 */
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { goodWithData } from '../ScsiResults.js';

export const readDefectData10: BlockCommandDefinition = {
  name: 'READ DEFECT DATA(10)', opcode: 0x37, cdbLength: 10, scope: 'block', dataDirection: 'in',
  usageData: [0x37, 0x00, 0x1f, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00],
  async execute(cmd: ScsiCommand): Promise<ScsiResult> {
    const data = Buffer.alloc(4);
    data[1] = cmd.cdb[2] & 0x1f; // PLISTV, GLISTV, DEFECT LIST FORMAT; DEFECT LIST LENGTH 0
    return goodWithData(data, cmd.cdb.readUInt16BE(7));
  },
};

export const readDefectData12: BlockCommandDefinition = {
  name: 'READ DEFECT DATA(12)', opcode: 0xb7, cdbLength: 12, scope: 'block', dataDirection: 'in',
  usageData: [0xb7, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00],
  async execute(cmd: ScsiCommand): Promise<ScsiResult> {
    const data = Buffer.alloc(8);
    data[1] = cmd.cdb[1] & 0x1f; // PLISTV, GLISTV, DEFECT LIST FORMAT; generation 0, DEFECT LIST LENGTH 0
    return goodWithData(data, cmd.cdb.readUInt32BE(6));
  },
};
