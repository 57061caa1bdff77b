/**
 * brpc's RpcMeta for the baidu_std protocol, written from apache/brpc
 * docs/cn/baidu_std.md and src/brpc/policy/baidu_rpc_meta.proto. Only the
 * fields lunhost reads or writes are declared; protobufjs skips the others
 * (chunk_info, stream_settings, user_fields, checksum_*) as unknown fields.
 */
import protobuf from 'protobufjs';
import { createProtoCodec, type Int64, type ProtoCodec } from './ProtoCodec.js';

const RPC_META_PROTO = `
syntax = "proto2";
package brpc.policy;

message RpcRequestMeta {
  required string service_name = 1;
  required string method_name = 2;
  optional int64 log_id = 3;
  optional int32 timeout_ms = 8;
}

message RpcResponseMeta {
  optional int32 error_code = 1;
  optional string error_text = 2;
}

message RpcMeta {
  optional RpcRequestMeta request = 1;
  optional RpcResponseMeta response = 2;
  optional int32 compress_type = 3;
  optional int64 correlation_id = 4;
  optional int32 attachment_size = 5;
  optional bytes authentication_data = 7;
}
`;

export interface RpcRequestMetaFields {
  service_name: string;
  method_name: string;
  log_id?: Int64;
  timeout_ms?: number;
}

export interface RpcResponseMetaFields {
  error_code?: number;
  error_text?: string;
}

export interface RpcMetaFields {
  request?: RpcRequestMetaFields | null;
  response?: RpcResponseMetaFields | null;
  compress_type?: number;
  correlation_id?: Int64;
  attachment_size?: number;
  authentication_data?: Uint8Array;
}

const root = protobuf.parse(RPC_META_PROTO, { keepCase: true }).root;

export const RpcMetaCodec: ProtoCodec<RpcMetaFields> = createProtoCodec<RpcMetaFields>(root, 'brpc.policy.RpcMeta');

/** compress_type values (baidu_std appendix): lunhost never compresses. */
export const COMPRESS_TYPE_NONE = 0;
