/**
 * store-sheepdog: `store: sheepdog` LUNs on Sheepdog VDIs, speaking the sheep
 * protocol (include/sheepdog_proto.h) directly — the job of tgt's
 * --bstype sheepdog.
 */
import type { LunhostPlugin } from '../../core/plugin/Plugin.js';
import { createSheepdogStoreProvider } from './SheepdogStoreProvider.js';

const plugin: LunhostPlugin = {
  name: 'store-sheepdog',
  apply(host) {
    const provider = createSheepdogStoreProvider();
    host.hooks.store.for('sheepdog').tap('store-sheepdog', () => provider);
  },
};

export default plugin;
