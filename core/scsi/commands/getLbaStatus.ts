/**
 * GET LBA STATUS (SBC-3 5.7, SERVICE ACTION IN(16) 9Eh/12h): mapped and
 * deallocated extents from the STARTING LOGICAL BLOCK ADDRESS on, from the
 * store's real allocation map (a store without one reports everything
 * mapped). Offered only on thin LUNs.
 *
 * The store is asked a window at a time, until the allocation length is
 * filled or the medium ends, so a huge LUN is never scanned whole.
 */
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import type { AllocationExtent } from '../../store/BackingStore.js';
import { CheckCondition } from '../CheckCondition.js';
import { isThin } from '../BlockLimits.js';
import { goodWithData } from '../ScsiResults.js';

const HEADER = 8;
const DESCRIPTOR = 16;
/** Never more descriptors than this in one answer. */
const MAX_DESCRIPTORS = 4096;
/** Bytes of the medium asked of the store per call. */
const WINDOW_BYTES = 16 * 1024 * 1024;
/** Stop scanning after this much of the medium; the last descriptor then ends there. */
const MAX_SCAN_BYTES = 16 * 1024 * 1024 * 1024;
/** NUMBER OF LOGICAL BLOCKS is 32 bits. */
const MAX_DESCRIPTOR_BLOCKS = 0xffffffff;

export const ProvisioningStatus = { mapped: 0, deallocated: 1, anchored: 2 } as const;

/** One LBA status descriptor's worth. */
export interface LbaExtent {
  lba: number;
  blocks: number;
  mapped: boolean;
}

/**
 * Block extents of [lba, lba+blocks) from byte extents: a block partly
 * mapped counts as mapped (it may hold data); neighbours in the same state
 * are merged into `out`.
 */
export function appendBlockExtents(out: LbaExtent[], extents: readonly AllocationExtent[], blockSize: number): void {
  for (const e of extents) {
    if (e.length <= 0) continue;
    let first = Math.floor(e.offset / blockSize);
    const endBlock = Math.ceil((e.offset + e.length) / blockSize);
    const last = out[out.length - 1];
    if (last !== undefined && first < last.lba + last.blocks) {
      // Overlaps the previous extent's last block (unaligned extent): that block keeps "mapped" if either is.
      if (!e.mapped || last.mapped) first = last.lba + last.blocks;
      else {
        last.blocks = first - last.lba;
        if (last.blocks === 0) out.pop();
      }
    }
    if (endBlock <= first) continue;
    const prev = out[out.length - 1];
    if (prev !== undefined && prev.mapped === e.mapped && prev.lba + prev.blocks === first) prev.blocks += endBlock - first;
    else out.push({ lba: first, blocks: endBlock - first, mapped: e.mapped });
  }
}

async function executeGetLbaStatus(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
  const cdb = cmd.cdb;
  const lba = readLba(cdb, 2);
  const allocationLength = cdb.readUInt32BE(10);
  lu.checkRange(lba, 0);
  const wanted = Math.min(MAX_DESCRIPTORS, Math.max(1, Math.floor((allocationLength - HEADER) / DESCRIPTOR)));
  const bs = lu.blockSize;
  const endBlock = lu.blockCount;
  const extents: LbaExtent[] = [];
  const store = lu.store;
  if (store.capabilities.allocationMap && store.getAllocation !== undefined) {
    const windowBlocks = Math.max(1, Math.floor(WINDOW_BYTES / bs));
    const scanEnd = Math.min(endBlock, lba + Math.max(windowBlocks, Math.floor(MAX_SCAN_BYTES / bs)));
    // One more than wanted, so the last reported descriptor is known complete.
    for (let pos = lba; pos < scanEnd && extents.length <= wanted;) {
      const n = Math.min(windowBlocks, scanEnd - pos);
      appendBlockExtents(extents, await store.getAllocation(pos * bs, n * bs), bs);
      pos += n;
    }
  } else {
    extents.push({ lba, blocks: endBlock - lba, mapped: true });
  }
  const descriptors = toDescriptors(extents, wanted);
  const data = Buffer.alloc(HEADER + descriptors.length * DESCRIPTOR);
  data.writeUInt32BE(data.length - 4, 0); // PARAMETER DATA LENGTH
  let p = HEADER;
  for (const d of descriptors) {
    data.writeUInt32BE(Math.floor(d.lba / 0x1_0000_0000), p);
    data.writeUInt32BE(d.lba >>> 0, p + 4);
    data.writeUInt32BE(d.blocks, p + 8);
    data[p + 12] = d.mapped ? ProvisioningStatus.mapped : ProvisioningStatus.deallocated;
    p += DESCRIPTOR;
  }
  return goodWithData(data, allocationLength);
}

/** At most `wanted` descriptors, each at most 2^32-1 blocks. */
function toDescriptors(extents: readonly LbaExtent[], wanted: number): LbaExtent[] {
  const out: LbaExtent[] = [];
  for (const e of extents) {
    let { lba, blocks } = e;
    while (blocks > 0 && out.length < wanted) {
      const n = Math.min(blocks, MAX_DESCRIPTOR_BLOCKS);
      out.push({ lba, blocks: n, mapped: e.mapped });
      lba += n;
      blocks -= n;
    }
    if (out.length >= wanted) break;
  }
  return out;
}

function readLba(cdb: Buffer, p: number): number {
  const hi = cdb.readUInt32BE(p);
  return hi >= 0x200000 ? Number.POSITIVE_INFINITY : hi * 0x1_0000_0000 + cdb.readUInt32BE(p + 4);
}

export const getLbaStatus: BlockCommandDefinition = {
  name: 'GET LBA STATUS', opcode: 0x9e, serviceAction: 0x12, cdbLength: 16, scope: 'block', dataDirection: 'in', accessesMedium: true,
  usageData: [0x9e, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00],
  availableOn: isThin,
  execute: executeGetLbaStatus,
};
