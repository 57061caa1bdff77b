/**
 * EXTENDED COPY(LID1) (SPC-4 6.4, opcode 83h service action 00h): the LU is a
 * copy manager for block-to-block copies between any LUs of the host.
 *
 * Supported descriptors: identification-descriptor CSCD descriptors (E4h)
 * naming a LU by its NAA designator (VPD 83h), peripheral type 00h — a LU
 * of another target only when the same initiator is logged in to it; and
 * block device to block device segment descriptors (02h). The whole list is
 * checked first — parameter list errors (ILLEGAL REQUEST) and then every
 * segment's copy targets and ranges (COPY ABORTED) — so a copy that cannot
 * finish writes nothing. Copies run as store reads and writes in bounded
 * chunks, never holding a whole segment in memory.
 */
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import { CheckCondition } from '../CheckCondition.js';
import { CopyManagerStatus } from '../CopyResults.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { GOOD } from '../ScsiResults.js';
import { SenseCodes, type SenseCode } from '../SenseCodes.js';

/** Limits RECEIVE COPY RESULTS (OPERATING PARAMETERS) reports and EXTENDED COPY enforces. */
export const CopyLimits = {
  maxTargetDescriptors: 16,
  maxSegmentDescriptors: 64,
  /** Target plus segment descriptor list bytes. */
  maxDescriptorListLength: 16 * 32 + 64 * 28,
  /** Bytes one segment may copy: the B2B descriptor's 16-bit block count at 4 KiB blocks. */
  maxSegmentBytes: 0xffff * 4096,
  /** Held results per nexus (RECEIVE COPY RESULTS HELD DATA LIMIT is in bytes; 12 per status). */
  heldDataLimit: 64 * 12,
  totalConcurrentCopies: 1,
} as const;

/** Descriptor type codes this copy manager implements (OPERATING PARAMETERS lists them). */
export const DescriptorType = {
  blockToBlock: 0x02,
  identification: 0xe4,
} as const;

const HEADER_LENGTH = 16;
const CSCD_LENGTH = 32;
const B2B_LENGTH = 28;
/** Largest read/write one copy step does. */
const CHUNK_BYTES = 1024 * 1024;

const ListIdUsage = { held: 0, discardHeld: 2, none: 3 } as const;

function paramError(code: SenseCode, byte?: number): CheckCondition {
  return new CheckCondition(code, byte === undefined ? {} : { field: { inCdb: false, byte } });
}

function copyAborted(code: SenseCode): CheckCondition {
  return new CheckCondition(code);
}

/** A CSCD descriptor: the LU it names, or null when no LU of the host has that designator. */
type CopyTarget = LogicalUnit | null;

interface Segment {
  readonly source: LogicalUnit;
  readonly destination: LogicalUnit;
  readonly blocks: number;
  readonly sourceLba: number;
  readonly destinationLba: number;
}

function readU64(b: Buffer, at: number): number {
  // LBAs beyond 2^53 are out of range anyway; keep them huge rather than wrapping.
  return b.readUInt32BE(at) * 0x1_0000_0000 + b.readUInt32BE(at + 4);
}

