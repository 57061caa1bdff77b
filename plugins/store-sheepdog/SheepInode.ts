/**
 * The VDI inode object (struct sd_inode of include/sheepdog_proto.h), only the
 * parts a block gateway needs: the header and the data_vdi_id[] table.
 *
 * Byte offsets (little-endian):
 *   0 name[256] | 256 tag[256] | 512 create_time u64 | 520 snap_ctime u64 | 528 vm_clock_nsec u64
 *   536 vdi_size u64 | 544 vm_state_size u64 | 552 copy_policy u8 | 553 store_policy u8
 *   554 nr_copies u8 | 555 block_size_shift u8 | 556 snap_id u32 | 560 vdi_id u32
 *   564 parent_vdi_id u32 | 568 btree_counter u32 | 572 __unused[1023] u32
 *   4664 data_vdi_id[1 << 20] u32 | 4664 + 4 MiB gref[1 << 20] {i32 generation, i32 count}
 */
import { readCString, SD_MAX_VDI_LEN, SD_MAX_VDI_TAG_LEN, writeCString } from './SheepProtocol.js';
import { OLD_MAX_DATA_OBJS, SD_DEFAULT_BLOCK_SIZE_SHIFT } from './SheepObjectId.js';

export const INODE_NAME_OFFSET = 0;
export const INODE_TAG_OFFSET = 256;
export const INODE_CREATE_TIME_OFFSET = 512;
export const INODE_SNAP_CTIME_OFFSET = 520;
export const INODE_VM_CLOCK_NSEC_OFFSET = 528;
export const INODE_VDI_SIZE_OFFSET = 536;
export const INODE_VM_STATE_SIZE_OFFSET = 544;
export const INODE_COPY_POLICY_OFFSET = 552;
export const INODE_STORE_POLICY_OFFSET = 553;
export const INODE_NR_COPIES_OFFSET = 554;
export const INODE_BLOCK_SIZE_SHIFT_OFFSET = 555;
export const INODE_SNAP_ID_OFFSET = 556;
export const INODE_VDI_ID_OFFSET = 560;
export const INODE_PARENT_VDI_ID_OFFSET = 564;
export const INODE_BTREE_COUNTER_OFFSET = 568;
/** SD_INODE_HEADER_SIZE = offsetof(struct sd_inode, data_vdi_id). */
export const SD_INODE_HEADER_SIZE = 4664;
/** SD_INODE_DATA_INDEX: entries of data_vdi_id[]. */
export const SD_INODE_DATA_INDEX = OLD_MAX_DATA_OBJS;
export const SD_INODE_DATA_INDEX_SIZE = 4 * SD_INODE_DATA_INDEX;
/** sizeof(struct sd_inode): header, data_vdi_id[], gref[]. */
export const SD_INODE_SIZE = SD_INODE_HEADER_SIZE + SD_INODE_DATA_INDEX_SIZE + 8 * SD_INODE_DATA_INDEX;
/** store_policy 1: data_vdi_id[] holds a B-tree root (hyper volume), not a flat table. */
export const STORE_POLICY_BTREE = 1;

export interface SheepInodeHeader {
  readonly name: string;
  readonly tag: string;
  readonly createTime: bigint;
  /** Non-zero: this VDI is a snapshot (read-only). */
  readonly snapCtime: bigint;
  readonly vmClockNsec: bigint;
  readonly vdiSize: bigint;
  readonly vmStateSize: bigint;
  readonly copyPolicy: number;
  readonly storePolicy: number;
  readonly nrCopies: number;
  /** 0 in old inodes: means SD_DEFAULT_BLOCK_SIZE_SHIFT. */
  readonly blockSizeShift: number;
  readonly snapId: number;
  readonly vdiId: number;
  readonly parentVdiId: number;
  readonly btreeCounter: number;
}

/** Byte offset of data_vdi_id[idx] inside the inode object (data_vid_offset()). */
export function dataVdiIdOffset(idx: number): number {
  return SD_INODE_HEADER_SIZE + 4 * idx;
}

