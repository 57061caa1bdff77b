/** The plugin registers `store: sheepdog` with the host. */
import t from 'tap';
import { createHostHooks } from '../../../core/host/HostHooks.js';
import plugin from '../../../plugins/store-sheepdog/index.js';
import { MemoryLogger } from '../../helpers/MemoryLogger.js';

t.test('apply taps the sheepdog store hook', async (t) => {
  const { hooks, storeTypes } = createHostHooks();
  await plugin.apply({ hooks, log: new MemoryLogger(), version: 'test' }, {});
  t.equal(plugin.name, 'store-sheepdog');
  t.ok(storeTypes.has('sheepdog'));
  const provider = hooks.store.for('sheepdog').call();
  t.equal(provider?.type, 'sheepdog');
  t.equal(provider?.defaultSize, 'auto');
  t.same(provider?.optionsSchema.required, ['backing']);
  t.equal(provider?.describe({ backing: 'unix:/sheep_store/sock:tgt0' }), 'sheepdog unix:/sheep_store/sock:tgt0');
  t.equal(provider?.describe({ backing: { host: 'h', vdi: 'v', tag: 's' } }), 'sheepdog tcp:h:7000:v:s');
});

t.test('open refuses a malformed backing string with the reason', async (t) => {
  const { hooks } = createHostHooks();
  await plugin.apply({ hooks, log: new MemoryLogger(), version: 'test' }, {});
  const provider = hooks.store.for('sheepdog').call();
  const err = await provider!
    .open({ options: { backing: 'tcp:h:port:v' }, size: 'auto', readOnly: false, blockSize: 512, baseDir: '/', stateDir: '/tmp', log: new MemoryLogger() })
    .then(() => null, (e: unknown) => e as Error & { kind?: string });
  t.equal(err?.kind, 'unsupported');
  t.match(err?.message, /port "port" is not a number/);
});
