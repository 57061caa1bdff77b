/** The iSER stub: registered with a schema, refuses to start with an error naming the portal. */
import t from 'tap';
import { Ajv } from 'ajv';
import { createHostHooks } from '../../../core/host/HostHooks.js';
import iser from '../../../plugins/transport-iser/index.js';
import { MemoryLogger } from '../../helpers/MemoryLogger.js';

t.test('registers transport iser; its options schema validates', async (t) => {
  const { hooks, transportNames } = createHostHooks();
  await iser.apply({ hooks, log: new MemoryLogger(), version: 'test' }, {});
  t.ok(transportNames.has('iser'));
  const provider = hooks.transport.get('iser')!.call();
  t.equal(provider.name, 'iser');
  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile(provider.optionsSchema);
  t.ok(validate({ device: 'mlx5_0' }));
  t.notOk(validate({ devcie: 'mlx5_0' }), 'typo rejected');
  t.notOk(validate({ device: '' }));
});

t.test('configure refuses with a message naming each portal', async (t) => {
  const { hooks } = createHostHooks();
  await iser.apply({ hooks, log: new MemoryLogger(), version: 'test' }, {});
  const transport = hooks.transport.get('iser')!.call().create({
    log: new MemoryLogger(), discoveryAuth: null, sessionLoggedIn: () => undefined, sessionLoggedOut: () => undefined,
  });
  await t.resolves(transport.configure([], []), 'nothing to serve is fine');
  let err: Error | null = null;
  try {
    await transport.configure([{ name: 'rdma0', host: 'fe80::1', port: 3260, portalGroupTag: 1, options: {} }], []);
  } catch (e) { err = e as Error; }
  t.match(err?.message, /^portal \[fe80::1\]:3260 \(rdma0\): transport 'iser' needs RDMA, which is unavailable on this host/);
  t.same(transport.sessions(), []);
  await transport.close(0);
});
