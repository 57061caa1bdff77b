/**
 * iSCSI TransportIDs (SPC-4 7.6.4.6): how PERSISTENT RESERVE OUT names
 * initiator ports (SPEC_I_PT, REGISTER AND MOVE) and READ FULL STATUS reports
 * them. Format 00b carries an iSCSI name (every port of that initiator),
 * format 01b a name plus ISID (one initiator port: `name,i,0x<isid>`).
 */

/** PROTOCOL IDENTIFIER of iSCSI (SPC-4 7.6.1). */
export const ISCSI_PROTOCOL_ID = 0x5;

/** Who a TransportID designates. Names are lower-cased: iSCSI names compare case-insensitively. */
export interface InitiatorDesignation {
  readonly initiatorName: string;
  /** `name,i,0x<isid>` (lower case), or null for every port of the initiator (format 00b). */
  readonly initiatorPort: string | null;
}

export interface ParsedTransportId extends InitiatorDesignation {
  /** Bytes the TransportID occupies (4 + ADDITIONAL LENGTH). */
  readonly length: number;
}

/** Why a TransportID was refused: the byte offset (within the given buffer) that is wrong. */
export class TransportIdError extends Error {
  constructor(message: string, readonly byte: number) {
    super(message);
    this.name = 'TransportIdError';
  }
}

const PORT_SEPARATOR = ',i,0x';

/** Parses one TransportID at `at`; throws TransportIdError when it is not a valid iSCSI one. */
export function parseTransportId(buf: Buffer, at: number): ParsedTransportId {
  if (buf.length - at < 4) throw new TransportIdError('TransportID header truncated', at);
  const format = buf[at] >> 6;
  if ((buf[at] & 0x0f) !== ISCSI_PROTOCOL_ID) throw new TransportIdError('TransportID is not an iSCSI one', at);
  if (format > 1) throw new TransportIdError(`TransportID format ${format} is not defined for iSCSI`, at);
  const additional = buf.readUInt16BE(at + 2);
  // At least a 1-character name plus its terminator; padded to a multiple of 4 bytes.
  if (additional < 4 || additional % 4 !== 0) throw new TransportIdError('TransportID ADDITIONAL LENGTH is not a positive multiple of 4', at + 2);
  const end = at + 4 + additional;
  if (end > buf.length) throw new TransportIdError('TransportID longer than the parameter data', at + 2);
  const nul = buf.indexOf(0, at + 4);
  if (nul < 0 || nul >= end) throw new TransportIdError('TransportID name is not null-terminated', at + 4);
  const text = buf.toString('latin1', at + 4, nul).toLowerCase();
  if (format === 0) {
    if (text.length === 0 || text.includes(',')) throw new TransportIdError('TransportID iSCSI name is empty or malformed', at + 4);
    return { initiatorName: text, initiatorPort: null, length: 4 + additional };
  }
  const sep = text.indexOf(PORT_SEPARATOR);
  const isid = sep < 0 ? '' : text.slice(sep + PORT_SEPARATOR.length);
  if (sep <= 0 || !/^[0-9a-f]{12}$/.test(isid)) throw new TransportIdError('TransportID is not "name,i,0x<12 hex digit ISID>"', at + 4);
  return { initiatorName: text.slice(0, sep), initiatorPort: text, length: 4 + additional };
}

/** Encodes a designation as a TransportID (format 01b for a port, 00b for a whole initiator). */
export function encodeTransportId(d: InitiatorDesignation): Buffer {
  const text = d.initiatorPort ?? d.initiatorName;
  const nameBytes = Buffer.byteLength(text, 'latin1') + 1; // + null terminator
  const padded = Math.max(20, Math.ceil(nameBytes / 4) * 4);
  const b = Buffer.alloc(4 + padded);
  b[0] = ((d.initiatorPort === null ? 0 : 1) << 6) | ISCSI_PROTOCOL_ID;
  b.writeUInt16BE(padded, 2);
  b.write(text, 4, 'latin1');
  return b;
}

/** The initiator port name of an I_T nexus in the lower-case form registrations use. */
export function initiatorPortKey(initiatorPortName: string): string {
  return initiatorPortName.toLowerCase();
}
