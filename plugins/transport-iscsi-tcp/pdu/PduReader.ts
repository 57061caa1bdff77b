/**
 * Cuts a TCP byte stream into iSCSI PDUs. PDUs may be split across chunks or
 * packed several to a chunk; headers are copied only when split, data
 * segments never (they are handed on as views of the chunks).
 * Checks what can be checked before anything is decoded: data segment length
 * against our limit and CRC32C digests when negotiated.
 */
import { BHS_LENGTH, DIGEST_LENGTH, paddingOf } from './DataSegment.js';
import { dataDigest, headerDigest } from './Digest.js';
import { dataSegmentLengthOf, totalAhsLengthOf } from './PduCodec.js';
import type { ReceivedPdu } from './ReceivedPdu.js';

export type PduReadErrorKind = 'oversize' | 'header-digest' | 'data-digest';

export class PduReadError extends Error {
  constructor(readonly kind: PduReadErrorKind, message: string, readonly bhs: Buffer) {
    super(message);
  }
}

export interface PduReaderOptions {
  /** Largest data segment accepted (our MaxRecvDataSegmentLength, at least 8192 during login). */
  maxDataSegmentLength: number;
  headerDigest: boolean;
  dataDigest: boolean;
}

const enum Phase { Header, Data }

export class PduReader {
  private phase = Phase.Header;
  /** Header being gathered when it straddles chunks. */
  private headerBuf: Buffer | null = null;
  private headerHave = 0;
  private headerNeed = BHS_LENGTH;
  private header: Buffer | null = null;
  private dataLength = 0;
  private dataPieces: Buffer[] = [];
  private dataHave = 0;
  /** Padding and data digest, gathered separately from the data. */
  private trailer = Buffer.alloc(8);
  private trailerNeed = 0;
  private trailerHave = 0;
  private failed = false;

  constructor(
    readonly options: PduReaderOptions,
    private readonly onPdu: (pdu: ReceivedPdu) => void,
  ) {}

  /** True between PDUs (nothing partially read). */
  get idle(): boolean {
    return this.phase === Phase.Header && this.headerHave === 0;
  }

  /** Feeds one chunk. Throws PduReadError on a stream that cannot go on; the reader is then dead. */
  push(chunk: Buffer): void {
    if (this.failed) return;
    let pos = 0;
    const len = chunk.length;
    while (pos < len) {
      if (this.phase === Phase.Header) {
        const need = this.headerNeed - this.headerHave;
        if (this.headerHave === 0 && this.headerBuf === null && len - pos >= this.headerNeed) {
          // Whole BHS in this chunk: look at it in place.
          const bhs = chunk.subarray(pos, pos + BHS_LENGTH);
          const total = this.headerLengthFor(bhs);
          if (len - pos >= total) {
            this.header = chunk.subarray(pos, pos + total);
            pos += total;
            this.headerDone();
            continue;
          }
          this.headerBuf = Buffer.allocUnsafe(total);
          this.headerNeed = total;
        }
        if (this.headerBuf === null) this.headerBuf = Buffer.allocUnsafe(BHS_LENGTH);
        const n = Math.min(need, len - pos, this.headerNeed - this.headerHave);
        chunk.copy(this.headerBuf, this.headerHave, pos, pos + n);
        this.headerHave += n;
        pos += n;
        if (this.headerHave < this.headerNeed) continue;
        if (this.headerNeed === BHS_LENGTH) {
          const total = this.headerLengthFor(this.headerBuf);
          if (total > BHS_LENGTH) {
            const grown = Buffer.allocUnsafe(total);
            this.headerBuf.copy(grown, 0, 0, BHS_LENGTH);
            this.headerBuf = grown;
            this.headerNeed = total;
            continue;
          }
        }
        this.header = this.headerBuf;
        this.headerBuf = null;
        this.headerHave = 0;
        this.headerNeed = BHS_LENGTH;
        this.headerDone();
      } else {
        const want = this.dataLength - this.dataHave;
        if (want > 0) {
          const n = Math.min(want, len - pos);
          this.dataPieces.push(pos === 0 && n === len ? chunk : chunk.subarray(pos, pos + n));
          this.dataHave += n;
          pos += n;
          if (this.dataHave < this.dataLength) continue;
        }
        const tn = Math.min(this.trailerNeed - this.trailerHave, len - pos);
        if (tn > 0) {
          chunk.copy(this.trailer, this.trailerHave, pos, pos + tn);
          this.trailerHave += tn;
          pos += tn;
        }
        if (this.trailerHave === this.trailerNeed) this.pduDone();
      }
    }
  }

  private headerLengthFor(bhs: Buffer): number {
    const dsl = dataSegmentLengthOf(bhs);
    if (dsl > this.options.maxDataSegmentLength) {
      this.failed = true;
      throw new PduReadError('oversize', `data segment of ${dsl} bytes exceeds MaxRecvDataSegmentLength ${this.options.maxDataSegmentLength}`, Buffer.from(bhs));
    }
    return BHS_LENGTH + totalAhsLengthOf(bhs) * 4 + (this.options.headerDigest ? DIGEST_LENGTH : 0);
  }

  private headerDone(): void {
    const h = this.header!;
    if (this.options.headerDigest) {
      const end = h.length - DIGEST_LENGTH;
      if (headerDigest(h.subarray(0, end)) !== h.readUInt32LE(end)) {
        this.failed = true;
        throw new PduReadError('header-digest', 'header digest (CRC32C) mismatch', Buffer.from(h.subarray(0, BHS_LENGTH)));
      }
    }
    this.dataLength = dataSegmentLengthOf(h);
    this.dataHave = 0;
    this.trailerHave = 0;
    this.trailerNeed = this.dataLength > 0 ? paddingOf(this.dataLength) + (this.options.dataDigest ? DIGEST_LENGTH : 0) : 0;
    this.phase = Phase.Data;
    if (this.dataLength === 0) this.pduDone();
  }

  private pduDone(): void {
    const h = this.header!;
    const ahsEnd = h.length - (this.options.headerDigest ? DIGEST_LENGTH : 0);
    const data = this.dataPieces;
    if (this.options.dataDigest && this.dataLength > 0) {
      const pad = paddingOf(this.dataLength);
      if (dataDigest(data, this.dataLength) !== this.trailer.readUInt32LE(pad)) {
        this.failed = true;
        throw new PduReadError('data-digest', 'data digest (CRC32C) mismatch', Buffer.from(h.subarray(0, BHS_LENGTH)));
      }
    }
    const pdu: ReceivedPdu = {
      bhs: h.subarray(0, BHS_LENGTH),
      ahs: ahsEnd > BHS_LENGTH ? h.subarray(BHS_LENGTH, ahsEnd) : null,
      data,
      dataLength: this.dataLength,
    };
    this.header = null;
    this.dataPieces = [];
    this.dataLength = 0;
    this.dataHave = 0;
    this.trailerNeed = 0;
    this.trailerHave = 0;
    this.phase = Phase.Header;
    this.onPdu(pdu);
  }
}
