/**
 * Frames one PDU for the wire: BHS (+ header digest), data segment, padding
 * (+ data digest), as a list of buffers to write in order. The data is
 * passed through as given (views, never copied). Used by the target's
 * writer and by test initiators alike.
 */
import { encodeBhs } from './PduCodec.js';
import { BHS_LENGTH, ZERO_PADDING, paddingOf } from './DataSegment.js';
import { dataDigest, headerDigest } from './Digest.js';
import type { AnyPdu } from './PduTypes.js';

export interface DigestSettings {
  readonly headerDigest: boolean;
  readonly dataDigest: boolean;
}

export const NO_DIGESTS: DigestSettings = { headerDigest: false, dataDigest: false };

/**
 * @param pdu header fields; its dataSegmentLength must equal data's length
 * @param data the data segment, or null
 */
export function framePdu(pdu: AnyPdu, data: Buffer | null, digests: DigestSettings = NO_DIGESTS): Buffer[] {
  const dataLength = data ? data.length : 0;
  if (pdu.dataSegmentLength !== dataLength) throw new RangeError(`PDU declares ${pdu.dataSegmentLength} data bytes but ${dataLength} are given`);
  let header: Buffer;
  if (digests.headerDigest) {
    header = Buffer.allocUnsafe(BHS_LENGTH + 4);
    encodeBhs(pdu, header);
    header.writeUInt32LE(headerDigest(header.subarray(0, BHS_LENGTH)), BHS_LENGTH);
  } else {
    header = encodeBhs(pdu);
  }
  if (!data || dataLength === 0) return [header];
  const parts = [header, data];
  const pad = paddingOf(dataLength);
  if (digests.dataDigest) {
    const trailer = Buffer.alloc(pad + 4);
    trailer.writeUInt32LE(dataDigest([data], dataLength), pad);
    parts.push(trailer);
  } else if (pad) {
    parts.push(ZERO_PADDING.subarray(0, pad));
  }
  return parts;
}
