/**
 * How long to wait before retrying a failed RPC, following nebd-client
 * (nebd/src/part1/async_request_closure.cpp and nebd-client.conf):
 * retry n waits max(interval, min(interval * n, maxInterval)); when no server
 * is listening (EHOSTDOWN) it waits hostDownInterval. nebd-client retries I/O
 * forever; lunhost stops after `budgetMs` or `maxRetries` so an initiator gets
 * NOT READY instead of a command timeout.
 */
import { BrpcErrno } from './RpcError.js';

export interface RetryOptions {
  /** request.rpcRetryIntervalUs = 100000 */
  readonly intervalMs: number;
  /** request.rpcRetryMaxIntervalUs = 64000000 */
  readonly maxIntervalMs: number;
  /** request.rpcHostDownRetryIntervalUs = 10000 */
  readonly hostDownIntervalMs: number;
  /**
   * request.syncRpcMaxRetryTimes = 50: retries after failures other than
   * EHOSTDOWN (those are bounded by budgetMs alone, so a restarting
   * nebd-server is waited for).
   */
  readonly maxRetries: number;
  /** Total time an I/O may spend retrying before it fails with not-ready. */
  readonly budgetMs: number;
}

export const NEBD_RETRY_DEFAULTS: RetryOptions = {
  intervalMs: 100,
  maxIntervalMs: 64_000,
  hostDownIntervalMs: 10,
  maxRetries: 50,
  budgetMs: 25_000,
};

/** Delay before retry number `retry` (1-based) after an error with brpc code `code`. */
export function retryDelayMs(options: RetryOptions, retry: number, code: number): number {
  if (code === BrpcErrno.EHOSTDOWN) return options.hostDownIntervalMs;
  if (retry <= 1) return options.intervalMs;
  return Math.max(options.intervalMs, Math.min(options.intervalMs * retry, options.maxIntervalMs));
}
