/**
 * brpc's baidu_std framing (apache/brpc docs/cn/baidu_std.md): every packet is
 *
 *   "PRPC" | body size (u32 BE) | meta size (u32 BE) | RpcMeta | message | attachment
 *
 * where body size counts everything after the 12-byte header and the
 * attachment length is RpcMeta.attachment_size. Requests carry
 * RpcMeta.request, responses RpcMeta.response. This is the only module that
 * builds or parses these packets (the client and the test server both use it).
 */
import { COMPRESS_TYPE_NONE, RpcMetaCodec, type RpcMetaFields } from './BaiduRpcMeta.js';
import { toSafeNumber } from './ProtoCodec.js';

export const HEADER_SIZE = 12;
const MAGIC = 0x50525043; // "PRPC"
/** brpc's default -max_body_size is 64 MiB; allow a little more than the largest request lunhost sends. */
export const DEFAULT_MAX_BODY_SIZE = 64 * 1024 * 1024 + 64 * 1024;

export class BaiduStdProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaiduStdProtocolError';
  }
}

export interface RequestHead {
  readonly correlationId: number;
  readonly service: string;
  readonly method: string;
  readonly logId?: number;
}

export interface ResponseHead {
  readonly correlationId: number;
  /** 0: success; otherwise a brpc errno (options/errno.proto) or an application code. */
  readonly errorCode: number;
  readonly errorText?: string;
}

/** A decoded packet. `attachment` is a list of slices of the received chunks (no copy). */
export interface Frame {
  readonly correlationId: number;
  readonly request: { readonly service: string; readonly method: string; readonly logId: number } | null;
  readonly response: { readonly errorCode: number; readonly errorText: string } | null;
  readonly compressType: number;
  readonly message: Buffer;
  readonly attachment: readonly Buffer[];
  readonly attachmentSize: number;
}

/**
 * Encode a request. Returns the header+meta+message as one buffer and the
 * attachment separately, so a caller can writev both without copying the data.
 */
export function encodeRequest(head: RequestHead, message: Uint8Array, attachment: Buffer | null): [Buffer, Buffer | null] {
  const meta: RpcMetaFields = {
    request: { service_name: head.service, method_name: head.method },
    correlation_id: head.correlationId,
  };
  if (head.logId !== undefined) meta.request!.log_id = head.logId;
  return encodeFrame(meta, message, attachment);
}

/** Encode a response (the test server's side). */
export function encodeResponse(head: ResponseHead, message: Uint8Array, attachment: Buffer | null): [Buffer, Buffer | null] {
  const meta: RpcMetaFields = { correlation_id: head.correlationId };
  if (head.errorCode !== 0) meta.response = { error_code: head.errorCode, error_text: head.errorText ?? '' };
  else meta.response = {};
  return encodeFrame(meta, message, attachment);
}

function encodeFrame(meta: RpcMetaFields, message: Uint8Array, attachment: Buffer | null): [Buffer, Buffer | null] {
  const attachmentSize = attachment?.length ?? 0;
  // brpc sets attachment_size iff there is an attachment.
  if (attachmentSize > 0) meta.attachment_size = attachmentSize;
  const metaBytes = RpcMetaCodec.encode(meta);
  const head = Buffer.allocUnsafe(HEADER_SIZE + metaBytes.length + message.length);
  head.writeUInt32BE(MAGIC, 0);
  head.writeUInt32BE(metaBytes.length + message.length + attachmentSize, 4);
  head.writeUInt32BE(metaBytes.length, 8);
  head.set(metaBytes, HEADER_SIZE);
  head.set(message, HEADER_SIZE + metaBytes.length);
  return [head, attachmentSize > 0 ? attachment : null];
}

/** Copy a frame's attachment into `dst` (the one copy of read data); returns the bytes copied. */
export function copyAttachment(frame: Pick<Frame, 'attachment'>, dst: Buffer): number {
  let at = 0;
  for (const part of frame.attachment) {
    if (at >= dst.length) break;
    at += part.copy(dst, at);
  }
  return at;
}

