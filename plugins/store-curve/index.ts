/**
 * store-curve: Curve volumes (`store: curve`, `backing: cbd:pool//NAME_USER_`)
 * through nebd-server's brpc services, like tgt's `--bstype curve`.
 */
import type { LunhostPlugin, PluginHost } from '../../core/plugin/Plugin.js';
import { CurveStoreProvider } from './CurveStoreProvider.js';

const plugin: LunhostPlugin = {
  name: 'store-curve',
  apply(host: PluginHost) {
    const provider = new CurveStoreProvider(host.log, `lunhost-${host.version}`);
    host.hooks.store.for('curve').tap('store-curve', () => provider);
  },
};

export default plugin;
