/** The tgt --backing-store forms and the structured form. */
import t from 'tap';
import Ajv from 'ajv';
import { formatBacking, parseBacking, parseBackingString } from '../../../plugins/store-sheepdog/SheepBacking.js';
import { sheepdogOptionsSchema } from '../../../plugins/store-sheepdog/SheepdogStoreProvider.js';

t.test('the six tgt forms', async (t) => {
  t.same(parseBackingString('unix:/sheep_store/sock:tgt0'), { endpoint: { kind: 'unix', path: '/sheep_store/sock' }, vdi: { name: 'tgt0' } });
  t.same(parseBackingString('unix:/sheep_store/sock:tgt0:snap1'), { endpoint: { kind: 'unix', path: '/sheep_store/sock' }, vdi: { name: 'tgt0', tag: 'snap1' } });
  t.same(parseBackingString('unix:/sheep_store/sock:tgt0:2'), { endpoint: { kind: 'unix', path: '/sheep_store/sock' }, vdi: { name: 'tgt0', snapshotId: 2 } });
  t.same(parseBackingString('tcp:sheep1:7000:tgt0'), { endpoint: { kind: 'tcp', host: 'sheep1', port: 7000 }, vdi: { name: 'tgt0' } });
  t.same(parseBackingString('tcp:sheep1:7000:tgt0:before-upgrade'), { endpoint: { kind: 'tcp', host: 'sheep1', port: 7000 }, vdi: { name: 'tgt0', tag: 'before-upgrade' } });
  t.same(parseBackingString('tcp:10.0.0.5:7001:tgt0:17'), { endpoint: { kind: 'tcp', host: '10.0.0.5', port: 7001 }, vdi: { name: 'tgt0', snapshotId: 17 } });
});

t.test('relative socket paths resolve against the declaration directory', async (t) => {
  const b = parseBackingString('unix:run/sock:v', '/etc/lunhost');
  t.same(b.endpoint, { kind: 'unix', path: '/etc/lunhost/run/sock' });
});

t.test('errors say what is wrong', async (t) => {
  t.throws(() => parseBackingString('nbd:/x:v'), /unknown scheme "nbd"/);
  t.throws(() => parseBackingString('unix:/x'), /expected unix:PATH:VDI/);
  t.throws(() => parseBackingString('unix::v'), /socket path is empty/);
  t.throws(() => parseBackingString('tcp:h:70x0:v'), /port "70x0" is not a number/);
  t.throws(() => parseBackingString('tcp:h:70000:v'), /out of range/);
  t.throws(() => parseBackingString('tcp:h:7000'), /expected/);
  t.throws(() => parseBackingString('tcp::7000:v'), /host is empty/);
  t.throws(() => parseBackingString('unix:/s:v:tag:extra'), /unexpected "extra"/);
  t.throws(() => parseBackingString('unix:/s:v:'), /empty/);
  t.throws(() => parseBackingString('unix:/s:v:0'), /snapshot id 0 must be an integer >= 1/);
  t.throws(() => parseBacking(42), /must be a string/);
});

t.test('structured form', async (t) => {
  t.same(parseBacking({ socket: '/s', vdi: 'v', tag: 't' }), { endpoint: { kind: 'unix', path: '/s' }, vdi: { name: 'v', tag: 't' } });
  t.same(parseBacking({ host: 'h', vdi: 'v' }), { endpoint: { kind: 'tcp', host: 'h', port: 7000 }, vdi: { name: 'v' } });
  t.same(parseBacking({ host: 'h', port: 7001, vdi: 'v', snapshotId: 3 }), { endpoint: { kind: 'tcp', host: 'h', port: 7001 }, vdi: { name: 'v', snapshotId: 3 } });
  t.throws(() => parseBacking({ vdi: 'v' }), /give "socket"/);
  t.throws(() => parseBacking({ socket: '/s', host: 'h', vdi: 'v' }), /not both/);
  t.throws(() => parseBacking({ socket: '/s', vdi: 'v', tag: 't', snapshotId: 1 }), /either "tag" or "snapshotId"/);
  t.throws(() => parseBacking({ socket: '/s', vdi: '' }), /"vdi"/);
});

t.test('formatBacking round-trips the string form', async (t) => {
  for (const s of ['unix:/s/sock:tgt0', 'unix:/s/sock:tgt0:snap', 'tcp:h:7000:v:3']) t.equal(formatBacking(parseBackingString(s)), s);
});

t.test('the options schema accepts both forms and rejects typos', async (t) => {
  const ajv = new Ajv.default({ allErrors: true, strict: false });
  const validate = ajv.compile(sheepdogOptionsSchema);
  t.equal(validate({ backing: 'unix:/sheep_store/sock:tgt0' }), true);
  t.equal(validate({ backing: 'tcp:127.0.0.1:7000:tgt0:5', lock: 'shared', connections: 4 }), true);
  t.equal(validate({ backing: { socket: '/s', vdi: 'v', tag: 'x' } }), true);
  t.equal(validate({ backing: { host: 'h', port: 7000, vdi: 'v' } }), true);
  t.equal(validate({ backing: 'file:/x' }), false);
  t.equal(validate({ backing: { socket: '/s', vdi: 'v', tagg: 'x' } }), false);
  t.equal(validate({ backing: { vdi: 'v' } }), false);
  t.equal(validate({ backing: 'unix:/s:v', lock: 'exclusive' }), false);
  t.equal(validate({}), false);
});
