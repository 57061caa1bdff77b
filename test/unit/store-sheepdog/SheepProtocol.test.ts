/**
 * Byte-exact header vectors. Each hex string was written by hand from the
 * struct layouts of include/sheepdog_proto.h (sd_req / sd_rsp, 48 bytes,
 * little-endian), field by field as commented — not produced by the encoder.
 */
import t from 'tap';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  encodeVdiNameTag,
  SD_REQ_SIZE,
  SD_RSP_SIZE,
  SheepFlag,
  SheepOpcode,
  SheepResult,
  sheepResultText,
} from '../../../plugins/store-sheepdog/SheepProtocol.js';
import { storeErrorKindOf } from '../../../plugins/store-sheepdog/sheepResultError.js';

/** Hex with whitespace; "| ..." to the end of a line is a comment. */
const hex = (s: string): Buffer => {
  const digits = s.split('\n').map((line) => line.split('|')[0] ?? '').join('').replace(/\s/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(digits)) throw new Error(`bad hex vector: ${digits}`);
  return Buffer.from(digits, 'hex');
};

t.test('constants from the header', async (t) => {
  t.equal(SD_REQ_SIZE, 48);
  t.equal(SD_RSP_SIZE, 48);
  t.equal(SheepOpcode.CREATE_AND_WRITE_OBJ, 0x01);
  t.equal(SheepOpcode.DISCARD_OBJ, 0x05);
  t.equal(SheepOpcode.LOCK_VDI, 0x12);
  t.equal(SheepOpcode.GET_VDI_INFO, 0x14);
  t.equal(SheepOpcode.FLUSH_VDI, 0x16);
  t.equal(SheepFlag.COW, 0x02);
  t.equal(SheepResult.READONLY, 0x1a);
  t.equal(SheepResult.INODE_INVALIDATED, 0x1d);
});

// READ_OBJ of object 1 of VDI 0x2a0b08, 4096 bytes at 0x3ff000.
const readObj = hex(`
  02 02 0000 00000000 07000000 00100000   | proto 2, op READ_OBJ, flags 0, epoch 0, id 7, data_length 0x1000
  01000000 080b2a00                       | obj.oid 0x002a0b08_00000001
  00000000 00000000                       | obj.cow_oid 0
  01 00 00 00                             | copies 1, copy_policy 0, ec_index 0, reserved
  00000000                                | tgt_epoch
  00f03f00                                | offset 0x3ff000
  00000000                                | __pad
`);

// CREATE_AND_WRITE_OBJ with COW: object 5 of 0x2a0b09 from object 5 of 0x2a0b08, 512 bytes at 0x1000.
const createCow = hex(`
  02 01 0300 00000000 04030201 00020000   | op CREATE_AND_WRITE_OBJ, flags WRITE|COW, id 0x01020304, data_length 0x200
  05000000 090b2a00                       | oid 0x002a0b09_00000005
  05000000 080b2a00                       | cow_oid 0x002a0b08_00000005
  03 00 00 00                             | copies 3
  00000000 00100000 00000000              | tgt_epoch, offset 0x1000, pad
`);

// WRITE_OBJ of data_vdi_id[5] in the inode of 0x2a0b09: offset 4664 + 5*4 = 4684 = 0x124c, 4 bytes.
const inodeEntry = hex(`
  02 03 0100 00000000 0b000000 04000000   | op WRITE_OBJ, flags WRITE, id 11, data_length 4
  00000000 090b2a80                       | oid VDI_BIT | 0x2a0b09 << 32
  00000000 00000000                       | cow_oid
  01 00 00 00 00000000 4c120000 00000000  | copies 1, tgt_epoch, offset 0x124c, pad
`);

// LOCK_VDI, shared lock, name+tag data (512 bytes).
const lockShared = hex(`
  02 12 0100 00000000 09000000 00020000   | op LOCK_VDI, flags WRITE, id 9, data_length 0x200
  00000000 00000000                       | vdi.vdi_size 0
  00000000                                | base_vdi_id 0
  00 00 00 00                             | copies, copy_policy, store_policy, block_size_shift
  00000000                                | snapid 0
  01000000                                | type LOCK_TYPE_SHARED
  00000000 00000000                       | rest of the union
`);

