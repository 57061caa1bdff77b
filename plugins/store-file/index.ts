/** The built-in `store: file` plugin. */
import type { LunhostPlugin, PluginHost } from '../../core/plugin/Plugin.js';
import { fileStoreProvider } from './FileStoreProvider.js';

const storeFilePlugin: LunhostPlugin = {
  name: 'store-file',
  apply(host: PluginHost): void {
    host.hooks.store.for('file').tap('store-file', () => fileStoreProvider);
  },
};

export default storeFilePlugin;
