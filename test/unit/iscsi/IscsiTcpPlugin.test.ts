/** The plugin object: registers the iscsi-tcp provider; its schemas accept and refuse what they should. */
import t from 'tap';
import { Ajv } from 'ajv';
import { createHostHooks } from '../../../core/host/HostHooks.js';
import plugin from '../../../plugins/transport-iscsi-tcp/index.js';
import { MemoryLogger } from '../../helpers/MemoryLogger.js';
import { resolveTargetValues } from '../../../plugins/transport-iscsi-tcp/IscsiTcpOptions.js';

t.test('registers iscsi-tcp with port 3260 and schemas', async (t) => {
  const { hooks, transportNames } = createHostHooks();
  await plugin.apply({ hooks, log: new MemoryLogger(), version: 'test' }, {});
  t.equal(plugin.name, 'transport-iscsi-tcp');
  t.ok(transportNames.has('iscsi-tcp'));
  const p = hooks.transport.get('iscsi-tcp')!.call();
  t.equal(p.defaultPort, 3260);
  const ajv = new Ajv({ allErrors: true });
  const portal = ajv.compile(p.optionsSchema);
  t.ok(portal({ maxCommandsInFlight: 64, loginTimeoutMs: 5000 }));
  t.notOk(portal({ maxCommandsInFlite: 64 }));
  const target = ajv.compile(p.targetOptionsSchema);
  t.ok(target({ HeaderDigest: ['CRC32C', 'None'], MaxBurstLength: 65536, InitialR2T: true, QueueDepth: 32 }));
  t.notOk(target({ MaxBurstLength: 100 }), 'below 512');
  t.notOk(target({ HeaderDigest: ['MD5'] }));
});

t.test('target options become our negotiation values', async (t) => {
  const v = resolveTargetValues({ HeaderDigest: ['None'], InitialR2T: true, MaxBurstLength: 65536, FirstBurstLength: 131072 });
  t.equal(v['HeaderDigest'], 'None');
  t.equal(v['InitialR2T'], 'Yes');
  t.equal(v['FirstBurstLength'], '65536', 'clamped to MaxBurstLength');
});
