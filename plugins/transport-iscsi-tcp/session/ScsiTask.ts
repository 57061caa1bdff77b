/** One SCSI command on a connection, from its Command PDU to its response. */
import type { ScsiCommandPdu } from '../pdu/PduTypes.js';
import type { DataOutCollector } from './DataOutCollector.js';

export interface ScsiTask {
  readonly itt: number;
  readonly pdu: ScsiCommandPdu;
  readonly lun: number;
  readonly cdb: Buffer;
  /** Bytes the initiator expects to read (EDTL for reads, the bidirectional read length for bidi). */
  readonly readLength: number;
  readonly writeLength: number;
  collector: DataOutCollector | null;
  /** Its CmdSN came up (or it is immediate). */
  delivered: boolean;
  /** Handed to core/scsi. */
  executing: boolean;
  /** Aborted by task management: no response is sent. */
  aborted: boolean;
  /** Write buffer bytes charged to the connection's budget. */
  charged: number;
  /** Waiting for buffer budget before its R2Ts go out. */
  waitingForBuffer: boolean;
  /** Status to answer with instead of executing (e.g. a write larger than we buffer). */
  refusal: { readonly status: number; readonly sense: Buffer | null } | null;
}
