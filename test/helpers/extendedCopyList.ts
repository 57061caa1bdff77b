/** EXTENDED COPY(LID1) parameter lists and CDBs for the core/scsi unit tests. */
import type { LogicalUnit } from '../../core/scsi/LogicalUnit.js';
import { cdb } from './ScsiTargetFixture.js';

/** An identification-descriptor CSCD descriptor (E4h) naming `lu` by its NAA designator. */
export function cscd(lu: LogicalUnit, o: { type?: number; byte1?: number; blockLength?: number } = {}): Buffer {
  const d = Buffer.alloc(32);
  d[0] = o.type ?? 0xe4;
  d[1] = o.byte1 ?? 0;
  d[4] = 0x01; // code set binary
  d[5] = 0x03; // association LU, designator type NAA
  d[7] = 16;
  lu.identity.naa.copy(d, 8);
  d.writeUIntBE(o.blockLength ?? lu.blockSize, 29, 3);
  return d;
}

/** A block-to-block segment descriptor (02h). */
export function b2b(src: number, dst: number, blocks: number, srcLba: number, dstLba: number, type = 0x02): Buffer {
  const d = Buffer.alloc(28);
  d[0] = type;
  d.writeUInt16BE(0x18, 2);
  d.writeUInt16BE(src, 4);
  d.writeUInt16BE(dst, 6);
  d.writeUInt16BE(blocks, 10);
  d.writeBigUInt64BE(BigInt(srcLba), 12);
  d.writeBigUInt64BE(BigInt(dstLba), 20);
  return d;
}

/** A LID1 parameter list. */
export function copyList(targets: Buffer[], segments: Buffer[], o: { listId?: number; usage?: number } = {}): Buffer {
  const h = Buffer.alloc(16);
  h[0] = o.listId ?? 0;
  h[1] = (o.usage ?? 3) << 3;
  const t = Buffer.concat(targets);
  const s = Buffer.concat(segments);
  h.writeUInt16BE(t.length, 2);
  h.writeUInt32BE(s.length, 8);
  return Buffer.concat([h, t, s]);
}

export function xcopyCdb(length: number): Buffer {
  const c = cdb(0x83);
  c.writeUInt32BE(length, 10);
  return c;
}

