/**
 * Byte-exact BHS vectors for every iSCSI PDU type, derived by hand from the
 * layouts of RFC 7143 chapter 11 (written as 4-byte words), both directions.
 */
import t from 'tap';
import { decodeBhs, encodeBhs, UnknownOpcodeError } from '../../../plugins/transport-iscsi-tcp/pdu/PduCodec.js';
import { Opcode } from '../../../plugins/transport-iscsi-tcp/pdu/Opcode.js';
import type { AnyPdu } from '../../../plugins/transport-iscsi-tcp/pdu/PduTypes.js';

function hex(words: string): Buffer {
  const b = Buffer.from(words.replace(/\s+/g, ''), 'hex');
  if (b.length !== 48) throw new Error(`vector is ${b.length} bytes, not 48`);
  return b;
}

const Z = '00000000';

const vectors: Array<[string, string, AnyPdu]> = [
  ['NOP-Out (immediate ping)', `40800000 00000000 ${Z} ${Z} 11223344 ffffffff 00000005 00000007 ${Z} ${Z} ${Z} ${Z}`,
    { opcode: Opcode.NopOut, totalAhsLength: 0, dataSegmentLength: 0, immediate: true, lun: 0, itt: 0x11223344, ttt: 0xffffffff, cmdSN: 5, expStatSN: 7 }],
  ['SCSI Command (READ 10, F R, simple)', `01c10000 00000200 00010000 ${Z} 0000000a 00001000 00000010 00000020 28000000 ${Z} 08000000 ${Z}`,
    { opcode: Opcode.ScsiCommand, totalAhsLength: 0, dataSegmentLength: 512, immediate: false, final: true, read: true, write: false, attribute: 1, lun: 1, itt: 0x0a, expectedDataTransferLength: 4096, cmdSN: 0x10, expStatSN: 0x20, cdb: Buffer.from('28000000000000000800000000000000', 'hex') }],
  ['Task Management Request (ABORT TASK)', `42810000 ${Z} 00020000 ${Z} 00000005 00000004 00000009 00000003 00000008 ${Z} ${Z} ${Z}`,
    { opcode: Opcode.TaskManagementRequest, totalAhsLength: 0, dataSegmentLength: 0, immediate: true, fn: 1, lun: 2, itt: 5, referencedTaskTag: 4, cmdSN: 9, expStatSN: 3, refCmdSN: 8, expDataSN: 0 }],
  ['Login Request (T, CSG 1 -> NSG 3)', `43870000 0000001c 40000137 00000000 00000001 00010000 00000001 ${Z} ${Z} ${Z} ${Z} ${Z}`,
    { opcode: Opcode.LoginRequest, totalAhsLength: 0, dataSegmentLength: 0x1c, transit: true, continue: false, csg: 1, nsg: 3, versionMax: 0, versionMin: 0, isid: '400001370000', tsih: 0, itt: 1, cid: 1, cmdSN: 1, expStatSN: 0 }],
  ['Text Request (F)', `04800000 00000010 ${Z} ${Z} 00000007 ffffffff 00000002 00000003 ${Z} ${Z} ${Z} ${Z}`,
    { opcode: Opcode.TextRequest, totalAhsLength: 0, dataSegmentLength: 16, immediate: false, final: true, continue: false, lun: 0, itt: 7, ttt: 0xffffffff, cmdSN: 2, expStatSN: 3 }],
  ['SCSI Data-Out (F)', `05800000 00002000 00010000 ${Z} 0000000a 00000022 ${Z} 00000004 ${Z} 00000003 00002000 ${Z}`,
    { opcode: Opcode.DataOut, totalAhsLength: 0, dataSegmentLength: 0x2000, final: true, lun: 1, itt: 0x0a, ttt: 0x22, expStatSN: 4, dataSN: 3, bufferOffset: 0x2000 }],
  ['Logout Request (close session)', `46800000 ${Z} ${Z} ${Z} 00000099 00010000 00000030 00000031 ${Z} ${Z} ${Z} ${Z}`,
    { opcode: Opcode.LogoutRequest, totalAhsLength: 0, dataSegmentLength: 0, immediate: true, reason: 0, itt: 0x99, cid: 1, cmdSN: 0x30, expStatSN: 0x31 }],
  ['SNACK Request (status)', `10810000 ${Z} ${Z} ${Z} 00000005 00000006 ${Z} 00000007 ${Z} ${Z} 00000008 00000009`,
    { opcode: Opcode.Snack, totalAhsLength: 0, dataSegmentLength: 0, type: 1, lun: 0, itt: 5, ttt: 6, expStatSN: 7, begRun: 8, runLength: 9 }],
  ['NOP-In (ping answer)', `20800000 00000004 ${Z} ${Z} 11223344 ffffffff 00000100 00000006 00000045 ${Z} ${Z} ${Z}`,
    { opcode: Opcode.NopIn, totalAhsLength: 0, dataSegmentLength: 4, lun: 0, itt: 0x11223344, ttt: 0xffffffff, statSN: 0x100, expCmdSN: 6, maxCmdSN: 0x45 }],
  ['SCSI Response (CHECK CONDITION, underflow)', `21820002 00000014 ${Z} ${Z} 0000000a ${Z} 00000101 00000007 00000046 00000002 ${Z} 00000200`,
    { opcode: Opcode.ScsiResponse, totalAhsLength: 0, dataSegmentLength: 20, bidiOverflow: false, bidiUnderflow: false, overflow: false, underflow: true, response: 0, status: 2, itt: 0x0a, snackTag: 0, statSN: 0x101, expCmdSN: 7, maxCmdSN: 0x46, expDataSN: 2, bidiResidualCount: 0, residualCount: 0x200 }],
  ['Task Management Response (task does not exist)', `22800100 ${Z} ${Z} ${Z} 00000005 ${Z} 00000102 00000008 00000047 ${Z} ${Z} ${Z}`,
    { opcode: Opcode.TaskManagementResponse, totalAhsLength: 0, dataSegmentLength: 0, response: 1, itt: 5, statSN: 0x102, expCmdSN: 8, maxCmdSN: 0x47 }],
  ['Login Response (target not found 0x0203)', `23870000 00000040 40000137 00000005 00000001 ${Z} 12345678 00000001 00000040 02030000 ${Z} ${Z}`,
    { opcode: Opcode.LoginResponse, totalAhsLength: 0, dataSegmentLength: 0x40, transit: true, continue: false, csg: 1, nsg: 3, versionMax: 0, versionActive: 0, isid: '400001370000', tsih: 5, itt: 1, statSN: 0x12345678, expCmdSN: 1, maxCmdSN: 0x40, statusClass: 2, statusDetail: 3 }],
  ['Text Response (continued)', `24400000 00002000 ${Z} ${Z} 00000007 00000003 00000103 00000003 00000042 ${Z} ${Z} ${Z}`,
    { opcode: Opcode.TextResponse, totalAhsLength: 0, dataSegmentLength: 0x2000, final: false, continue: true, lun: 0, itt: 7, ttt: 3, statSN: 0x103, expCmdSN: 3, maxCmdSN: 0x42 }],
  ['SCSI Data-In (F, S, U, GOOD)', `25830000 00001000 00010000 ${Z} 0000000a ffffffff 00000104 00000009 00000048 00000001 00001000 00000800`,
    { opcode: Opcode.DataIn, totalAhsLength: 0, dataSegmentLength: 0x1000, final: true, acknowledge: false, overflow: false, underflow: true, hasStatus: true, status: 0, lun: 1, itt: 0x0a, ttt: 0xffffffff, statSN: 0x104, expCmdSN: 9, maxCmdSN: 0x48, dataSN: 1, bufferOffset: 0x1000, residualCount: 0x800 }],
  ['Logout Response (success)', `26800000 ${Z} ${Z} ${Z} 00000099 ${Z} 00000105 00000031 00000070 ${Z} 00020014 ${Z}`,
    { opcode: Opcode.LogoutResponse, totalAhsLength: 0, dataSegmentLength: 0, response: 0, itt: 0x99, statSN: 0x105, expCmdSN: 0x31, maxCmdSN: 0x70, time2Wait: 2, time2Retain: 20 }],
  ['Ready To Transfer', `31800000 ${Z} 00010000 ${Z} 0000000a 00000022 00000106 0000000a 00000049 00000001 00040000 00040000`,
    { opcode: Opcode.ReadyToTransfer, totalAhsLength: 0, dataSegmentLength: 0, lun: 1, itt: 0x0a, ttt: 0x22, statSN: 0x106, expCmdSN: 0x0a, maxCmdSN: 0x49, r2tSN: 1, bufferOffset: 0x40000, desiredDataTransferLength: 0x40000 }],
  ['Asynchronous Message (logout request in 5 s)', `32800000 ${Z} ${Z} ${Z} ffffffff ${Z} 00000107 0000000b 0000004a 01000000 00000005 ${Z}`,
    { opcode: Opcode.AsyncMessage, totalAhsLength: 0, dataSegmentLength: 0, lun: 0, statSN: 0x107, expCmdSN: 0x0b, maxCmdSN: 0x4a, asyncEvent: 1, asyncVCode: 0, parameter1: 0, parameter2: 0, parameter3: 5 }],
  ['Reject (protocol error)', `3f800400 00000030 ${Z} ${Z} ffffffff ${Z} 00000108 0000000c 0000004b ${Z} ${Z} ${Z}`,
    { opcode: Opcode.Reject, totalAhsLength: 0, dataSegmentLength: 48, reason: 4, statSN: 0x108, expCmdSN: 0x0c, maxCmdSN: 0x4b, dataSN: 0 }],
];

