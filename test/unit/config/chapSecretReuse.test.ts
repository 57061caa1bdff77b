import t from 'tap';
import { findChapSecretReuse, type AuthSite } from '../../../core/config/chapSecretReuse.js';
import type { ChapDecl } from '../../../core/config/Declaration.js';

const chap = (username: string, secret: string, secretSource = `file ${username}.secret`): ChapDecl => ({ username, secret, secretSource });

t.test('distinct secrets pass', async (t) => {
  const sites: AuthSite[] = [
    { path: ['targets', 0, 'auth'], auth: { chap: chap('a', 'initiator-secret-a'), mutualChap: chap('ta', 'target-secret-a') } },
    { path: ['targets', 1, 'auth'], auth: { chap: chap('b', 'initiator-secret-b'), mutualChap: null } },
    { path: ['targets', 2, 'auth'], auth: null },
    { path: ['discovery', 'auth'], auth: { chap: chap('d', 'discovery-secret'), mutualChap: chap('td', 'discovery-target-s') } },
  ];
  t.same(findChapSecretReuse(sites), []);
});

t.test('a target secret that is another target\'s initiator secret is refused', async (t) => {
  const r = findChapSecretReuse([
    { path: ['targets', 0, 'auth'], auth: { chap: chap('a', 'shared-secret-123'), mutualChap: null } },
    { path: ['targets', 1, 'auth'], auth: { chap: chap('b', 'initiator-secret-b'), mutualChap: chap('tb', 'shared-secret-123', 'env TB') } },
  ]);
  t.equal(r.length, 1);
  t.same(r[0]!.path, ['targets', 1, 'auth', 'mutualChap']);
  t.match(r[0]!.message, /env TB.*targets\[0\]\.auth\.chap.*RFC 7143/);
  t.notMatch(r[0]!.message, /shared-secret-123/, 'the secret itself is never printed');
});

t.test('discovery counts on both sides', async (t) => {
  const r = findChapSecretReuse([
    { path: ['targets', 0, 'auth'], auth: { chap: chap('a', 'initiator-secret-a'), mutualChap: chap('ta', 'discovery-secret') } },
    { path: ['discovery', 'auth'], auth: { chap: chap('d', 'discovery-secret'), mutualChap: chap('td', 'initiator-secret-a') } },
  ]);
  t.same(r.map((x) => x.path), [['targets', 0, 'auth', 'mutualChap'], ['discovery', 'auth', 'mutualChap']]);
});

t.test('the same block is left to the block check', async (t) => {
  t.same(findChapSecretReuse([
    { path: ['targets', 0, 'auth'], auth: { chap: chap('a', 'same-secret-1234'), mutualChap: chap('t', 'same-secret-1234') } },
  ]), []);
});
