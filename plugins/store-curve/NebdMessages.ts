/**
 * nebd's protobuf messages and services, written from opencurve/curve
 * nebd/proto/{nebd-common,client,heartbeat}.proto (proto2, package
 * nebd.client). Field numbers and types are what must match; names follow
 * the protos except that upstream spells the first field of WriteResponse and
 * DiscardResponse `RetCode` — it is named `retCode` here too (names are not on
 * the wire).
 */
import protobuf from 'protobufjs';
import { createProtoCodec, type Int64, type ProtoCodec } from './ProtoCodec.js';

const NEBD_PROTO = `
syntax = "proto2";
package nebd.client;

enum RetCode {
  kNoOK = -1;
  kOK = 0;
}

message ProtoOpenFlags { required bool exclusive = 1; }

message OpenFileRequest { required string fileName = 1; optional ProtoOpenFlags flags = 2; }
message OpenFileResponse { required RetCode retCode = 1; optional string retMsg = 2; optional int32 fd = 3; }

message CloseFileRequest { required int32 fd = 1; }
message CloseFileResponse { required RetCode retCode = 1; optional string retMsg = 2; }

message ReadRequest { required int32 fd = 1; required uint64 offset = 2; required uint64 size = 3; }
message ReadResponse { required RetCode retCode = 1; optional string retMsg = 2; }

message WriteRequest { required int32 fd = 1; required uint64 offset = 2; required uint64 size = 3; }
message WriteResponse { required RetCode retCode = 1; optional string retMsg = 2; }

message DiscardRequest { required int32 fd = 1; required uint64 offset = 2; required uint64 size = 3; }
message DiscardResponse { required RetCode retCode = 1; optional string retMsg = 2; }

message ResizeRequest { required int32 fd = 1; required uint64 newSize = 2; }
message ResizeResponse { required RetCode retCode = 1; optional string retMsg = 2; }

message FlushRequest { required int32 fd = 1; }
message FlushResponse { required RetCode retCode = 1; optional string retMsg = 2; }

message FileInfo {
  required uint64 size = 1;
  required uint64 objSize = 2;
  required uint64 objNums = 3;
  optional uint32 blocksize = 4;
}
message GetInfoRequest { required int32 fd = 1; }
message GetInfoResponse { required RetCode retCode = 1; optional string retMsg = 2; optional FileInfo info = 3; }

message HeartbeatFileInfo { required int32 fd = 1; required string name = 2; }
message HeartbeatRequest { required int32 pid = 1; required string nebdVersion = 2; repeated HeartbeatFileInfo info = 3; }
message HeartbeatResponse { required RetCode retCode = 1; }
`;

export const RetCode = { kNoOK: -1, kOK: 0 } as const;
export type RetCodeValue = (typeof RetCode)[keyof typeof RetCode];

/** baidu_std service names are the protobuf full names (brpc's default). */
export const NEBD_FILE_SERVICE = 'nebd.client.NebdFileService';
export const NEBD_HEARTBEAT_SERVICE = 'nebd.client.NebdHeartbeatService';

export interface OpenFileRequest { fileName: string; flags?: { exclusive: boolean } | null }
export interface OpenFileResponse { retCode: number; retMsg?: string; fd?: number }
export interface FdRequest { fd: number }
export interface RangeRequest { fd: number; offset: Int64; size: Int64 }
export interface ResizeRequest { fd: number; newSize: Int64 }
/** The reply shape shared by Close/Read/Write/Discard/Resize/Flush. */
export interface StatusResponse { retCode: number; retMsg?: string }
export interface FileInfo { size: Int64; objSize: Int64; objNums: Int64; blocksize?: number }
export interface GetInfoResponse { retCode: number; retMsg?: string; info?: FileInfo | null }
export interface HeartbeatFileInfo { fd: number; name: string }
export interface HeartbeatRequest { pid: number; nebdVersion: string; info: HeartbeatFileInfo[] }
export interface HeartbeatResponse { retCode: number }

const root = protobuf.parse(NEBD_PROTO, { keepCase: true }).root;
const codec = <T extends object>(name: string): ProtoCodec<T> => createProtoCodec<T>(root, `nebd.client.${name}`);

/** One RPC method: where it lives and how its request and response are encoded. */
export interface NebdMethod<Req extends object, Res extends object> {
  readonly service: string;
  readonly method: string;
  readonly request: ProtoCodec<Req>;
  readonly response: ProtoCodec<Res>;
}

const fileMethod = <Req extends object, Res extends object>(method: string, req: string, res: string): NebdMethod<Req, Res> => ({
  service: NEBD_FILE_SERVICE,
  method,
  request: codec<Req>(req),
  response: codec<Res>(res),
});

export const NebdMethods = {
  OpenFile: fileMethod<OpenFileRequest, OpenFileResponse>('OpenFile', 'OpenFileRequest', 'OpenFileResponse'),
  CloseFile: fileMethod<FdRequest, StatusResponse>('CloseFile', 'CloseFileRequest', 'CloseFileResponse'),
  Read: fileMethod<RangeRequest, StatusResponse>('Read', 'ReadRequest', 'ReadResponse'),
  Write: fileMethod<RangeRequest, StatusResponse>('Write', 'WriteRequest', 'WriteResponse'),
  Discard: fileMethod<RangeRequest, StatusResponse>('Discard', 'DiscardRequest', 'DiscardResponse'),
  ResizeFile: fileMethod<ResizeRequest, StatusResponse>('ResizeFile', 'ResizeRequest', 'ResizeResponse'),
  Flush: fileMethod<FdRequest, StatusResponse>('Flush', 'FlushRequest', 'FlushResponse'),
  GetInfo: fileMethod<FdRequest, GetInfoResponse>('GetInfo', 'GetInfoRequest', 'GetInfoResponse'),
  KeepAlive: {
    service: NEBD_HEARTBEAT_SERVICE,
    method: 'KeepAlive',
    request: codec<HeartbeatRequest>('HeartbeatRequest'),
    response: codec<HeartbeatResponse>('HeartbeatResponse'),
  } as NebdMethod<HeartbeatRequest, HeartbeatResponse>,
} as const;
