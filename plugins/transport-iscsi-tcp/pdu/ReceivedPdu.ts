/** One PDU as it came off the wire: header bytes plus its data segment as pieces of socket chunks. */
export interface ReceivedPdu {
  /** The 48-byte BHS (a view of a socket chunk when it arrived whole). */
  readonly bhs: Buffer;
  /** Additional header segments (without the header digest), or null. */
  readonly ahs: Buffer | null;
  /**
   * The data segment without padding or digest, as views of the socket
   * chunks it arrived in (never concatenated here; whoever needs it whole
   * copies it once, e.g. into the write's collected buffer).
   */
  readonly data: readonly Buffer[];
  readonly dataLength: number;
}

/** The data segment as one buffer (control path only: login, text, NOP ping data). */
export function dataAsBuffer(pdu: ReceivedPdu): Buffer {
  if (pdu.data.length === 1) return pdu.data[0]!;
  return Buffer.concat(pdu.data as Buffer[], pdu.dataLength);
}
