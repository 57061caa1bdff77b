/**
 * A typed wrapper around one protobufjs message type: encode a plain object,
 * decode to a plain-ish object. 64-bit integers decode as protobufjs Long
 * objects; `toSafeNumber` turns them into numbers.
 */
import protobuf from 'protobufjs';

export interface ProtoCodec<T extends object> {
  readonly typeName: string;
  encode(value: T): Uint8Array;
  /** Throws when the bytes are not a valid message (e.g. a required field is missing). */
  decode(bytes: Uint8Array): T;
}

/** A 64-bit value as protobufjs hands it out. */
export type Int64 = number | { toNumber(): number };

export function createProtoCodec<T extends object>(root: protobuf.Root, typeName: string): ProtoCodec<T> {
  const type = root.lookupType(typeName);
  return {
    typeName,
    encode: (value) => type.encode(value as Record<string, unknown>).finish(),
    decode: (bytes) => type.decode(bytes) as unknown as T,
  };
}

/** Number from an int64/uint64 field; offsets and sizes here stay far below 2^53. */
export function toSafeNumber(value: Int64 | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}