export function decodeInodeHeader(src: Buffer): SheepInodeHeader {
  if (src.length < SD_INODE_HEADER_SIZE) {
    throw new RangeError(`sheep inode header needs ${SD_INODE_HEADER_SIZE} bytes, got ${src.length}`);
  }
  return {
    name: readCString(src, INODE_NAME_OFFSET, SD_MAX_VDI_LEN),
    tag: readCString(src, INODE_TAG_OFFSET, SD_MAX_VDI_TAG_LEN),
    createTime: src.readBigUInt64LE(INODE_CREATE_TIME_OFFSET),
    snapCtime: src.readBigUInt64LE(INODE_SNAP_CTIME_OFFSET),
    vmClockNsec: src.readBigUInt64LE(INODE_VM_CLOCK_NSEC_OFFSET),
    vdiSize: src.readBigUInt64LE(INODE_VDI_SIZE_OFFSET),
    vmStateSize: src.readBigUInt64LE(INODE_VM_STATE_SIZE_OFFSET),
    copyPolicy: src.readUInt8(INODE_COPY_POLICY_OFFSET),
    storePolicy: src.readUInt8(INODE_STORE_POLICY_OFFSET),
    nrCopies: src.readUInt8(INODE_NR_COPIES_OFFSET),
    blockSizeShift: src.readUInt8(INODE_BLOCK_SIZE_SHIFT_OFFSET),
    snapId: src.readUInt32LE(INODE_SNAP_ID_OFFSET),
    vdiId: src.readUInt32LE(INODE_VDI_ID_OFFSET),
    parentVdiId: src.readUInt32LE(INODE_PARENT_VDI_ID_OFFSET),
    btreeCounter: src.readUInt32LE(INODE_BTREE_COUNTER_OFFSET),
  };
}

/** Write the header fields into `dst` (at least SD_INODE_HEADER_SIZE bytes); the rest of dst is untouched. */
export function encodeInodeHeader(h: SheepInodeHeader, dst: Buffer): Buffer {
  dst.fill(0, 0, SD_INODE_HEADER_SIZE);
  writeCString(dst, INODE_NAME_OFFSET, SD_MAX_VDI_LEN, h.name, 'VDI name');
  writeCString(dst, INODE_TAG_OFFSET, SD_MAX_VDI_TAG_LEN, h.tag, 'snapshot tag');
  dst.writeBigUInt64LE(h.createTime, INODE_CREATE_TIME_OFFSET);
  dst.writeBigUInt64LE(h.snapCtime, INODE_SNAP_CTIME_OFFSET);
  dst.writeBigUInt64LE(h.vmClockNsec, INODE_VM_CLOCK_NSEC_OFFSET);
  dst.writeBigUInt64LE(h.vdiSize, INODE_VDI_SIZE_OFFSET);
  dst.writeBigUInt64LE(h.vmStateSize, INODE_VM_STATE_SIZE_OFFSET);
  dst.writeUInt8(h.copyPolicy, INODE_COPY_POLICY_OFFSET);
  dst.writeUInt8(h.storePolicy, INODE_STORE_POLICY_OFFSET);
  dst.writeUInt8(h.nrCopies, INODE_NR_COPIES_OFFSET);
  dst.writeUInt8(h.blockSizeShift, INODE_BLOCK_SIZE_SHIFT_OFFSET);
  dst.writeUInt32LE(h.snapId, INODE_SNAP_ID_OFFSET);
  dst.writeUInt32LE(h.vdiId, INODE_VDI_ID_OFFSET);
  dst.writeUInt32LE(h.parentVdiId, INODE_PARENT_VDI_ID_OFFSET);
  dst.writeUInt32LE(h.btreeCounter, INODE_BTREE_COUNTER_OFFSET);
  return dst;
}

/** Object size in bytes from block_size_shift (0 = the 4 MiB default). */
export function objectSizeOf(h: Pick<SheepInodeHeader, 'blockSizeShift'>): number {
  return 2 ** (h.blockSizeShift === 0 ? SD_DEFAULT_BLOCK_SIZE_SHIFT : h.blockSizeShift);
}

/** Number of data objects covering vdi_size. */
export function objectCountOf(h: Pick<SheepInodeHeader, 'blockSizeShift' | 'vdiSize'>): number {
  const objectSize = BigInt(objectSizeOf(h));
  return Number((h.vdiSize + objectSize - 1n) / objectSize);
}

export function isSnapshotInode(h: Pick<SheepInodeHeader, 'snapCtime'>): boolean {
  return h.snapCtime !== 0n;
}

/** Decode `count` little-endian data_vdi_id entries read from the table (src starts at an entry). */
export function decodeDataVdiIds(src: Buffer, count: number, dst: Uint32Array = new Uint32Array(count), at = 0): Uint32Array {
  for (let i = 0; i < count; i++) dst[at + i] = src.readUInt32LE(4 * i);
  return dst;
}

/** One data_vdi_id entry as it sits in the inode (4 bytes LE), for the inode update write. */
export function encodeDataVdiId(vid: number): Buffer {
  const buf = Buffer.allocUnsafe(4);
  buf.writeUInt32LE(vid >>> 0, 0);
  return buf;
}
