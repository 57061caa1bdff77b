/**
 * CHAP with libiscsi's own tools: one-way CHAP (secret from a file), mutual
 * CHAP (secret from the environment) with the target credentials given both
 * as URL arguments and as LIBISCSI_CHAP_TARGET_* variables, discovery CHAP
 * (inline secret, with its warning), wrong secrets and names refused with
 * status 0x0201, and a target without CHAP still open to an initiator that
 * offers it. The daemon log never shows a secret.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LunhostDaemon } from '../helpers/LunhostDaemon.js';
import { runTool } from '../helpers/runTool.js';

const ONE_WAY_IQN = 'iqn.2026-11.io.lunhost.test:chap-one-way';
const MUTUAL_IQN = 'iqn.2026-11.io.lunhost.test:chap-mutual';
const OPEN_IQN = 'iqn.2026-11.io.lunhost.test:open';
const SECRETS = {
  oneWay: 'oneWaySecret-123',
  mutualInitiator: 'mutualInitSecret-45',
  mutualTarget: 'mutualTargetSecret-67',
  discovery: 'discoverySecret-89',
};
process.env.LUNHOST_TEST_MUTUAL_SECRET = SECRETS.mutualInitiator;

function lun(dir: string, file: string): string {
  return `    luns:
      - lun: 1
        store: file
        path: ${dir}/${file}
        size: 16MiB`;
}

const daemon = await LunhostDaemon.start({
  yaml: (port, dir) => {
    writeFileSync(join(dir, 'alice.secret'), `${SECRETS.oneWay}\n`);
    writeFileSync(join(dir, 'target.secret'), SECRETS.mutualTarget);
    return `portals:
  - name: test
    listen: 127.0.0.1:${port}
discovery:
  auth:
    chap: { username: finder, secret: ${SECRETS.discovery} }
targets:
  - iqn: ${ONE_WAY_IQN}
    bindings: [ALL]
    auth:
      chap: { username: alice, secretFile: alice.secret }
${lun(dir, 'one.img')}
  - iqn: ${MUTUAL_IQN}
    bindings: [ALL]
    auth:
      chap: { username: bob, secretEnv: LUNHOST_TEST_MUTUAL_SECRET }
      mutualChap: { username: the-target, secretFile: target.secret }
${lun(dir, 'mutual.img')}
  - iqn: ${OPEN_IQN}
    bindings: [ALL]
${lun(dir, 'open.img')}
`;
  },
});
t.teardown(() => daemon.dispose());
const host = `127.0.0.1:${daemon.port}`;
const AUTH_FAILURE = /Authentication failure\(513\)/;

function inq(url: string, env?: NodeJS.ProcessEnv) {
  return runTool('iscsi-inq', [url], env ? { env: { ...process.env, ...env } } : {});
}

t.test('one-way CHAP: the right secret logs in', async (t) => {
  const r = await inq(`iscsi://alice%${SECRETS.oneWay}@${host}/${ONE_WAY_IQN}/1`);
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.match(r.stdout, /Peripheral Device Type:DIRECT_ACCESS/);
});

t.test('one-way CHAP: wrong secret, wrong name, no credentials all get 0x0201', async (t) => {
  for (const url of [
    `iscsi://alice%${SECRETS.oneWay}x@${host}/${ONE_WAY_IQN}/1`,
    `iscsi://mallory%${SECRETS.oneWay}@${host}/${ONE_WAY_IQN}/1`,
    `iscsi://${host}/${ONE_WAY_IQN}/1`,
    // The other target's valid credentials are no good here.
    `iscsi://bob%${SECRETS.mutualInitiator}@${host}/${ONE_WAY_IQN}/1`,
  ]) {
    const r = await inq(url);
    t.not(r.code, 0, url);
    t.match(r.stdout + r.stderr, AUTH_FAILURE, url);
    t.notMatch(r.stdout, /DIRECT_ACCESS/);
  }
});

t.test('mutual CHAP with target credentials in the URL', async (t) => {
  const r = await inq(`iscsi://bob%${SECRETS.mutualInitiator}@${host}/${MUTUAL_IQN}/1?target_user=the-target&target_password=${SECRETS.mutualTarget}`);
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.match(r.stdout, /Peripheral Device Type:DIRECT_ACCESS/);
});

t.test('mutual CHAP with target credentials in LIBISCSI_CHAP_TARGET_*', async (t) => {
  const r = await inq(`iscsi://bob%${SECRETS.mutualInitiator}@${host}/${MUTUAL_IQN}/1`, {
    LIBISCSI_CHAP_TARGET_USERNAME: 'the-target',
    LIBISCSI_CHAP_TARGET_PASSWORD: SECRETS.mutualTarget,
  });
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.match(r.stdout, /Peripheral Device Type:DIRECT_ACCESS/);
});

t.test('mutual CHAP: the initiator rejects a target that does not know its secret', async (t) => {
  const wrongSecret = await inq(`iscsi://bob%${SECRETS.mutualInitiator}@${host}/${MUTUAL_IQN}/1?target_user=the-target&target_password=${SECRETS.mutualTarget}x`);
  t.not(wrongSecret.code, 0);
  t.match(wrongSecret.stdout + wrongSecret.stderr, /Invalid CHAP_R response from the target/);
  const wrongName = await inq(`iscsi://bob%${SECRETS.mutualInitiator}@${host}/${MUTUAL_IQN}/1?target_user=someone-else&target_password=${SECRETS.mutualTarget}`);
  t.not(wrongName.code, 0);
  t.match(wrongName.stdout + wrongName.stderr, /Wrong CHAP targetname/);
});

t.test('mutual CHAP asked of a target that has no mutualChap fails with 0x0201', async (t) => {
  const r = await inq(`iscsi://alice%${SECRETS.oneWay}@${host}/${ONE_WAY_IQN}/1?target_user=the-target&target_password=${SECRETS.mutualTarget}`);
  t.not(r.code, 0);
  t.match(r.stdout + r.stderr, AUTH_FAILURE);
});

t.test('mutual target: a wrong initiator secret still gets 0x0201', async (t) => {
  const r = await inq(`iscsi://bob%${SECRETS.mutualInitiator}x@${host}/${MUTUAL_IQN}/1?target_user=the-target&target_password=${SECRETS.mutualTarget}`);
  t.not(r.code, 0);
  t.match(r.stdout + r.stderr, AUTH_FAILURE);
});

t.test('discovery CHAP: iscsi-ls lists targets only with the discovery secret', async (t) => {
  const ok = await runTool('iscsi-ls', [`iscsi://finder%${SECRETS.discovery}@${host}/`]);
  t.equal(ok.code, 0, ok.stdout + ok.stderr);
  for (const iqn of [ONE_WAY_IQN, MUTUAL_IQN, OPEN_IQN]) t.match(ok.stdout, `Target:${iqn} Portal:${host},1`);
  for (const url of [`iscsi://${host}/`, `iscsi://finder%${SECRETS.discovery}x@${host}/`, `iscsi://alice%${SECRETS.oneWay}@${host}/`]) {
    const r = await runTool('iscsi-ls', [url]);
    t.not(r.code, 0, url);
    t.match(r.stdout + r.stderr, AUTH_FAILURE, url);
    t.notMatch(r.stdout, /Target:/);
  }
});

t.test('a target without CHAP accepts an initiator that offers CHAP (AuthMethod=None)', async (t) => {
  const withCreds = await inq(`iscsi://alice%${SECRETS.oneWay}@${host}/${OPEN_IQN}/1`);
  t.equal(withCreds.code, 0, withCreds.stdout + withCreds.stderr);
  const without = await inq(`iscsi://${host}/${OPEN_IQN}/1`);
  t.equal(without.code, 0, without.stdout + without.stderr);
});

t.test('the daemon log: inline-secret warning, failures counted per address, no secret shown', async (t) => {
  t.match(daemon.log, /CHAP secret written inline/, 'the inline discovery secret is warned about');
  const failures = [...daemon.log.matchAll(/"failures":(\d+)/g)].map((m) => Number(m[1]));
  t.ok(failures.some((n) => n >= 2), `repeated failures from 127.0.0.1 are counted (${failures.join(',')})`);
  for (const s of Object.values(SECRETS)) t.notMatch(daemon.log, s, 'secret not in the log');
});
