/**
 * The sheep wire protocol: the 48-byte request and response headers of
 * sheepdog's include/sheepdog_proto.h (struct sd_req / struct sd_rsp), their
 * opcodes, flags and result codes. This is the only place that lays out those
 * bytes; the client and the test server both go through it.
 *
 * sheep lays the structs out in host order on x86, so every field is
 * little-endian. Layout (byte offsets):
 *
 *   common  0 proto_ver u8 | 1 opcode u8 | 2 flags u16 | 4 epoch u32 | 8 id u32 | 12 data_length u32
 *   req.obj 16 oid u64 | 24 cow_oid u64 | 32 copies u8 | 33 copy_policy u8 | 34 ec_index u8
 *           35 reserved u8 | 36 tgt_epoch u32 | 40 offset u32 | 44 __pad u32
 *   req.vdi 16 vdi_size u64 | 24 base_vdi_id u32 | 28 copies u8 | 29 copy_policy u8
 *           30 store_policy u8 | 31 block_size_shift u8 | 32 snapid u32 | 36 type u32
 *   req.ref 16 oid u64 | 24 generation u32 | 28 count u32
 *   rsp     16 result u32
 *   rsp.obj 20 copies u8 | 21..23 reserved | 24 offset u64
 *   rsp.vdi 20 rsvd u32 | 24 vdi_id u32 | 28 attr_id u32 | 32 copies u8 | 33 block_size_shift u8
 */

export const SD_PROTO_VER = 0x02;
export const SD_REQ_SIZE = 48;
export const SD_RSP_SIZE = 48;
/** The default TCP port of sheep. */
export const SD_LISTEN_PORT = 7000;

export const SheepOpcode = {
  CREATE_AND_WRITE_OBJ: 0x01,
  READ_OBJ: 0x02,
  WRITE_OBJ: 0x03,
  REMOVE_OBJ: 0x04,
  DISCARD_OBJ: 0x05,
  NEW_VDI: 0x11,
  LOCK_VDI: 0x12,
  RELEASE_VDI: 0x13,
  GET_VDI_INFO: 0x14,
  READ_VDIS: 0x15,
  /** Obsolete in current sheep (answers SD_RES_INVALID_PARMS: writes are durable when acknowledged). */
  FLUSH_VDI: 0x16,
  DEL_VDI: 0x17,
  GET_CLUSTER_DEFAULT: 0x18,
} as const;
export type SheepOpcodeValue = (typeof SheepOpcode)[keyof typeof SheepOpcode];

export const SheepFlag = {
  WRITE: 0x01,
  COW: 0x02,
  CACHE: 0x04,
  DIRECT: 0x08,
  PIGGYBACK: 0x10,
  TGT: 0x20,
  FWD: 0x40,
} as const;

export const SheepResult = {
  SUCCESS: 0x00,
  UNKNOWN: 0x01,
  NO_OBJ: 0x02,
  EIO: 0x03,
  VDI_EXIST: 0x04,
  INVALID_PARMS: 0x05,
  SYSTEM_ERROR: 0x06,
  VDI_LOCKED: 0x07,
  NO_VDI: 0x08,
  NO_BASE_VDI: 0x09,
  VDI_READ: 0x0a,
  VDI_WRITE: 0x0b,
  BASE_VDI_READ: 0x0c,
  BASE_VDI_WRITE: 0x0d,
  NO_TAG: 0x0e,
  STARTUP: 0x0f,
  VDI_NOT_LOCKED: 0x10,
  SHUTDOWN: 0x11,
  NO_MEM: 0x12,
  FULL_VDI: 0x13,
  VER_MISMATCH: 0x14,
  NO_SPACE: 0x15,
  WAIT_FOR_FORMAT: 0x16,
  WAIT_FOR_JOIN: 0x17,
  JOIN_FAILED: 0x18,
  HALT: 0x19,
  READONLY: 0x1a,
  INODE_INVALIDATED: 0x1d,
  // sheepdog-internal codes (>= 0x80) a gateway can still pass back to a client
  NETWORK_ERROR: 0x86,
  NODE_IN_RECOVERY: 0x8c,
  KILLED: 0x8d,
  AGAIN: 0x8f,
  CLUSTER_ERROR: 0x91,
  COLLECTING_CINFO: 0x95,
} as const;