function parseTargets(list: Buffer, from: number, length: number, lu: LogicalUnit, initiatorName: string): CopyTarget[] {
  const targets: CopyTarget[] = [];
  let p = from;
  const end = from + length;
  while (p < end) {
    const type = list[p];
    if (type !== DescriptorType.identification) throw paramError(SenseCodes.unsupportedTargetDescriptorTypeCode, p);
    if (p + CSCD_LENGTH > end) throw paramError(SenseCodes.parameterListLengthError);
    if (targets.length === CopyLimits.maxTargetDescriptors) throw paramError(SenseCodes.tooManyTargetDescriptors, p);
    // Byte 1: LU ID TYPE is ignored (SPC-4), NUL is obsolete; only block devices are copy targets.
    if ((list[p + 1] & 0x1f) !== 0) throw paramError(SenseCodes.unsupportedTargetDescriptorTypeCode, p + 1);
    const codeSet = list[p + 4] & 0x0f;
    const association = (list[p + 5] >> 4) & 0x03;
    const designatorType = list[p + 5] & 0x0f;
    const designatorLength = list[p + 7];
    let target: CopyTarget = null;
    if (codeSet === 1 && association === 0 && designatorType === 3 && designatorLength === 16) {
      target = lu.target.findLogicalUnitByNaa(list.subarray(p + 8, p + 24)) ?? null;
      // A LU of another target is reachable only for an initiator logged in to that target too,
      // so EXTENDED COPY never bypasses that target's bindings.
      if (target !== null && target.target !== lu.target && !target.target.hasInitiator(initiatorName)) target = null;
    }
    // DISK BLOCK LENGTH must be the LU's: the copy moves whole blocks of that size.
    const diskBlockLength = list.readUIntBE(p + 29, 3);
    if (target !== null && diskBlockLength !== target.blockSize) throw paramError(SenseCodes.invalidFieldInParameterList, p + 29);
    targets.push(target);
    p += CSCD_LENGTH;
  }
  return targets;
}

/** A B2B segment descriptor as written in the list. */
interface RawSegment { readonly src: number; readonly dst: number; readonly blocks: number; readonly srcLba: number; readonly dstLba: number; readonly dc: boolean }

/** The segment descriptor list's syntax: ILLEGAL REQUEST errors. */
function parseSegments(list: Buffer, from: number, length: number): RawSegment[] {
  const raw: RawSegment[] = [];
  let p = from;
  const end = from + length;
  while (p < end) {
    const type = list[p];
    if (type !== DescriptorType.blockToBlock) throw paramError(SenseCodes.unsupportedSegmentDescriptorTypeCode, p);
    if (p + B2B_LENGTH > end) throw paramError(SenseCodes.parameterListLengthError);
    if (raw.length === CopyLimits.maxSegmentDescriptors) throw paramError(SenseCodes.tooManySegmentDescriptors, p);
    if (list.readUInt16BE(p + 2) !== B2B_LENGTH - 4) throw paramError(SenseCodes.invalidFieldInParameterList, p + 2);
    if ((list[p + 1] & 0x01) !== 0) throw paramError(SenseCodes.invalidFieldInParameterList, p + 1); // CAT: no residue handling
    raw.push({
      dc: (list[p + 1] & 0x02) !== 0,
      src: list.readUInt16BE(p + 4),
      dst: list.readUInt16BE(p + 6),
      blocks: list.readUInt16BE(p + 10),
      srcLba: readU64(list, p + 12),
      dstLba: readU64(list, p + 20),
    });
    p += B2B_LENGTH;
  }
  return raw;
}

/** Copy targets and ranges: COPY ABORTED, checked for every segment before any data moves. */
function resolveSegments(raw: readonly RawSegment[], targets: readonly CopyTarget[]): Segment[] {
  return raw.map((r) => {
    if (r.src >= targets.length || r.dst >= targets.length) throw copyAborted(SenseCodes.unreachableCopyTarget);
    const source = targets[r.src];
    const destination = targets[r.dst];
    if (source === null || source === undefined || destination === null || destination === undefined) {
      throw copyAborted(SenseCodes.unreachableCopyTarget);
    }
    // DC=1 counts destination blocks; the block sizes are equal or the bytes are converted.
    const bytes = r.blocks * (r.dc ? destination.blockSize : source.blockSize);
    if (bytes % source.blockSize !== 0 || bytes % destination.blockSize !== 0) {
      throw copyAborted(SenseCodes.copyTargetDeviceDataUnderrun);
    }
    const srcBlocks = bytes / source.blockSize;
    const dstBlocks = bytes / destination.blockSize;
    if (r.srcLba + srcBlocks > source.blockCount || r.dstLba + dstBlocks > destination.blockCount) {
      throw copyAborted(SenseCodes.copyTargetDeviceDataUnderrun);
    }
    if (bytes > 0) destination.checkWritable();
    return { source, destination, blocks: srcBlocks, sourceLba: r.srcLba, destinationLba: r.dstLba };
  });
}

