/**
 * The Basic Header Segment of every iSCSI PDU, as typed objects (RFC 7143
 * chapter 11). `dataSegmentLength` and `totalAhsLength` describe what follows
 * the BHS; the data segment itself travels separately (never copied here).
 * Sequence numbers and tags are unsigned 32-bit numbers.
 */
import { Opcode } from './Opcode.js';

interface Common {
  /** AHS length in 4-byte words (byte 4). */
  readonly totalAhsLength: number;
  readonly dataSegmentLength: number;
}

export interface NopOutPdu extends Common {
  readonly opcode: Opcode.NopOut;
  readonly immediate: boolean;
  readonly lun: number;
  readonly itt: number;
  readonly ttt: number;
  readonly cmdSN: number;
  readonly expStatSN: number;
}

export interface ScsiCommandPdu extends Common {
  readonly opcode: Opcode.ScsiCommand;
  readonly immediate: boolean;
  readonly final: boolean;
  readonly read: boolean;
  readonly write: boolean;
  /** ATTR field: 0 untagged, 1 simple, 2 ordered, 3 head of queue, 4 ACA. */
  readonly attribute: number;
  readonly lun: number;
  readonly itt: number;
  readonly expectedDataTransferLength: number;
  readonly cmdSN: number;
  readonly expStatSN: number;
  /** The 16 CDB bytes of the BHS (a view, not a copy). */
  readonly cdb: Buffer;
}

export interface TaskManagementRequestPdu extends Common {
  readonly opcode: Opcode.TaskManagementRequest;
  readonly immediate: boolean;
  readonly fn: number;
  readonly lun: number;
  readonly itt: number;
  readonly referencedTaskTag: number;
  readonly cmdSN: number;
  readonly expStatSN: number;
  readonly refCmdSN: number;
  readonly expDataSN: number;
}

export interface LoginRequestPdu extends Common {
  readonly opcode: Opcode.LoginRequest;
  readonly transit: boolean;
  readonly continue: boolean;
  readonly csg: number;
  readonly nsg: number;
  readonly versionMax: number;
  readonly versionMin: number;
  /** 6 bytes as 12 lower-case hex digits. */
  readonly isid: string;
  readonly tsih: number;
  readonly itt: number;
  readonly cid: number;
  readonly cmdSN: number;
  readonly expStatSN: number;
}

export interface TextRequestPdu extends Common {
  readonly opcode: Opcode.TextRequest;
  readonly immediate: boolean;
  readonly final: boolean;
  readonly continue: boolean;
  readonly lun: number;
  readonly itt: number;
  readonly ttt: number;
  readonly cmdSN: number;
  readonly expStatSN: number;
}

export interface DataOutPdu extends Common {
  readonly opcode: Opcode.DataOut;
  readonly final: boolean;
  readonly lun: number;
  readonly itt: number;
  readonly ttt: number;
  readonly expStatSN: number;
  readonly dataSN: number;
  readonly bufferOffset: number;
}

export interface LogoutRequestPdu extends Common {
  readonly opcode: Opcode.LogoutRequest;
  readonly immediate: boolean;
  readonly reason: number;
  readonly itt: number;
  readonly cid: number;
  readonly cmdSN: number;
  readonly expStatSN: number;
}

export interface SnackPdu extends Common {
  readonly opcode: Opcode.Snack;
  readonly type: number;
  readonly lun: number;
  readonly itt: number;
  readonly ttt: number;
  readonly expStatSN: number;
  readonly begRun: number;
  readonly runLength: number;
}

export interface NopInPdu extends Common {
  readonly opcode: Opcode.NopIn;
  readonly lun: number;
  readonly itt: number;
  readonly ttt: number;
  readonly statSN: number;
  readonly expCmdSN: number;
  readonly maxCmdSN: number;
}