/**
 * Incremental reader: push() socket chunks, then call next() until it returns
 * null. Throws BaiduStdProtocolError on bytes that are not baidu_std; the
 * connection cannot be resynchronised after that.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  /** Bytes already consumed from chunks[0]. */
  private headOffset = 0;
  private buffered = 0;
  private readonly header = Buffer.alloc(HEADER_SIZE);

  constructor(private readonly maxBodySize = DEFAULT_MAX_BODY_SIZE) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  get bufferedBytes(): number {
    return this.buffered;
  }

  next(): Frame | null {
    if (this.buffered < HEADER_SIZE) return null;
    this.peek(this.header);
    if (this.header.readUInt32BE(0) !== MAGIC) {
      throw new BaiduStdProtocolError(`not a baidu_std packet: header starts with 0x${this.header.toString('hex', 0, 4)}, expected "PRPC"`);
    }
    const bodySize = this.header.readUInt32BE(4);
    const metaSize = this.header.readUInt32BE(8);
    if (bodySize > this.maxBodySize) {
      throw new BaiduStdProtocolError(`baidu_std body of ${bodySize} bytes exceeds the limit of ${this.maxBodySize}`);
    }
    if (metaSize > bodySize) {
      throw new BaiduStdProtocolError(`baidu_std meta size ${metaSize} is larger than body size ${bodySize}`);
    }
    if (this.buffered < HEADER_SIZE + bodySize) return null;
    this.skip(HEADER_SIZE);
    let meta: RpcMetaFields;
    try {
      meta = RpcMetaCodec.decode(this.takeContiguous(metaSize));
    } catch (err) {
      throw new BaiduStdProtocolError(`cannot decode RpcMeta: ${(err as Error).message}`);
    }
    const attachmentSize = meta.attachment_size ?? 0;
    const payloadSize = bodySize - metaSize;
    if (attachmentSize < 0 || attachmentSize > payloadSize) {
      throw new BaiduStdProtocolError(`attachment_size=${attachmentSize} is larger than the ${payloadSize} payload bytes`);
    }
    const message = this.takeContiguous(payloadSize - attachmentSize);
    const attachment = this.takeSlices(attachmentSize);
    const request = meta.request
      ? { service: meta.request.service_name, method: meta.request.method_name, logId: toSafeNumber(meta.request.log_id) }
      : null;
    const response = meta.response
      ? { errorCode: meta.response.error_code ?? 0, errorText: meta.response.error_text ?? '' }
      : null;
    return {
      correlationId: toSafeNumber(meta.correlation_id),
      request,
      response,
      compressType: meta.compress_type ?? COMPRESS_TYPE_NONE,
      message,
      attachment,
      attachmentSize,
    };
  }

  /** Copy the first dst.length buffered bytes into dst without consuming them. */
  private peek(dst: Buffer): void {
    let at = 0;
    let offset = this.headOffset;
    for (const chunk of this.chunks) {
      at += chunk.copy(dst, at, offset);
      offset = 0;
      if (at >= dst.length) return;
    }
  }

  private skip(n: number): void {
    this.takeSlices(n);
  }

  /** n bytes as one buffer: a slice when they lie in one chunk, a copy when they span chunks. */
  private takeContiguous(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0]!;
    if (first.length - this.headOffset >= n) {
      const slice = first.subarray(this.headOffset, this.headOffset + n);
      this.consume(n);
      return slice;
    }
    return Buffer.concat(this.takeSlices(n), n);
  }

  /** n bytes as slices of the buffered chunks. */
  private takeSlices(n: number): Buffer[] {
    const out: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const first = this.chunks[0]!;
      const available = first.length - this.headOffset;
      const take = Math.min(available, left);
      out.push(first.subarray(this.headOffset, this.headOffset + take));
      this.consume(take);
      left -= take;
    }
    return out;
  }

  private consume(n: number): void {
    this.headOffset += n;
    this.buffered -= n;
    if (this.headOffset === this.chunks[0]!.length) {
      this.chunks.shift();
      this.headOffset = 0;
    }
  }
}
