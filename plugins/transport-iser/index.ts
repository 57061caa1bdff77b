/**
 * transport-iser: registers the 'iser' transport so declarations naming it
 * validate (its options schema) and then fail clearly at start: RDMA is not
 * available on this host.
 */
import type { LunhostPlugin, PluginHost } from '../../core/plugin/Plugin.js';
import type { TransportProvider } from '../../core/transport/Transport.js';
import type { JsonSchemaObject } from '../../core/plugin/JsonSchema.js';
import { IserTransport } from './IserTransport.js';

/** Portal options of iSER (RFC 7145 keys that are per connection, plus the RDMA device). */
export const iserPortalOptionsSchema: JsonSchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    device: { type: 'string', minLength: 1, description: 'RDMA device name, e.g. mlx5_0.' },
    maxCommandsInFlight: { type: 'integer', minimum: 1, maximum: 4096 },
  },
};

/** Per-target iSER keys (RFC 7145 6.2). */
export const iserTargetOptionsSchema: JsonSchemaObject = {
  type: 'object',
  properties: {
    MaxOutstandingUnexpectedPDUs: { type: 'integer', minimum: 2, maximum: 4294967295 },
    InitiatorRecvDataSegmentLength: { type: 'integer', minimum: 512, maximum: 16777215 },
    TargetRecvDataSegmentLength: { type: 'integer', minimum: 512, maximum: 16777215 },
  },
};

export const iserProvider: TransportProvider = {
  name: 'iser',
  defaultPort: 3260,
  optionsSchema: iserPortalOptionsSchema,
  targetOptionsSchema: iserTargetOptionsSchema,
  create: () => new IserTransport(),
};

const plugin: LunhostPlugin = {
  name: 'transport-iser',
  apply(host: PluginHost): void {
    host.hooks.transport.for('iser').tap('transport-iser', () => iserProvider);
  },
};

export default plugin;
