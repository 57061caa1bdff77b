/** The `store: sheepdog` provider: option schema, describe(), open(). */
import type { JsonSchemaObject } from '../../core/plugin/JsonSchema.js';
import type { BackingStore } from '../../core/store/BackingStore.js';
import { StoreError } from '../../core/store/StoreError.js';
import type { StoreOpenRequest, StoreProvider } from '../../core/store/StoreProvider.js';
import { formatBacking, parseBacking, SheepBackingError } from './SheepBacking.js';
import { SheepClient } from './SheepClient.js';
import { SheepdogStore, type SheepLockMode } from './SheepdogStore.js';

export const sheepdogOptionsSchema: JsonSchemaObject = {
  type: 'object',
  properties: {
    backing: {
      description:
        'Where the VDI is: tgt form unix:PATH:VDI[:TAG|:SNAPID] or tcp:HOST:PORT:VDI[:TAG|:SNAPID], or { socket | host+port, vdi, tag?, snapshotId? }',
      oneOf: [
        { type: 'string', pattern: '^(unix:[^:]+|tcp:[^:]+:[0-9]+):[^:]+(:[^:]+)?$' },
        {
          type: 'object',
          properties: {
            socket: { type: 'string', minLength: 1, description: "Path of sheep's unix socket (preferred on the same host)" },
            host: { type: 'string', minLength: 1 },
            port: { type: 'integer', minimum: 1, maximum: 65535, default: 7000 },
            vdi: { type: 'string', minLength: 1, maxLength: 255 },
            tag: { type: 'string', minLength: 1, maxLength: 255, description: 'Snapshot tag: serve that snapshot, read-only' },
            snapshotId: { type: 'integer', minimum: 1, description: 'Snapshot id: serve that snapshot, read-only' },
          },
          required: ['vdi'],
          additionalProperties: false,
          oneOf: [{ required: ['socket'] }, { required: ['host'] }],
        },
      ],
    },
    lock: {
      enum: ['normal', 'shared', 'none'],
      default: 'normal',
      description: 'VDI lock taken at attach: normal (exclusive), shared (iSCSI multipath through several gateways), none',
    },
    connections: { type: 'integer', minimum: 1, maximum: 64, default: 2, description: 'Sockets to sheep for this LUN' },
    connectTimeoutMs: { type: 'integer', minimum: 100, default: 5000 },
    requestTimeoutMs: { type: 'integer', minimum: 100, default: 30000, description: 'An unanswered request breaks its connection and is retried' },
    reconnectTimeoutMs: { type: 'integer', minimum: 0, default: 30000, description: 'How long to keep reconnecting before failing I/O as NOT READY' },
  },
  required: ['backing'],
};

function numberOption(options: Readonly<Record<string, unknown>>, key: string, fallback: number): number {
  const v = options[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export function createSheepdogStoreProvider(): StoreProvider {
  return {
    type: 'sheepdog',
    optionsSchema: sheepdogOptionsSchema,
    defaultSize: 'auto',
    describe(options) {
      try {
        return `sheepdog ${formatBacking(parseBacking(options['backing']))}`;
      } catch {
        return `sheepdog ${JSON.stringify(options['backing'])}`;
      }
    },
    async open(req: StoreOpenRequest): Promise<BackingStore> {
      let backing;
      try {
        backing = parseBacking(req.options['backing'], req.baseDir);
      } catch (err) {
        if (err instanceof SheepBackingError) throw new StoreError('unsupported', err.message, { cause: err });
        throw err;
      }
      const log = req.log.child({ store: 'sheepdog', backing: formatBacking(backing) });
      const client = new SheepClient({
        endpoint: backing.endpoint,
        connections: numberOption(req.options, 'connections', 2),
        connectTimeoutMs: numberOption(req.options, 'connectTimeoutMs', 5000),
        requestTimeoutMs: numberOption(req.options, 'requestTimeoutMs', 30000),
        reconnectTimeoutMs: numberOption(req.options, 'reconnectTimeoutMs', 30000),
        backoffInitialMs: 100,
        backoffMaxMs: 5000,
        log,
      });
      try {
        await client.connectAll();
        const lock = (req.options['lock'] as SheepLockMode | undefined) ?? 'normal';
        return await SheepdogStore.open({ backing, client, size: req.size, readOnly: req.readOnly, lock, log });
      } catch (err) {
        client.close();
        throw err;
      }
    },
  };
}