const RESULT_TEXT: ReadonlyMap<number, string> = new Map([
  [0x00, 'SD_RES_SUCCESS (success)'],
  [0x01, 'SD_RES_UNKNOWN (unknown error)'],
  [0x02, 'SD_RES_NO_OBJ (no object found)'],
  [0x03, 'SD_RES_EIO (I/O error)'],
  [0x04, 'SD_RES_VDI_EXIST (VDI exists already)'],
  [0x05, 'SD_RES_INVALID_PARMS (invalid parameters)'],
  [0x06, 'SD_RES_SYSTEM_ERROR (system error)'],
  [0x07, 'SD_RES_VDI_LOCKED (VDI is locked)'],
  [0x08, 'SD_RES_NO_VDI (no VDI found)'],
  [0x09, 'SD_RES_NO_BASE_VDI (no base VDI found)'],
  [0x0a, 'SD_RES_VDI_READ (cannot read requested VDI)'],
  [0x0b, 'SD_RES_VDI_WRITE (cannot write requested VDI)'],
  [0x0c, 'SD_RES_BASE_VDI_READ (cannot read base VDI)'],
  [0x0d, 'SD_RES_BASE_VDI_WRITE (cannot write base VDI)'],
  [0x0e, 'SD_RES_NO_TAG (requested tag is not found)'],
  [0x0f, 'SD_RES_STARTUP (sheepdog is starting up)'],
  [0x10, 'SD_RES_VDI_NOT_LOCKED (VDI is not locked)'],
  [0x11, 'SD_RES_SHUTDOWN (sheepdog is shutting down)'],
  [0x12, 'SD_RES_NO_MEM (cannot allocate memory)'],
  [0x13, 'SD_RES_FULL_VDI (maximum number of VDIs reached)'],
  [0x14, 'SD_RES_VER_MISMATCH (protocol version mismatch)'],
  [0x15, 'SD_RES_NO_SPACE (server has no room for new objects)'],
  [0x16, 'SD_RES_WAIT_FOR_FORMAT (sheepdog is waiting for a format operation)'],
  [0x17, 'SD_RES_WAIT_FOR_JOIN (sheepdog is waiting for other nodes to join)'],
  [0x18, 'SD_RES_JOIN_FAILED (the node failed to join sheepdog)'],
  [0x19, 'SD_RES_HALT (sheepdog has stopped doing I/O)'],
  [0x1a, 'SD_RES_READONLY (object is read-only)'],
  [0x1d, 'SD_RES_INODE_INVALIDATED (inode must be re-read)'],
  [0x86, 'SD_RES_NETWORK_ERROR (network error between sheep)'],
  [0x8c, 'SD_RES_NODE_IN_RECOVERY (node is in recovery)'],
  [0x8d, 'SD_RES_KILLED (node is killed)'],
  [0x8f, 'SD_RES_AGAIN (try again)'],
  [0x91, 'SD_RES_CLUSTER_ERROR (cluster driver error)'],
  [0x95, 'SD_RES_COLLECTING_CINFO (sheep is collecting cluster status)'],
]);

/** "SD_RES_NO_VDI (no VDI found)" or "unknown sheep result 0x..". */
export function sheepResultText(result: number): string {
  return RESULT_TEXT.get(result) ?? `unknown sheep result 0x${result.toString(16).padStart(2, '0')}`;
}

const OPCODE_NAME: ReadonlyMap<number, string> = new Map(
  Object.entries(SheepOpcode).map(([name, code]) => [code, `SD_OP_${name}`]),
);
export function sheepOpcodeName(opcode: number): string {
  return OPCODE_NAME.get(opcode) ?? `SD_OP_0x${opcode.toString(16)}`;
}

export const LockType = { NORMAL: 0, SHARED: 1 } as const;

interface SheepRequestCommon {
  readonly protoVer?: number;
  readonly opcode: number;
  readonly flags: number;
  readonly epoch?: number;
  readonly id: number;
  readonly dataLength: number;
}

/** The obj view of sd_req (object I/O: SD_OP_*_OBJ, FLUSH_VDI). */
export interface SheepObjRequest extends SheepRequestCommon {
  readonly kind: 'obj';
  readonly oid: bigint;
  readonly cowOid: bigint;
  readonly copies: number;
  readonly copyPolicy?: number;
  readonly ecIndex?: number;
  readonly tgtEpoch?: number;
  readonly offset: number;
}

/** The vdi view of sd_req (SD_OP_NEW_VDI, LOCK/RELEASE_VDI, GET_VDI_INFO, DEL_VDI). */
export interface SheepVdiRequest extends SheepRequestCommon {
  readonly kind: 'vdi';
  readonly vdiSize: bigint;
  readonly baseVdiId: number;
  readonly copies: number;
  readonly copyPolicy: number;
  readonly storePolicy: number;
  readonly blockSizeShift: number;
  readonly snapId: number;
  readonly type: number;
}