// RELEASE_VDI of 0x2a0b08, normal lock.
const release = hex(`
  02 13 0000 00000000 0a000000 00000000
  00000000 00000000                       | vdi_size
  080b2a00                                | base_vdi_id 0x2a0b08
  00 00 00 00 00000000 00000000 00000000 00000000
`);

// GET_VDI_INFO for snapshot id 2.
const getInfoSnap = hex(`
  02 14 0100 00000000 0c000000 00020000
  00000000 00000000 00000000 00 00 00 00
  02000000                                | snapid 2
  00000000 00000000 00000000              | type, rest
`);

t.test('request vectors', async (t) => {
  t.same(
    encodeRequest({ kind: 'obj', opcode: SheepOpcode.READ_OBJ, flags: 0, id: 7, dataLength: 0x1000, oid: 0x002a0b0800000001n, cowOid: 0n, copies: 1, offset: 0x3ff000 }),
    readObj,
  );
  t.same(
    encodeRequest({
      kind: 'obj',
      opcode: SheepOpcode.CREATE_AND_WRITE_OBJ,
      flags: SheepFlag.WRITE | SheepFlag.COW,
      id: 0x01020304,
      dataLength: 0x200,
      oid: 0x002a0b0900000005n,
      cowOid: 0x002a0b0800000005n,
      copies: 3,
      offset: 0x1000,
    }),
    createCow,
  );
  t.same(
    encodeRequest({ kind: 'obj', opcode: SheepOpcode.WRITE_OBJ, flags: SheepFlag.WRITE, id: 11, dataLength: 4, oid: 0x802a0b0900000000n, cowOid: 0n, copies: 1, offset: 4684 }),
    inodeEntry,
  );
  const vdi = { kind: 'vdi' as const, vdiSize: 0n, baseVdiId: 0, copies: 0, copyPolicy: 0, storePolicy: 0, blockSizeShift: 0, snapId: 0, type: 0 };
  t.same(encodeRequest({ ...vdi, opcode: SheepOpcode.LOCK_VDI, flags: SheepFlag.WRITE, id: 9, dataLength: 512, type: 1 }), lockShared);
  t.same(encodeRequest({ ...vdi, opcode: SheepOpcode.RELEASE_VDI, flags: 0, id: 10, dataLength: 0, baseVdiId: 0x2a0b08 }), release);
  t.same(encodeRequest({ ...vdi, opcode: SheepOpcode.GET_VDI_INFO, flags: SheepFlag.WRITE, id: 12, dataLength: 512, snapId: 2 }), getInfoSnap);
});

t.test('requests decode back from the vectors', async (t) => {
  const r = decodeRequest(createCow);
  t.equal(r.kind, 'obj');
  if (r.kind === 'obj') {
    t.equal(r.opcode, SheepOpcode.CREATE_AND_WRITE_OBJ);
    t.equal(r.flags, 3);
    t.equal(r.id, 0x01020304);
    t.equal(r.oid, 0x002a0b0900000005n);
    t.equal(r.cowOid, 0x002a0b0800000005n);
    t.equal(r.copies, 3);
    t.equal(r.offset, 0x1000);
  }
  const l = decodeRequest(lockShared);
  t.equal(l.kind, 'vdi');
  if (l.kind === 'vdi') {
    t.equal(l.type, 1);
    t.equal(l.dataLength, 512);
  }
  const rel = decodeRequest(release);
  t.equal(rel.kind === 'vdi' && rel.baseVdiId, 0x2a0b08);
  const g = decodeRequest(getInfoSnap);
  t.equal(g.kind === 'vdi' && g.snapId, 2);
});

