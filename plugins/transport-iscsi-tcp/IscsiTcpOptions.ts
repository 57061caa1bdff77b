/**
 * Options of the iscsi-tcp transport: per portal (`portals[].options`) and
 * per target (`targets[].options`, iSCSI keys by their RFC 7143 names), with
 * their JSON Schemas and the safe defaults that bound memory per connection.
 */
import type { JsonSchemaObject } from '../../core/plugin/JsonSchema.js';

export interface PortalOptions {
  /** Commands (of all kinds) one session may have with us at once; sets the CmdSN window. */
  readonly maxCommandsInFlight: number;
  /** Bytes of write data one connection may hold while collecting Data-Out. */
  readonly maxBufferedWriteBytes: number;
  /** A login not finished within this time is dropped. */
  readonly loginTimeoutMs: number;
  /** Connections accepted on this portal at once. */
  readonly maxConnections: number;
  /** A connection silent this long in full feature phase gets a NOP-In ping (0: never pinged). */
  readonly nopInIntervalMs: number;
  /** A ping not answered (by a NOP-Out echoing its tag) within this time ends the connection. */
  readonly nopInTimeoutMs: number;
}

export const DEFAULT_PORTAL_OPTIONS: PortalOptions = {
  maxCommandsInFlight: 128,
  maxBufferedWriteBytes: 64 << 20,
  loginTimeoutMs: 15_000,
  maxConnections: 1024,
  nopInIntervalMs: 30_000,
  nopInTimeoutMs: 15_000,
};

/** Sessions one target accepts at once unless its `MaxSessions` option says otherwise. */
export const DEFAULT_MAX_SESSIONS = 256;

export const portalOptionsSchema: JsonSchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxCommandsInFlight: { type: 'integer', minimum: 1, maximum: 4096, description: 'Commands one session may have queued or running (CmdSN window).' },
    maxBufferedWriteBytes: { type: 'integer', minimum: 65536, maximum: 4294967295, description: 'Write data one connection may buffer while collecting Data-Out.' },
    loginTimeoutMs: { type: 'integer', minimum: 100, maximum: 600000 },
    maxConnections: { type: 'integer', minimum: 1, maximum: 65535 },
    nopInIntervalMs: { type: 'integer', minimum: 0, maximum: 3600000, description: 'Idle time in full feature phase before a NOP-In ping (0 disables pings).' },
    nopInTimeoutMs: { type: 'integer', minimum: 100, maximum: 600000, description: 'Time a NOP-In ping has to be answered before the connection is closed.' },
  },
};

export function resolvePortalOptions(options: Readonly<Record<string, unknown>>): PortalOptions {
  const num = (k: keyof PortalOptions): number => (typeof options[k] === 'number' ? (options[k] as number) : DEFAULT_PORTAL_OPTIONS[k]);
  return {
    maxCommandsInFlight: num('maxCommandsInFlight'),
    maxBufferedWriteBytes: num('maxBufferedWriteBytes'),
    loginTimeoutMs: num('loginTimeoutMs'),
    maxConnections: num('maxConnections'),
    nopInIntervalMs: num('nopInIntervalMs'),
    nopInTimeoutMs: num('nopInTimeoutMs'),
  };
}

/** Our side of each negotiated key (what we accept / prefer), as text-key strings. */
export const DEFAULT_TARGET_VALUES: Readonly<Record<string, string>> = {
  HeaderDigest: 'CRC32C,None',
  DataDigest: 'CRC32C,None',
  MaxConnections: '1',
  InitialR2T: 'No',
  ImmediateData: 'Yes',
  MaxRecvDataSegmentLength: '262144',
  MaxBurstLength: '1048576',
  FirstBurstLength: '262144',
  DefaultTime2Wait: '2',
  DefaultTime2Retain: '0',
  MaxOutstandingR2T: '8',
  DataPDUInOrder: 'Yes',
  DataSequenceInOrder: 'Yes',
  ErrorRecoveryLevel: '0',
  TaskReporting: 'RFC3720',
  iSCSIProtocolLevel: '1',
};

const digestList = {
  type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['CRC32C', 'None'] },
  description: 'Digests this target accepts, in order of preference.',
};
const len24 = { type: 'integer', minimum: 512, maximum: 16777215 };

export const targetOptionsSchema: JsonSchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    HeaderDigest: digestList,
    DataDigest: digestList,
    InitialR2T: { type: 'boolean' },
    ImmediateData: { type: 'boolean' },
    MaxRecvDataSegmentLength: len24,
    MaxBurstLength: len24,
    FirstBurstLength: len24,
    MaxOutstandingR2T: { type: 'integer', minimum: 1, maximum: 65535 },
    DefaultTime2Wait: { type: 'integer', minimum: 0, maximum: 3600 },
    DefaultTime2Retain: { type: 'integer', minimum: 0, maximum: 3600 },
    QueueDepth: { type: 'integer', minimum: 1, maximum: 4096, description: 'CmdSN window per session (at most the portal maxCommandsInFlight).' },
    MaxConnections: { type: 'integer', minimum: 1, maximum: 16, description: 'Connections one session may have (MC/S); 1 (the default) turns MC/S off.' },
    MaxSessions: { type: 'integer', minimum: 1, maximum: 65535, description: `Sessions this target accepts at once (default ${DEFAULT_MAX_SESSIONS}).` },
  },
};

/** Our negotiation values for a target: its declared options over the defaults. */
export function resolveTargetValues(options: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = { ...DEFAULT_TARGET_VALUES };
  for (const [key, value] of Object.entries(options)) {
    if (key === 'QueueDepth' || !(key in DEFAULT_TARGET_VALUES)) continue;
    if (typeof value === 'boolean') out[key] = value ? 'Yes' : 'No';
    else if (typeof value === 'number') out[key] = String(value);
    else if (Array.isArray(value)) out[key] = value.join(',');
  }
  if (Number(out['FirstBurstLength']) > Number(out['MaxBurstLength'])) out['FirstBurstLength'] = out['MaxBurstLength']!;
  return out;
}
