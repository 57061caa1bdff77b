/**
 * Rotating CHAP credentials with a reload: the declaration switches the
 * target to another secret file and adds discovery CHAP; once the daemon has
 * applied the change, the old secret is refused and the new one logs in,
 * without a restart.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LunhostDaemon } from '../helpers/LunhostDaemon.js';
import { runTool } from '../helpers/runTool.js';

const IQN = 'iqn.2026-11.io.lunhost.test:chap-reload';
const OLD = 'oldChapSecret-2026';
const NEW = 'newChapSecret-2027';
const DISCOVERY = 'discoveryChap-2027';

function yaml(port: number, dir: string, secretFile: string, discovery: boolean): string {
  return `portals:
  - name: test
    listen: 127.0.0.1:${port}
${discovery ? `discovery:\n  auth:\n    chap: { username: finder, secretFile: discovery.secret }\n` : ''}targets:
  - iqn: ${IQN}
    bindings: [ALL]
    auth:
      chap: { username: rotor, secretFile: ${secretFile} }
    luns:
      - lun: 1
        store: file
        path: ${dir}/disk.img
        size: 16MiB
`;
}

const daemon = await LunhostDaemon.start({
  yaml: (port, dir) => {
    writeFileSync(join(dir, 'old.secret'), OLD);
    writeFileSync(join(dir, 'new.secret'), NEW);
    writeFileSync(join(dir, 'discovery.secret'), DISCOVERY);
    return yaml(port, dir, 'old.secret', false);
  },
});
t.teardown(() => daemon.dispose());
const host = `127.0.0.1:${daemon.port}`;

const inq = (secret: string) => runTool('iscsi-inq', [`iscsi://rotor%${secret}@${host}/${IQN}/1`]);

t.test('the old secret works before the change', async (t) => {
  const r = await inq(OLD);
  t.equal(r.code, 0, r.stdout + r.stderr);
  const ls = await runTool('iscsi-ls', [`iscsi://${host}/`]);
  t.equal(ls.code, 0, 'discovery needs no CHAP yet');
});

t.test('after the reload only the new secret works', async (t) => {
  writeFileSync(daemon.configFile, yaml(daemon.port, daemon.dir, 'new.secret', true));
  let ok = false;
  for (let i = 0; i < 100 && !ok; i++) {
    // Until the change is applied the new secret fails (and is slowed down); keep trying.
    ok = (await inq(NEW)).code === 0;
    if (!ok) await new Promise((r) => setTimeout(r, 200));
  }
  t.ok(ok, 'the new secret logs in');
  const old = await inq(OLD);
  t.not(old.code, 0);
  t.match(old.stdout + old.stderr, /Authentication failure\(513\)/);
  const noCreds = await runTool('iscsi-ls', [`iscsi://${host}/`]);
  t.match(noCreds.stdout + noCreds.stderr, /Authentication failure\(513\)/, 'discovery now needs CHAP');
  const disco = await runTool('iscsi-ls', [`iscsi://finder%${DISCOVERY}@${host}/`]);
  t.equal(disco.code, 0, disco.stdout + disco.stderr);
  t.match(disco.stdout, `Target:${IQN}`);
});
