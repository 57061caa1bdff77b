import t from 'tap';
import { compileBindings, globToRegExp, parseIp, parseRange } from '../../../core/host/BindingMatcher.js';

t.test('ALL admits everyone', async (t) => {
  const admit = compileBindings([{ kind: 'all' }]);
  t.ok(admit('iqn.x', '10.1.2.3'));
  t.ok(admit('anything', '::1'));
});

t.test('no bindings admit no one', async (t) => {
  t.notOk(compileBindings([])('iqn.x', '127.0.0.1'));
});

t.test('initiator names: exact and globs, case-insensitive', async (t) => {
  const admit = compileBindings([{ kind: 'match', initiator: 'iqn.1993-08.org.debian:01:*', address: null }, { kind: 'match', initiator: 'iqn.2026-01.host:node?', address: null }]);
  t.ok(admit('iqn.1993-08.org.debian:01:abcdef', '1.2.3.4'));
  t.ok(admit('IQN.1993-08.ORG.DEBIAN:01:X', '1.2.3.4'));
  t.ok(admit('iqn.2026-01.host:node7', '1.2.3.4'));
  t.notOk(admit('iqn.2026-01.host:node17', '1.2.3.4'));
  t.notOk(admit('iqn.1993-08.org.debianx01:a', '1.2.3.4'), 'dots are literal');
  t.ok(globToRegExp('a.b').test('a.b'));
  t.notOk(globToRegExp('a.b').test('axb'));
});

t.test('IPv4 addresses and CIDRs', async (t) => {
  const admit = compileBindings([{ kind: 'match', initiator: null, address: '192.168.1.0/24' }, { kind: 'match', initiator: null, address: '10.0.0.7' }]);
  t.ok(admit('i', '192.168.1.200'));
  t.notOk(admit('i', '192.168.2.1'));
  t.ok(admit('i', '10.0.0.7'));
  t.notOk(admit('i', '10.0.0.8'));
  t.notOk(admit('i', 'not-an-ip'));
  t.ok(compileBindings([{ kind: 'match', initiator: null, address: '0.0.0.0/0' }])('i', '8.8.8.8'));
});

t.test('IPv6, and IPv4-mapped IPv6 both ways', async (t) => {
  const v6 = compileBindings([{ kind: 'match', initiator: null, address: '2001:db8::/32' }]);
  t.ok(v6('i', '2001:db8:1::5'));
  t.notOk(v6('i', '2001:db9::1'));
  t.notOk(v6('i', '10.0.0.1'));
  const v4 = compileBindings([{ kind: 'match', initiator: null, address: '10.0.0.0/8' }]);
  t.ok(v4('i', '::ffff:10.1.2.3'), 'a dual-stack socket reports mapped addresses');
  t.notOk(v4('i', '::ffff:11.1.2.3'));
  const mapped = compileBindings([{ kind: 'match', initiator: null, address: '::ffff:192.168.0.0/112' }]);
  t.ok(mapped('i', '192.168.5.5'));
  t.notOk(mapped('i', '192.169.5.5'));
  const loop = compileBindings([{ kind: 'match', initiator: null, address: '::1' }]);
  t.ok(loop('i', '::1'));
  t.ok(loop('i', '0:0:0:0:0:0:0:1'));
  t.notOk(loop('i', '127.0.0.1'));
  t.same(parseIp('::ffff:1.2.3.4'), { v6: false, value: 0x01020304n });
  t.equal(parseRange('10.0.0.0/33'), null);
  t.equal(parseRange('nope'), null);
});

t.test('initiator and address must both match within one entry', async (t) => {
  const admit = compileBindings([{ kind: 'match', initiator: 'iqn.a:*', address: '10.0.0.0/8' }]);
  t.ok(admit('iqn.a:1', '10.0.0.1'));
  t.notOk(admit('iqn.a:1', '11.0.0.1'));
  t.notOk(admit('iqn.b:1', '10.0.0.1'));
});