/** Copies one segment; overlapping ranges of the same LU are copied back to front. */
async function copySegment(s: Segment): Promise<number> {
  const total = s.blocks * s.source.blockSize;
  if (total === 0) return 0;
  const from = s.sourceLba * s.source.blockSize;
  const to = s.destinationLba * s.destination.blockSize;
  const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, total));
  const backwards = s.source === s.destination && to > from && to < from + total;
  for (let done = 0; done < total;) {
    const n = Math.min(buffer.length, total - done);
    const offset = backwards ? total - done - n : done;
    const chunk = buffer.subarray(0, n);
    await s.source.store.read(chunk, from + offset);
    await s.destination.store.write(chunk, to + offset, false);
    done += n;
  }
  return total;
}

async function executeExtendedCopy(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
  const cdb = cmd.cdb;
  for (let i = 2; i <= 9; i++) if (cdb[i] !== 0) throw CheckCondition.invalidFieldInCdb(i);
  if (cdb[14] !== 0) throw CheckCondition.invalidFieldInCdb(14);
  const listLength = cdb.readUInt32BE(10);
  if (listLength === 0) return GOOD;
  const received = cmd.dataOut === null ? 0 : cmd.dataOut.length;
  if (received < listLength) throw new CheckCondition(SenseCodes.parameterListLengthError, { commandDataLength: listLength });
  const list = (cmd.dataOut as Buffer).subarray(0, listLength);
  if (listLength < HEADER_LENGTH) throw paramError(SenseCodes.parameterListLengthError);

  const listId = list[0];
  const usage = (list[1] >> 3) & 0x03;
  if ((list[1] & 0x20) !== 0) throw paramError(SenseCodes.invalidFieldInParameterList, 1); // STR: no stream devices
  if (usage === 1) throw paramError(SenseCodes.invalidFieldInParameterList, 1);
  if (usage === ListIdUsage.none && listId !== 0) throw paramError(SenseCodes.invalidFieldInParameterList, 0);
  const targetsLength = list.readUInt16BE(2);
  const segmentsLength = list.readUInt32BE(8);
  const inlineLength = list.readUInt32BE(12);
  if (targetsLength + segmentsLength > CopyLimits.maxDescriptorListLength) throw paramError(SenseCodes.parameterListLengthError);
  if (HEADER_LENGTH + targetsLength + segmentsLength + inlineLength > listLength) throw paramError(SenseCodes.parameterListLengthError);
  if (inlineLength !== 0) throw paramError(SenseCodes.invalidFieldInParameterList, 12); // no inline data segments

  const targets = parseTargets(list, HEADER_LENGTH, targetsLength, lu, cmd.nexus.initiatorName);
  const raw = parseSegments(list, HEADER_LENGTH + targetsLength, segmentsLength);

  // From here the copy has started: its outcome is held for RECEIVE COPY RESULTS (usage 00b).
  let transferred = 0;
  let processed = 0;
  try {
    const segments = resolveSegments(raw, targets);
    for (const s of segments) {
      transferred += await copySegment(s);
      processed++;
    }
  } catch (err) {
    if (usage === ListIdUsage.held) {
      lu.copyResults.hold(cmd.nexus.id, listId, { status: CopyManagerStatus.CompletedWithErrors, segmentsProcessed: processed, transferredBytes: transferred });
    }
    throw err;
  }
  if (usage === ListIdUsage.held) {
    lu.copyResults.hold(cmd.nexus.id, listId, { status: CopyManagerStatus.CompletedWithoutErrors, segmentsProcessed: processed, transferredBytes: transferred });
  }
  return received === listLength ? GOOD : { ...GOOD, commandDataLength: listLength };
}

export const extendedCopy: BlockCommandDefinition = {
  name: 'EXTENDED COPY(LID1)', opcode: 0x83, serviceAction: 0x00, cdbLength: 16, scope: 'block', dataDirection: 'out',
  usageData: [0x83, 0x1f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00],
  writesMedium: true,
  execute: executeExtendedCopy,
};