export interface ScsiResponsePdu extends Common {
  readonly opcode: Opcode.ScsiResponse;
  readonly bidiOverflow: boolean;
  readonly bidiUnderflow: boolean;
  readonly overflow: boolean;
  readonly underflow: boolean;
  /** 0 = command completed at target, 1 = target failure. */
  readonly response: number;
  readonly status: number;
  readonly itt: number;
  readonly snackTag: number;
  readonly statSN: number;
  readonly expCmdSN: number;
  readonly maxCmdSN: number;
  readonly expDataSN: number;
  readonly bidiResidualCount: number;
  readonly residualCount: number;
}

export interface TaskManagementResponsePdu extends Common {
  readonly opcode: Opcode.TaskManagementResponse;
  readonly response: number;
  readonly itt: number;
  readonly statSN: number;
  readonly expCmdSN: number;
  readonly maxCmdSN: number;
}

export interface LoginResponsePdu extends Common {
  readonly opcode: Opcode.LoginResponse;
  readonly transit: boolean;
  readonly continue: boolean;
  readonly csg: number;
  readonly nsg: number;
  readonly versionMax: number;
  readonly versionActive: number;
  readonly isid: string;
  readonly tsih: number;
  readonly itt: number;
  readonly statSN: number;
  readonly expCmdSN: number;
  readonly maxCmdSN: number;
  readonly statusClass: number;
  readonly statusDetail: number;
}

export interface TextResponsePdu extends Common {
  readonly opcode: Opcode.TextResponse;
  readonly final: boolean;
  readonly continue: boolean;
  readonly lun: number;
  readonly itt: number;
  readonly ttt: number;
  readonly statSN: number;
  readonly expCmdSN: number;
  readonly maxCmdSN: number;
}

export interface DataInPdu extends Common {
  readonly opcode: Opcode.DataIn;
  readonly final: boolean;
  readonly acknowledge: boolean;
  readonly overflow: boolean;
  readonly underflow: boolean;
  /** S bit: status is in this PDU (phase collapse). */
  readonly hasStatus: boolean;
  readonly status: number;
  readonly lun: number;
  readonly itt: number;
  readonly ttt: number;
  readonly statSN: number;
  readonly expCmdSN: number;
  readonly maxCmdSN: number;
  readonly dataSN: number;
  readonly bufferOffset: number;
  readonly residualCount: number;
}

export interface LogoutResponsePdu extends Common {
  readonly opcode: Opcode.LogoutResponse;
  readonly response: number;
  readonly itt: number;
  readonly statSN: number;
  readonly expCmdSN: number;
  readonly maxCmdSN: number;
  readonly time2Wait: number;
  readonly time2Retain: number;
}

export interface ReadyToTransferPdu extends Common {
  readonly opcode: Opcode.ReadyToTransfer;
  readonly lun: number;
  readonly itt: number;
  readonly ttt: number;
  readonly statSN: number;
  readonly expCmdSN: number;
  readonly maxCmdSN: number;
  readonly r2tSN: number;
  readonly bufferOffset: number;
  readonly desiredDataTransferLength: number;
}

export interface AsyncMessagePdu extends Common {
  readonly opcode: Opcode.AsyncMessage;
  readonly lun: number;
  readonly statSN: number;
  readonly expCmdSN: number;
  readonly maxCmdSN: number;
  readonly asyncEvent: number;
  readonly asyncVCode: number;
  readonly parameter1: number;
  readonly parameter2: number;
  readonly parameter3: number;
}

export interface RejectPdu extends Common {
  readonly opcode: Opcode.Reject;
  readonly reason: number;
  readonly statSN: number;
  readonly expCmdSN: number;
  readonly maxCmdSN: number;
  readonly dataSN: number;
}

export type InitiatorPdu =
  | NopOutPdu
  | ScsiCommandPdu
  | TaskManagementRequestPdu
  | LoginRequestPdu
  | TextRequestPdu
  | DataOutPdu
  | LogoutRequestPdu
  | SnackPdu;

export type TargetPdu =
  | NopInPdu
  | ScsiResponsePdu
  | TaskManagementResponsePdu
  | LoginResponsePdu
  | TextResponsePdu
  | DataInPdu
  | LogoutResponsePdu
  | ReadyToTransferPdu
  | AsyncMessagePdu
  | RejectPdu;

export type AnyPdu = InitiatorPdu | TargetPdu;