/** The ref view of sd_req (reference counting ops). */
export interface SheepRefRequest extends SheepRequestCommon {
  readonly kind: 'ref';
  readonly oid: bigint;
  readonly generation: number;
  readonly count: number;
}

export type SheepRequest = SheepObjRequest | SheepVdiRequest | SheepRefRequest;

/** A request before the connection gives it an id. */
export type SheepRequestFields =
  | (Omit<SheepObjRequest, 'id'> & { readonly id?: number })
  | (Omit<SheepVdiRequest, 'id'> & { readonly id?: number })
  | (Omit<SheepRefRequest, 'id'> & { readonly id?: number });

/** Which union member an opcode uses. */
export function requestKindOf(opcode: number): SheepRequest['kind'] {
  if (opcode >= 0x11 && opcode <= 0x18 && opcode !== SheepOpcode.FLUSH_VDI) return 'vdi';
  return 'obj';
}

/**
 * Encode a request header into `dst` (48 bytes, zeroed first) or a new buffer.
 * `id` overrides req.id (the connection assigns ids without copying the request).
 */
export function encodeRequest(req: SheepRequestFields, dst: Buffer = Buffer.allocUnsafe(SD_REQ_SIZE), id: number = req.id ?? 0): Buffer {
  dst.fill(0, 0, SD_REQ_SIZE);
  dst.writeUInt8(req.protoVer ?? SD_PROTO_VER, 0);
  dst.writeUInt8(req.opcode, 1);
  dst.writeUInt16LE(req.flags, 2);
  dst.writeUInt32LE(req.epoch ?? 0, 4);
  dst.writeUInt32LE(id >>> 0, 8);
  dst.writeUInt32LE(req.dataLength, 12);
  switch (req.kind) {
    case 'obj':
      dst.writeBigUInt64LE(req.oid, 16);
      dst.writeBigUInt64LE(req.cowOid, 24);
      dst.writeUInt8(req.copies, 32);
      dst.writeUInt8(req.copyPolicy ?? 0, 33);
      dst.writeUInt8(req.ecIndex ?? 0, 34);
      dst.writeUInt32LE(req.tgtEpoch ?? 0, 36);
      dst.writeUInt32LE(req.offset, 40);
      break;
    case 'vdi':
      dst.writeBigUInt64LE(req.vdiSize, 16);
      dst.writeUInt32LE(req.baseVdiId, 24);
      dst.writeUInt8(req.copies, 28);
      dst.writeUInt8(req.copyPolicy, 29);
      dst.writeUInt8(req.storePolicy, 30);
      dst.writeUInt8(req.blockSizeShift, 31);
      dst.writeUInt32LE(req.snapId, 32);
      dst.writeUInt32LE(req.type, 36);
      break;
    case 'ref':
      dst.writeBigUInt64LE(req.oid, 16);
      dst.writeUInt32LE(req.generation, 24);
      dst.writeUInt32LE(req.count, 28);
      break;
  }
  return dst;
}

/** Decode a request header (the test server's side), choosing the union view by opcode. */
export function decodeRequest(src: Buffer): SheepRequest {
  if (src.length < SD_REQ_SIZE) throw new RangeError(`sheep request header needs ${SD_REQ_SIZE} bytes, got ${src.length}`);
  const common = {
    protoVer: src.readUInt8(0),
    opcode: src.readUInt8(1),
    flags: src.readUInt16LE(2),
    epoch: src.readUInt32LE(4),
    id: src.readUInt32LE(8),
    dataLength: src.readUInt32LE(12),
  };
  if (requestKindOf(common.opcode) === 'vdi') {
    return {
      kind: 'vdi',
      ...common,
      vdiSize: src.readBigUInt64LE(16),
      baseVdiId: src.readUInt32LE(24),
      copies: src.readUInt8(28),
      copyPolicy: src.readUInt8(29),
      storePolicy: src.readUInt8(30),
      blockSizeShift: src.readUInt8(31),
      snapId: src.readUInt32LE(32),
      type: src.readUInt32LE(36),
    };
  }
  return {
    kind: 'obj',
    ...common,
    oid: src.readBigUInt64LE(16),
    cowOid: src.readBigUInt64LE(24),
    copies: src.readUInt8(32),
    copyPolicy: src.readUInt8(33),
    ecIndex: src.readUInt8(34),
    tgtEpoch: src.readUInt32LE(36),
    offset: src.readUInt32LE(40),
  };
}

