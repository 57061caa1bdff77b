/** The plugin registers `store: curve` with a schema that accepts the guide's LUN and names mistakes. */
import t from 'tap';
import { Ajv } from 'ajv';
import { createHostHooks } from '../../../core/host/HostHooks.js';
import plugin from '../../../plugins/store-curve/index.js';
import { normalizeCurveOptions } from '../../../plugins/store-curve/CurveStoreOptions.js';
import { silentLogger } from '../../fixtures/nebd-server/NebdFixture.js';

t.test('registers the curve store provider', async (t) => {
  const { hooks, storeTypes } = createHostHooks();
  await plugin.apply({ hooks, log: silentLogger, version: '0.1.0' }, {});
  t.equal(plugin.name, 'store-curve');
  t.ok(storeTypes.has('curve'));
  const provider = hooks.store.get('curve')!.call();
  t.equal(provider.type, 'curve');
  t.equal(provider.defaultSize, 'auto');
  t.equal(provider.describe({ backing: 'cbd:pool//iscsi_test_' }), 'curve cbd:pool//iscsi_test_ via nebd /data/nebd/nebd.sock');
});

t.test('options schema', async (t) => {
  const { hooks } = createHostHooks();
  await plugin.apply({ hooks, log: silentLogger, version: '0.1.0' }, {});
  const validate = new Ajv({ allErrors: true, strict: false }).compile(hooks.store.get('curve')!.call().optionsSchema);
  t.ok(validate({ backing: 'cbd:pool//iscsi_test_' }), 'the guide backing string');
  t.ok(validate({ backing: 'cbd:pool//iscsi_test_', socket: '/run/nebd.sock', timeoutMs: 3000, retry: { budgetMs: 10000 }, heartbeatIntervalMs: 5000 }));
  t.notOk(validate({}), 'backing is required');
  t.notOk(validate({ backing: 'pool/iscsi_test_' }), 'not a cbd: name');
  t.notOk(validate({ backing: 'cbd:pool//x_u_', sokcet: '/x' }), 'a misspelt field is refused');
  t.notOk(validate({ backing: 'cbd:pool//x_u_', retry: { budget: 1 } }), 'a misspelt retry field is refused');
});

t.test('defaults are nebd-client defaults', async (t) => {
  const o = normalizeCurveOptions({ backing: 'cbd:pool//iscsi_test_' }, '/etc/lunhost');
  t.equal(o.socketPath, '/data/nebd/nebd.sock');
  t.equal(o.heartbeatIntervalMs, 5000);
  t.equal(o.heartbeatTimeoutMs, 500);
  t.same(o.retry, { intervalMs: 100, maxIntervalMs: 64000, hostDownIntervalMs: 10, maxRetries: 50, budgetMs: 25000 });
  t.equal(o.exclusive, null);
  t.equal(normalizeCurveOptions({ backing: 'cbd:p//v_u_', socket: 'run/nebd.sock' }, '/etc/lunhost').socketPath, '/etc/lunhost/run/nebd.sock', 'relative to the declaration');
});
