/**
 * Why one RPC attempt failed: a brpc errno (apache/brpc src/brpc/errno.proto)
 * sent by the server in RpcResponseMeta.error_code, or one lunhost assigns to
 * a local failure (timeout, broken or refused connection), as brpc's own
 * client would. `retryable` says whether trying again can help.
 */
export const BrpcErrno = {
  /** Linux EHOSTDOWN: brpc's "no server available" (nebd-server not listening). */
  EHOSTDOWN: 112,
  ENOSERVICE: 1001,
  ENOMETHOD: 1002,
  EREQUEST: 1003,
  ERPCAUTH: 1004,
  ERPCTIMEDOUT: 1008,
  EFAILEDSOCKET: 1009,
  EOVERCROWDED: 1011,
  EEOF: 1014,
  EINTERNAL: 2001,
  ERESPONSE: 2002,
  ELOGOFF: 2003,
  ELIMIT: 2004,
  ECLOSE: 2005,
} as const;

/**
 * Codes that mean "nebd-server is not the service we expect or refused the
 * request as malformed": trying again cannot help. Everything else (timeouts,
 * broken connections, a server stopping or overloaded) is retried, as
 * nebd-client does for every failed RPC.
 */
const PERMANENT = new Set<number>([
  BrpcErrno.ENOSERVICE,
  BrpcErrno.ENOMETHOD,
  BrpcErrno.EREQUEST,
  BrpcErrno.ERPCAUTH,
  BrpcErrno.ERESPONSE,
]);

export class RpcError extends Error {
  readonly code: number;
  readonly retryable: boolean;
  constructor(code: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RpcError';
    this.code = code;
    this.retryable = !PERMANENT.has(code);
  }
}
