/**
 * READ CAPACITY(10) (SBC-3 5.15) and READ CAPACITY(16) (SBC-3 5.16, SERVICE
 * ACTION IN(16) 9Eh/10h). The size is read from the store each time, so a
 * resize is visible at once.
 */
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import { CheckCondition } from '../CheckCondition.js';
import { goodWithData } from '../ScsiResults.js';

export const readCapacity10: BlockCommandDefinition = {
  name: 'READ CAPACITY(10)', opcode: 0x25, cdbLength: 10, scope: 'block', dataDirection: 'in', accessesMedium: true,
  usageData: [0x25, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x01, 0x00],
  async execute(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
    const cdb = cmd.cdb;
    // PMI is obsolete; with PMI=0 the LBA field must be zero.
    if ((cdb[8] & 0x01) === 0 && cdb.readUInt32BE(2) !== 0) throw CheckCondition.invalidFieldInCdb(2);
    const data = Buffer.alloc(8);
    const last = lu.blockCount - 1;
    // 0xFFFFFFFF tells the initiator to use READ CAPACITY(16).
    data.writeUInt32BE(last > 0xfffffffe ? 0xffffffff : Math.max(last, 0), 0);
    data.writeUInt32BE(lu.blockSize, 4);
    return goodWithData(data, 8);
  },
};

export const readCapacity16: BlockCommandDefinition = {
  name: 'READ CAPACITY(16)', opcode: 0x9e, serviceAction: 0x10, cdbLength: 16, scope: 'block', dataDirection: 'in', accessesMedium: true,
  usageData: [0x9e, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00],
  async execute(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
    const cdb = cmd.cdb;
    if ((cdb[14] & 0x01) === 0 && (cdb.readUInt32BE(2) !== 0 || cdb.readUInt32BE(6) !== 0)) throw CheckCondition.invalidFieldInCdb(2);
    const data = Buffer.alloc(32);
    const last = Math.max(lu.blockCount - 1, 0);
    data.writeUInt32BE(Math.floor(last / 0x1_0000_0000), 0);
    data.writeUInt32BE(last >>> 0, 4);
    data.writeUInt32BE(lu.blockSize, 8);
    // Byte 13: logical blocks per physical block exponent; byte 14: thin provisioning bits.
    data[13] = lu.physicalBlockExponent;
    const caps = lu.store.capabilities;
    if (caps.discard) data[14] = 0x80 | (caps.discardZeroes ? 0x40 : 0); // LBPME, LBPRZ
    return goodWithData(data, cdb.readUInt32BE(10));
  },
};