// GET_VDI_INFO answer: vdi_id 0x2a0b08, copies 1, block_size_shift 22.
const vdiInfoRsp = hex(`
  02 14 0000 03000000 09000000 00000000   | op GET_VDI_INFO, epoch 3, id 9, data_length 0
  00000000                                | result SD_RES_SUCCESS
  00000000                                | vdi.rsvd
  080b2a00                                | vdi.vdi_id
  00000000                                | vdi.attr_id
  01 16 0000                              | copies 1, block_size_shift 22, reserved
  00000000 00000000 00000000
`);
// READ_OBJ answer with 4096 bytes of data, obj.copies 2, obj.offset 0x1000.
const readRsp = hex(`
  02 02 0000 00000000 07000000 00100000
  00000000                                | result
  02 000000                               | obj.copies 2
  00100000 00000000                       | obj.offset 0x1000
  00000000 00000000 00000000 00000000
`);
// An error answer: SD_RES_NO_SPACE.
const noSpaceRsp = hex(`02 01 0000 00000000 2a000000 00000000 15000000 ${'00'.repeat(28)}`);

t.test('response vectors', async (t) => {
  const v = decodeResponse(vdiInfoRsp);
  t.equal(v.opcode, SheepOpcode.GET_VDI_INFO);
  t.equal(v.epoch, 3);
  t.equal(v.id, 9);
  t.equal(v.result, SheepResult.SUCCESS);
  t.equal(v.vdiId, 0x2a0b08);
  t.equal(v.vdiCopies, 1);
  t.equal(v.blockSizeShift, 22);
  const r = decodeResponse(readRsp);
  t.equal(r.dataLength, 4096);
  t.equal(r.objCopies, 2);
  t.equal(r.objOffset, 0x1000n);
  const e = decodeResponse(noSpaceRsp);
  t.equal(e.id, 42);
  t.equal(e.result, SheepResult.NO_SPACE);

  t.same(
    encodeResponse({ kind: 'vdi', opcode: SheepOpcode.GET_VDI_INFO, epoch: 3, id: 9, dataLength: 0, result: 0, vdiId: 0x2a0b08, attrId: 0, copies: 1, blockSizeShift: 22 }),
    vdiInfoRsp,
  );
  t.same(encodeResponse({ kind: 'obj', opcode: SheepOpcode.READ_OBJ, id: 7, dataLength: 4096, result: 0, copies: 2, offset: 0x1000n }), readRsp);
  t.same(encodeResponse({ kind: 'plain', opcode: SheepOpcode.CREATE_AND_WRITE_OBJ, id: 42, dataLength: 0, result: SheepResult.NO_SPACE }), noSpaceRsp);
});

t.test('name/tag payload is two NUL-padded 256-byte fields', async (t) => {
  const buf = encodeVdiNameTag('tgt0', 'snap1');
  t.equal(buf.length, 512);
  t.same(buf.subarray(0, 5), hex('7467743000'));
  t.same(buf.subarray(256, 262), hex('736e61703100'));
  t.equal(buf.subarray(5, 256).every((b) => b === 0), true);
  t.throws(() => encodeVdiNameTag('x'.repeat(256), ''), /at most 255/);
});

t.test('every result code has a meaning and a store error kind', async (t) => {
  t.match(sheepResultText(SheepResult.NO_VDI), /SD_RES_NO_VDI/);
  t.match(sheepResultText(0x77), /unknown sheep result 0x77/);
  t.equal(storeErrorKindOf(SheepResult.EIO), 'medium');
  t.equal(storeErrorKindOf(SheepResult.NO_SPACE), 'space-exhausted');
  t.equal(storeErrorKindOf(SheepResult.FULL_VDI), 'space-exhausted');
  t.equal(storeErrorKindOf(SheepResult.READONLY), 'write-protected');
  t.equal(storeErrorKindOf(SheepResult.STARTUP), 'not-ready');
  t.equal(storeErrorKindOf(SheepResult.HALT), 'not-ready');
  t.equal(storeErrorKindOf(SheepResult.WAIT_FOR_JOIN), 'not-ready');
  t.equal(storeErrorKindOf(SheepResult.NO_VDI), 'gone');
  t.equal(storeErrorKindOf(SheepResult.NO_TAG), 'gone');
  t.equal(storeErrorKindOf(0x77), 'medium');
  for (let code = 0x01; code <= 0x1a; code++) t.match(sheepResultText(code), /^SD_RES_/, `0x${code.toString(16)} is named`);
});
