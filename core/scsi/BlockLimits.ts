/**
 * The limits core/scsi enforces on block commands and reports in the Block
 * Limits VPD page (SBC-3 6.6.4), in one place so handlers and the page agree.
 */
import type { LogicalUnit } from './LogicalUnit.js';

/** MAXIMUM COMPARE AND WRITE LENGTH (blocks; the CDB field is one byte). */
export const MAX_COMPARE_AND_WRITE_BLOCKS = 255;

/** MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT. */
export const MAX_UNMAP_DESCRIPTORS = 256;

/** MAXIMUM UNMAP LBA COUNT (libiscsi calls more than 1 Mi blocks insane). */
export const MAX_UNMAP_BLOCKS = 1024 * 1024;

/** WRITE SAME is emulated with at most this many bytes per command (MAXIMUM WRITE SAME LENGTH). */
const MAX_WRITE_SAME_BYTES = 512 * 1024 * 1024;

/** Allocation unit of the file systems thin stores live on: unmapping less frees nothing. */
const ALLOCATION_UNIT_BYTES = 4096;

export function maxWriteSameBlocks(lu: LogicalUnit): number {
  return Math.floor(MAX_WRITE_SAME_BYTES / lu.blockSize);
}

/** OPTIMAL UNMAP GRANULARITY in blocks (UGAVALID, alignment 0). */
export function optimalUnmapGranularity(lu: LogicalUnit): number {
  return Math.max(1, Math.floor(ALLOCATION_UNIT_BYTES / lu.blockSize), 2 ** lu.physicalBlockExponent);
}

/**
 * Thin provisioning (LBPME): UNMAP, WRITE SAME with UNMAP and GET LBA STATUS
 * are offered. A read-only thin LUN offers them too and refuses the
 * deallocating ones as WRITE PROTECTED, as SBC-3 asks.
 */
export function isThin(lu: LogicalUnit): boolean {
  return lu.store.capabilities.discard && lu.store.discard !== undefined;
}

/** MAXIMUM ATOMIC TRANSFER LENGTH cap in blocks (libiscsi's WriteAtomic16 suite writes up to 256). */
const MAX_ATOMIC_TRANSFER_BLOCKS = 256;

/** WRITE ATOMIC(16) is offered: the store promises all-or-nothing writes. */
export function hasAtomicWrite(lu: LogicalUnit): boolean {
  return lu.store.capabilities.atomicWrite === true && lu.store.writeAtomic !== undefined;
}

/** MAXIMUM ATOMIC TRANSFER LENGTH in blocks (0 when WRITE ATOMIC is not offered). */
export function maxAtomicTransferBlocks(lu: LogicalUnit): number {
  return hasAtomicWrite(lu) ? Math.min(MAX_ATOMIC_TRANSFER_BLOCKS, lu.maxTransferBlocks) : 0;
}
