/**
 * Sheepdog object ids (include/sheepdog_proto.h, "Object ID rules"):
 *   bits  0-31  data object index inside the VDI
 *   bits 32-55  VDI id (vid)
 *   bits 60-63  object type (VDI_BIT 63: inode, VMSTATE_BIT 62, VDI_ATTR_BIT 61, VDI_BTREE_BIT 60)
 */
export const VDI_SPACE_SHIFT = 32n;
export const SD_VDI_MASK = 0x00ffffff00000000n;
export const VDI_BIT = 1n << 63n;
export const VMSTATE_BIT = 1n << 62n;
export const VDI_ATTR_BIT = 1n << 61n;
export const VDI_BTREE_BIT = 1n << 60n;
export const LEDGER_BIT = 1n << 59n;
/** Number of VDI ids (24 bits). */
export const SD_NR_VDIS = 1 << 24;
/** Data object index limit of a plain (non B-tree) inode. */
export const OLD_MAX_DATA_OBJS = 1 << 20;
export const MAX_DATA_OBJS = 2 ** 32;
export const SD_DEFAULT_BLOCK_SIZE_SHIFT = 22;

/** The inode object of a VDI. */
export function vidToVdiOid(vid: number): bigint {
  return VDI_BIT | (BigInt(vid >>> 0) << VDI_SPACE_SHIFT);
}

/** Data object `idx` owned by VDI `vid`. */
export function vidToDataOid(vid: number, idx: number): bigint {
  return (BigInt(vid >>> 0) << VDI_SPACE_SHIFT) | BigInt(idx >>> 0);
}

export function oidToVid(oid: bigint): number {
  return Number((oid & SD_VDI_MASK) >> VDI_SPACE_SHIFT);
}

export function dataOidToIdx(oid: bigint): number {
  return Number(oid & 0xffffffffn);
}

export function isVdiObj(oid: bigint): boolean {
  return (oid & VDI_BIT) !== 0n;
}

export function isDataObj(oid: bigint): boolean {
  return (oid & (VDI_BIT | VMSTATE_BIT | VDI_ATTR_BIT | VDI_BTREE_BIT | LEDGER_BIT)) === 0n;
}

/** "0x80abcdef00000000" style, for log lines and error messages. */
export function formatOid(oid: bigint): string {
  return `0x${oid.toString(16).padStart(16, '0')}`;
}
