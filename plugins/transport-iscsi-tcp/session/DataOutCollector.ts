/**
 * Collects the Data-Out of one write command into one buffer (RFC 7143
 * 4.2.5 and 11.7): immediate data, the unsolicited burst (InitialR2T=No, up
 * to FirstBurstLength), then R2Ts of at most MaxBurstLength, at most
 * MaxOutstandingR2T at a time. Checks DataSN, BufferOffset, lengths and F bits
 * (DataPDUInOrder=Yes and DataSequenceInOrder=Yes are what we negotiate).
 * Each data byte is copied exactly once, from the socket chunk into `buffer`.
 */
import { RESERVED_TAG } from '../pdu/Opcode.js';
import type { DataOutPdu } from '../pdu/PduTypes.js';
import { snAdd } from './SerialNumber.js';

export interface BurstLimits {
  readonly firstBurstLength: number;
  readonly maxBurstLength: number;
  readonly maxOutstandingR2T: number;
}

/** An R2T to send. */
export interface R2tRequest {
  readonly ttt: number;
  readonly r2tSN: number;
  readonly bufferOffset: number;
  readonly length: number;
}

interface Outstanding {
  readonly r2t: R2tRequest;
  nextDataSN: number;
  nextOffset: number;
  remaining: number;
}

/** A Data-Out that breaks the rules; the connection answers with a Reject. */
export class DataOutError extends Error {}

export class DataOutCollector {
  private received = 0;
  /** Unsolicited Data-Out PDUs may still come. */
  private unsolicitedOpen: boolean;
  private unsolicitedNextOffset = 0;
  private unsolicitedNextDataSN = 0;
  private solicitedNextOffset = -1;
  private nextR2tSN = 0;
  private readonly outstanding = new Map<number, Outstanding>();

  /**
   * @param buffer where the data goes; its length is the expected write length
   * @param unsolicitedFollows F bit clear on the SCSI Command: unsolicited Data-Out PDUs follow
   */
  constructor(
    readonly buffer: Buffer,
    private readonly limits: BurstLimits,
    unsolicitedFollows: boolean,
    private readonly allocateTtt: () => number,
  ) {
    this.unsolicitedOpen = unsolicitedFollows;
    if (!unsolicitedFollows) this.solicitedNextOffset = 0;
  }

  get complete(): boolean {
    return this.received === this.buffer.length;
  }

  get bytesReceived(): number {
    return this.received;
  }

  /** Immediate data carried by the SCSI Command PDU. */
  acceptImmediate(pieces: readonly Buffer[], length: number): void {
    if (length > this.buffer.length) throw new DataOutError(`immediate data of ${length} bytes exceeds the expected transfer length ${this.buffer.length}`);
    if (length > this.limits.firstBurstLength) throw new DataOutError(`immediate data of ${length} bytes exceeds FirstBurstLength ${this.limits.firstBurstLength}`);
    this.copyIn(pieces, 0);
    this.received += length;
    this.unsolicitedNextOffset = length;
    if (!this.unsolicitedOpen) this.solicitedNextOffset = length;
  }

  /** One Data-Out PDU (its data segment as pieces). */
  acceptDataOut(pdu: DataOutPdu, pieces: readonly Buffer[], length: number): void {
    if (pdu.ttt === RESERVED_TAG) {
      if (!this.unsolicitedOpen) throw new DataOutError('unsolicited Data-Out after the unsolicited sequence ended (or InitialR2T=Yes)');
      if (pdu.dataSN !== this.unsolicitedNextDataSN) throw new DataOutError(`Data-Out DataSN ${pdu.dataSN}, expected ${this.unsolicitedNextDataSN}`);
      if (pdu.bufferOffset !== this.unsolicitedNextOffset) throw new DataOutError(`Data-Out BufferOffset ${pdu.bufferOffset}, expected ${this.unsolicitedNextOffset}`);
      const end = pdu.bufferOffset + length;
      if (end > this.buffer.length) throw new DataOutError(`Data-Out ends at ${end}, beyond the expected transfer length ${this.buffer.length}`);
      if (end > this.limits.firstBurstLength) throw new DataOutError(`unsolicited data reaches ${end} bytes, beyond FirstBurstLength ${this.limits.firstBurstLength}`);
      this.copyIn(pieces, pdu.bufferOffset);
      this.received += length;
      this.unsolicitedNextOffset = end;
      this.unsolicitedNextDataSN = snAdd(this.unsolicitedNextDataSN, 1);
      if (!pdu.final && end === Math.min(this.buffer.length, this.limits.firstBurstLength)) {
        throw new DataOutError('last unsolicited Data-Out without the F bit');
      }
      if (pdu.final) {
        this.unsolicitedOpen = false;
        this.solicitedNextOffset = end;
      }
      return;
    }
    const o = this.outstanding.get(pdu.ttt);
    if (!o) throw new DataOutError(`Data-Out with unknown Target Transfer Tag 0x${pdu.ttt.toString(16)}`);
    if (pdu.dataSN !== o.nextDataSN) throw new DataOutError(`Data-Out DataSN ${pdu.dataSN}, expected ${o.nextDataSN}`);
    if (pdu.bufferOffset !== o.nextOffset) throw new DataOutError(`Data-Out BufferOffset ${pdu.bufferOffset}, expected ${o.nextOffset}`);
    if (length > o.remaining) throw new DataOutError(`Data-Out of ${length} bytes exceeds the ${o.remaining} bytes left of its R2T`);
    this.copyIn(pieces, pdu.bufferOffset);
    this.received += length;
    o.nextOffset += length;
    o.remaining -= length;
    o.nextDataSN = snAdd(o.nextDataSN, 1);
    if (pdu.final !== (o.remaining === 0)) {
      throw new DataOutError(pdu.final ? `Data-Out F bit set with ${o.remaining} bytes of its R2T missing` : 'last Data-Out of an R2T without the F bit');
    }
    if (o.remaining === 0) this.outstanding.delete(pdu.ttt);
  }

  /** The R2Ts to send now (none while the unsolicited burst is open). */
  nextR2ts(): R2tRequest[] {
    const out: R2tRequest[] = [];
    if (this.unsolicitedOpen || this.solicitedNextOffset < 0) return out;
    while (this.outstanding.size < this.limits.maxOutstandingR2T && this.solicitedNextOffset < this.buffer.length) {
      const length = Math.min(this.limits.maxBurstLength, this.buffer.length - this.solicitedNextOffset);
      const r2t: R2tRequest = { ttt: this.allocateTtt(), r2tSN: this.nextR2tSN, bufferOffset: this.solicitedNextOffset, length };
      this.nextR2tSN = snAdd(this.nextR2tSN, 1);
      this.solicitedNextOffset += length;
      this.outstanding.set(r2t.ttt, { r2t, nextDataSN: 0, nextOffset: r2t.bufferOffset, remaining: length });
      out.push(r2t);
    }
    return out;
  }

  /** R2T sequence number the next R2T (or the response's ExpDataSN) would carry. */
  get r2tCount(): number {
    return this.nextR2tSN;
  }

  private copyIn(pieces: readonly Buffer[], offset: number): void {
    if (pieces.length === 1 && pieces[0] === this.buffer) return; // immediate data that is the buffer itself
    let at = offset;
    for (const p of pieces) {
      p.copy(this.buffer, at);
      at += p.length;
    }
  }
}