/** sd_rsp with both public union views decoded (which one is meaningful depends on the opcode). */
export interface SheepResponse {
  readonly protoVer: number;
  readonly opcode: number;
  readonly flags: number;
  readonly epoch: number;
  readonly id: number;
  readonly dataLength: number;
  readonly result: number;
  /** rsp.obj */
  readonly objCopies: number;
  readonly objOffset: bigint;
  /** rsp.vdi */
  readonly vdiId: number;
  readonly attrId: number;
  readonly vdiCopies: number;
  readonly blockSizeShift: number;
}

export function decodeResponse(src: Buffer): SheepResponse {
  if (src.length < SD_RSP_SIZE) throw new RangeError(`sheep response header needs ${SD_RSP_SIZE} bytes, got ${src.length}`);
  return {
    protoVer: src.readUInt8(0),
    opcode: src.readUInt8(1),
    flags: src.readUInt16LE(2),
    epoch: src.readUInt32LE(4),
    id: src.readUInt32LE(8),
    dataLength: src.readUInt32LE(12),
    result: src.readUInt32LE(16),
    objCopies: src.readUInt8(20),
    objOffset: src.readBigUInt64LE(24),
    vdiId: src.readUInt32LE(24),
    attrId: src.readUInt32LE(28),
    vdiCopies: src.readUInt8(32),
    blockSizeShift: src.readUInt8(33),
  };
}

interface SheepResponseCommon {
  readonly protoVer?: number;
  readonly opcode: number;
  readonly flags?: number;
  readonly epoch?: number;
  readonly id: number;
  readonly dataLength: number;
  readonly result: number;
}
/** What a server puts in a response: the plain result, or the obj / vdi view. */
export type SheepResponseFields =
  | (SheepResponseCommon & { readonly kind: 'plain' })
  | (SheepResponseCommon & { readonly kind: 'obj'; readonly copies: number; readonly offset: bigint })
  | (SheepResponseCommon & {
      readonly kind: 'vdi';
      readonly vdiId: number;
      readonly attrId: number;
      readonly copies: number;
      readonly blockSizeShift: number;
    });

export function encodeResponse(rsp: SheepResponseFields, dst: Buffer = Buffer.allocUnsafe(SD_RSP_SIZE)): Buffer {
  dst.fill(0, 0, SD_RSP_SIZE);
  dst.writeUInt8(rsp.protoVer ?? SD_PROTO_VER, 0);
  dst.writeUInt8(rsp.opcode, 1);
  dst.writeUInt16LE(rsp.flags ?? 0, 2);
  dst.writeUInt32LE(rsp.epoch ?? 0, 4);
  dst.writeUInt32LE(rsp.id >>> 0, 8);
  dst.writeUInt32LE(rsp.dataLength, 12);
  dst.writeUInt32LE(rsp.result, 16);
  if (rsp.kind === 'obj') {
    dst.writeUInt8(rsp.copies, 20);
    dst.writeBigUInt64LE(rsp.offset, 24);
  } else if (rsp.kind === 'vdi') {
    dst.writeUInt32LE(rsp.vdiId, 24);
    dst.writeUInt32LE(rsp.attrId, 28);
    dst.writeUInt8(rsp.copies, 32);
    dst.writeUInt8(rsp.blockSizeShift, 33);
  }
  return dst;
}

/** SD_MAX_VDI_LEN / SD_MAX_VDI_TAG_LEN: the name and tag fields of VDI requests and the inode. */
export const SD_MAX_VDI_LEN = 256;
export const SD_MAX_VDI_TAG_LEN = 256;

/**
 * The data of GET_VDI_INFO / LOCK_VDI: name[256] then tag[256], NUL padded
 * (sheep reads the tag only when data_length covers it).
 */
export function encodeVdiNameTag(name: string, tag: string): Buffer {
  const buf = Buffer.alloc(SD_MAX_VDI_LEN + SD_MAX_VDI_TAG_LEN);
  writeCString(buf, 0, SD_MAX_VDI_LEN, name, 'VDI name');
  writeCString(buf, SD_MAX_VDI_LEN, SD_MAX_VDI_TAG_LEN, tag, 'snapshot tag');
  return buf;
}

/** Read a NUL-terminated string from a fixed-size field. */
export function readCString(buf: Buffer, offset: number, size: number): string {
  const end = buf.indexOf(0, offset);
  const stop = end < 0 || end > offset + size ? offset + size : end;
  return buf.toString('utf8', offset, stop);
}

export function writeCString(buf: Buffer, offset: number, size: number, value: string, what: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length >= size) throw new RangeError(`${what} "${value}" is ${bytes.length} bytes; sheep allows at most ${size - 1}`);
  bytes.copy(buf, offset);
  buf.fill(0, offset + bytes.length, offset + size);
}
