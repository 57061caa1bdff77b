/**
 * The `store: curve` LUN fields: their JSON Schema (validated by the host)
 * and their normalised form with nebd-client's defaults filled in.
 */
import path from 'node:path';
import type { JsonSchemaObject } from '../../core/plugin/JsonSchema.js';
import { NEBD_RETRY_DEFAULTS, type RetryOptions } from './NebdRetryPolicy.js';

/** nebd-client.conf nebdserver.serverAddress */
export const DEFAULT_NEBD_SOCKET = '/data/nebd/nebd.sock';
/** nebd-client.conf heartbeat.intervalS / heartbeat.rpcTimeoutMs */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5000;
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 500;
/**
 * nebd-client waits forever for I/O replies (nebd-server drops the reply of a
 * failed I/O by default); lunhost gives each attempt this long, then retries.
 */
export const DEFAULT_TIMEOUT_MS = 10_000;

const msField = (description: string, minimum = 1): Record<string, unknown> => ({ type: 'integer', minimum, description });

export const curveOptionsSchema: JsonSchemaObject = {
  type: 'object',
  required: ['backing'],
  properties: {
    backing: {
      type: 'string',
      pattern: '^cbd:[^/]*/.{3,}$',
      description: "The Curve volume as tgt's --backing-store names it: cbd:POOL//NAME_USER_ (e.g. cbd:pool//iscsi_test_).",
    },
    socket: { type: 'string', minLength: 1, description: `nebd-server's Unix socket (default ${DEFAULT_NEBD_SOCKET}).` },
    timeoutMs: msField(`Per-RPC timeout in ms before an attempt is retried (default ${DEFAULT_TIMEOUT_MS}).`),
    exclusive: { type: 'boolean', description: 'Open the volume with ProtoOpenFlags.exclusive (default: no flags, as QEMU does).' },
    heartbeatIntervalMs: msField(`KeepAlive interval in ms (default ${DEFAULT_HEARTBEAT_INTERVAL_MS}, nebd-client's heartbeat.intervalS).`),
    heartbeatTimeoutMs: msField(`KeepAlive RPC timeout in ms (default ${DEFAULT_HEARTBEAT_TIMEOUT_MS}).`),
    retry: {
      type: 'object',
      additionalProperties: false,
      description: "Retries of failed RPCs, with nebd-client's backoff.",
      properties: {
        intervalMs: msField(`First retry delay (default ${NEBD_RETRY_DEFAULTS.intervalMs}); retry n waits n times this.`, 0),
        maxIntervalMs: msField(`Longest retry delay (default ${NEBD_RETRY_DEFAULTS.maxIntervalMs}).`, 0),
        hostDownIntervalMs: msField(`Retry delay while nebd-server is not listening (default ${NEBD_RETRY_DEFAULTS.hostDownIntervalMs}).`, 0),
        maxRetries: { type: 'integer', minimum: 0, description: `Retries of an RPC that failed on a live connection (default ${NEBD_RETRY_DEFAULTS.maxRetries}).` },
        budgetMs: msField(`Time an I/O may spend retrying before the initiator gets NOT READY (default ${NEBD_RETRY_DEFAULTS.budgetMs}).`, 0),
      },
    },
  },
  additionalProperties: false,
};

export interface CurveStoreOptions {
  readonly backing: string;
  readonly socketPath: string;
  readonly timeoutMs: number;
  readonly exclusive: boolean | null;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly retry: RetryOptions;
}

const num = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);

/** Fill defaults; `options` has passed curveOptionsSchema. */
export function normalizeCurveOptions(options: Readonly<Record<string, unknown>>, baseDir: string): CurveStoreOptions {
  const retry = (options.retry ?? {}) as Readonly<Record<string, unknown>>;
  const socket = typeof options.socket === 'string' ? options.socket : DEFAULT_NEBD_SOCKET;
  return {
    backing: String(options.backing),
    socketPath: path.resolve(baseDir, socket),
    timeoutMs: num(options.timeoutMs, DEFAULT_TIMEOUT_MS),
    exclusive: typeof options.exclusive === 'boolean' ? options.exclusive : null,
    heartbeatIntervalMs: num(options.heartbeatIntervalMs, DEFAULT_HEARTBEAT_INTERVAL_MS),
    heartbeatTimeoutMs: num(options.heartbeatTimeoutMs, DEFAULT_HEARTBEAT_TIMEOUT_MS),
    retry: {
      intervalMs: num(retry.intervalMs, NEBD_RETRY_DEFAULTS.intervalMs),
      maxIntervalMs: num(retry.maxIntervalMs, NEBD_RETRY_DEFAULTS.maxIntervalMs),
      hostDownIntervalMs: num(retry.hostDownIntervalMs, NEBD_RETRY_DEFAULTS.hostDownIntervalMs),
      maxRetries: num(retry.maxRetries, NEBD_RETRY_DEFAULTS.maxRetries),
      budgetMs: num(retry.budgetMs, NEBD_RETRY_DEFAULTS.budgetMs),
    },
  };
}
