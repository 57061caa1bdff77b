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

t.test('validateDeclaration refuses a target secret reused as an initiator secret elsewhere', async (t) => {
  const { mkdtempSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { parseYamlSource } = await import('../../../core/config/DeclarationSource.js');
  const { validateDeclaration } = await import('../../../core/config/validateDeclaration.js');
  const { ConfigError } = await import('../../../core/config/ConfigError.js');
  const { fakeWorld } = await import('../../fixtures/host/fakes.js');
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'lunhost-chap-reuse-')), 'targets.yaml');
  const yaml = (mutualEnv: string) => `portals:
  - name: local
    listen: 127.0.0.1:3260
discovery:
  auth:
    chap: { username: finder, secretEnv: DISCOVERY }
targets:
  - iqn: iqn.2026-11.io.lunhost:disk1
    bindings: [ALL]
    auth:
      chap: { username: alice, secretEnv: ALICE }
      mutualChap: { username: target, secretEnv: ${mutualEnv} }
    luns: []
`;
  const env = { DISCOVERY: 'discovery-secret-1', ALICE: 'alice-secret-123', TARGET: 'target-secret-45' };
  const validate = async (text: string) => {
    const src = parseYamlSource(file, text);
    if (Array.isArray(src)) throw new Error('YAML did not parse');
    try {
      await validateDeclaration(src, { providers: fakeWorld().providers, env });
      return [];
    } catch (err) {
      if (err instanceof ConfigError) return [...err.issues];
      throw err;
    }
  };
  t.same(await validate(yaml('TARGET')), [], 'distinct secrets are fine');
  const issues = await validate(yaml('DISCOVERY'));
  t.equal(issues.length, 1);
  t.equal(issues[0]!.field, 'targets[0].auth.mutualChap');
  t.equal(issues[0]!.line, 12, 'points at the mutualChap line');
  t.match(issues[0]!.message, /env DISCOVERY.*discovery\.auth\.chap/);
});
