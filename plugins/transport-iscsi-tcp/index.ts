/**
 * transport-iscsi-tcp: iSCSI over TCP, target side (RFC 7143), as a lunhost
 * plugin. Registers the 'iscsi-tcp' TransportProvider.
 */
import type { LunhostPlugin, PluginHost } from '../../core/plugin/Plugin.js';
import type { TransportProvider } from '../../core/transport/Transport.js';
import { IscsiTcpTransport } from './IscsiTcpTransport.js';
import { portalOptionsSchema, targetOptionsSchema } from './IscsiTcpOptions.js';

export const iscsiTcpProvider: TransportProvider = {
  name: 'iscsi-tcp',
  defaultPort: 3260,
  optionsSchema: portalOptionsSchema,
  targetOptionsSchema,
  create: (ctx) => new IscsiTcpTransport(ctx),
};

const plugin: LunhostPlugin = {
  name: 'transport-iscsi-tcp',
  apply(host: PluginHost): void {
    host.hooks.transport.for('iscsi-tcp').tap('transport-iscsi-tcp', () => iscsiTcpProvider);
  },
};

export default plugin;
