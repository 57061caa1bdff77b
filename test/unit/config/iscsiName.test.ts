import t from 'tap';
import { checkIscsiName } from '../../../core/config/iscsiName.js';
import { parseListen } from '../../../core/config/parseListen.js';

t.test('valid names', async (t) => {
  for (const n of ['iqn.2026-11.io.lunhost:disk1', 'iqn.2013-10.org.sheepdog-project', 'iqn.1993-08.org.debian:01:abcdef', 'eui.02004567A425678D', 'naa.52004567BA64678D', 'naa.6001405abcdef0123456789abcdef012']) {
    const r = checkIscsiName(n);
    t.equal(r.error, null, n);
    t.equal(r.warning, null, n);
  }
});

t.test('the Curve guide name is accepted with a warning', async (t) => {
  const r = checkIscsiName('iqn.2022-01.org.opencurve_io');
  t.equal(r.error, null);
  t.match(r.warning, /'_'/);
});

t.test('invalid names say why', async (t) => {
  t.match(checkIscsiName('disk1').error, /must start with iqn\., eui\. or naa\./);
  t.match(checkIscsiName('iqn.2026-13.io.lunhost').error, /month/);
  t.match(checkIscsiName('iqn.26-11.io.lunhost').error, /not an IQN/);
  t.match(checkIscsiName('iqn.2026-11.io.LunHost').error, /lower case.*iqn\.2026-11\.io\.lunhost/);
  t.match(checkIscsiName('iqn.2026-11.io..lunhost').error, /reversed domain/);
  t.match(checkIscsiName('iqn.2026-11.io.lunhost:a b').error, /after ':'/);
  t.match(checkIscsiName('eui.1234').error, /16 hex/);
  t.match(checkIscsiName('naa.1234').error, /16 or 32/);
  t.match(checkIscsiName('iqn.2026-11.io.x:' + 'a'.repeat(230)).error, /223 bytes/);
});

t.test('portal listen addresses', async (t) => {
  t.same(parseListen('127.0.0.1:3260', 3260), { host: '127.0.0.1', port: 3260 });
  t.same(parseListen('0.0.0.0', 3260), { host: '0.0.0.0', port: 3260 });
  t.same(parseListen('[::1]:3261', 3260), { host: '::1', port: 3261 });
  t.same(parseListen('[::]', 3260), { host: '::', port: 3260 });
  t.same(parseListen('::1', 3260), { host: '::1', port: 3260 });
  t.same(parseListen('storage.example.com:860', 3260), { host: 'storage.example.com', port: 860 });
  t.same(parseListen('127.0.0.1:0', 3260), { host: '127.0.0.1', port: 0 });
  t.match((parseListen('127.0.0.1:70000', 3260) as Error).message, /0\.\.65535/);
  t.match((parseListen('::1:3260:x', 3260) as Error).message, /\[::1\]:3260/);
  t.match((parseListen(':3260', 3260) as Error).message, /no host/);
  t.match((parseListen('bad_host!:1', 3260) as Error).message, /neither an IP/);
});