for (const [name, words, pdu] of vectors) {
  t.test(name, async (t) => {
    const bytes = hex(words);
    t.equal(encodeBhs(pdu).toString('hex'), bytes.toString('hex'), 'encodes to the RFC layout');
    t.same(decodeBhs(bytes), pdu, 'decodes every field');
  });
}

t.test('every opcode of RFC 7143 has a vector', async (t) => {
  const covered = new Set(vectors.map(([, , p]) => p.opcode));
  t.equal(covered.size, 18);
});

t.test('unknown opcode', async (t) => {
  const b = Buffer.alloc(48);
  b[0] = 0x1c;
  let caught: unknown = null;
  try { decodeBhs(b); } catch (err) { caught = err; }
  t.ok(caught instanceof UnknownOpcodeError, 'UnknownOpcodeError');
  t.equal((caught as UnknownOpcodeError).opcode, 0x1c);
});

t.test('encode overwrites a reused buffer completely and refuses a 25-bit length', async (t) => {
  const out = Buffer.alloc(48, 0xee);
  const [, words, pdu] = vectors[0]!;
  encodeBhs(pdu, out);
  t.equal(out.toString('hex'), hex(words).toString('hex'));
  t.throws(() => encodeBhs({ ...vectors[0]![2], dataSegmentLength: 1 << 24 } as AnyPdu), RangeError);
});

t.test('the 24-bit data segment length', async (t) => {
  const b = encodeBhs({ ...vectors[0]![2], dataSegmentLength: 0xabcdef } as AnyPdu);
  t.equal(b.subarray(4, 8).toString('hex'), '00abcdef');
  t.equal(decodeBhs(b).dataSegmentLength, 0xabcdef);
});
