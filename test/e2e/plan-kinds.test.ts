/**
 * One edit with every kind of change, planned against a live daemon while an
 * initiator is logged in, then applied by saving the file: a portal and a
 * target added, a binding that no longer admits the logged-in initiator,
 * CHAP set, a LUN removed and a LUN option (readOnly) changed. The printed
 * plan names who is disturbed and how; after the reload what runs is what
 * is declared (the next plan is empty) and the initiator was logged out.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagementClient } from '../../core/cli/ManagementClient.js';
import { freePort } from '../helpers/freePort.js';
import { LunhostDaemon } from '../helpers/LunhostDaemon.js';
import { eventually, lunhost, waitForSocket } from '../helpers/lunhostCli.js';
import { RawIscsiInitiator } from '../helpers/RawIscsiInitiator.js';
import { runTool } from '../helpers/runTool.js';

const T1 = 'iqn.2026-11.io.lunhost.test:kinds';
const T2 = 'iqn.2026-11.io.lunhost.test:added';
const INITIATOR = 'iqn.2026-11.org.example:raw';

function yaml(port: number, dir: string, o: { edited: boolean; port2?: number }): string {
  const lun = (n: number, file: string, more = '') => `      - lun: ${n}\n        store: file\n        path: ${dir}/${file}\n        size: 8MiB\n${more}`;
  if (!o.edited) {
    return `portals:
  - name: test
    listen: 127.0.0.1:${port}
targets:
  - iqn: ${T1}
    bindings: [ALL]
    luns:
${lun(1, 'one.img')}${lun(2, 'two.img')}`;
  }
  return `portals:
  - name: test
    listen: 127.0.0.1:${port}
  - name: second
    listen: 127.0.0.1:${o.port2}
targets:
  - iqn: ${T1}
    bindings:
      - initiator: iqn.2026-11.org.example:other
    auth:
      chap: { username: kinds-user, secretFile: t1.secret }
    luns:
${lun(1, 'one.img', '        readOnly: true\n')}
  - iqn: ${T2}
    bindings: [ALL]
    luns:
${lun(1, 't2.img')}`;
}

const daemon = await LunhostDaemon.start({
  yaml: (port, dir) => {
    writeFileSync(join(dir, 't1.secret'), 'kindsChapSecret-2026\n');
    return yaml(port, dir, { edited: false });
  },
});
t.teardown(() => daemon.dispose());
const socketPath = join(daemon.dir, 'state', 'lunhost.sock');
await waitForSocket(socketPath);
const client = new ManagementClient(socketPath);
t.teardown(() => client.close());
const port2 = await freePort();
const edited = yaml(daemon.port, daemon.dir, { edited: true, port2 });
const editedFile = join(daemon.dir, 'edited.yaml');
writeFileSync(editedFile, edited);

const initiator = await RawIscsiInitiator.connect(daemon.port);
t.teardown(() => initiator.close());

t.test('an initiator is logged in to the target', async (t) => {
  const login = await initiator.login(INITIATOR, T1);
  t.equal(login.statusClass, 0, 'login accepted');
  t.ok(await eventually(async () => (await client.status()).sessions === 1), 'the daemon counts its session');
});

t.test('the plan says what changes and whom it disturbs', async (t) => {
  const r = await lunhost(['plan', editedFile], { cwd: daemon.dir });
  t.equal(r.code, 2, r.stderr);
  const out = r.stdout;
  t.match(out, /against the running lunhost \(generation 1, 1 session logged in\)/);
  t.match(out, new RegExp(`^  \\+ portal second \\(iscsi-tcp, listen 127\\.0\\.0\\.1:${port2}\\)$`, 'm'));
  t.match(out, new RegExp(`^\\* ~ target ${T1} bindings: ALL → iqn\\.2026-11\\.org\\.example:other; initiator ${INITIATOR} \\([^)]*127\\.0\\.0\\.1[^)]*\\) will be logged out$`, 'm'));
  t.match(out, new RegExp(`^\\* ~ target ${T1} auth: none → CHAP user kinds-user \\(secret from file t1\\.secret\\); new logins need the new credentials; the 1 session logged in stays$`, 'm'));
  t.match(out, new RegExp(`^\\* - lun 2 \\(file ${daemon.dir}/two\\.img; in-flight commands drain first; 1 session will see REPORTED LUNS DATA HAS CHANGED\\)$`, 'm'));
  t.match(out, /^\* ~ lun 1 readOnly false → true \(the LUN is detached \(in-flight commands drain\) and attached again with the new settings; 1 session will see REPORTED LUNS DATA HAS CHANGED\)$/m);
  t.match(out, new RegExp(`^target ${T2}\\n  \\+ target ${T2} \\(portals test, second; bindings ALL; auth none\\)\\n  \\+ lun 1 \\(file ${daemon.dir}/t2\\.img, 8 MiB\\)$`, 'm'));
  t.notMatch(out, /kindsChapSecret/, 'never the secret');
  t.match(out, /6 changes, 3 disturbing connected initiators \(marked \*\)/);
  t.equal((await client.status()).sessions, 1, 'planning logged nobody out');
  t.equal((await client.status()).generation, 1);
});

t.test('saving the file applies that plan: the declared state runs, the initiator is logged out', async (t) => {
  writeFileSync(daemon.configFile, edited);
  t.ok(await eventually(async () => (await client.status()).generation === 2), 'the watcher applied it');
  const last = await client.lastPlan();
  t.match(last, { trigger: 'file', ok: true, summary: { changes: 6, applied: 6, failed: 0 } });
  t.ok(await initiator.closedWithin(10_000), 'the initiator no longer admitted was logged out');
  const targets = await client.targets();
  t.same(targets.map((x) => `${x.name} ${x.luns.join(',')} ${x.auth} ${x.bindings.join(',')} ${x.portals.join(',')}`).sort(), [
    `${T2} 1 none ALL test,second`,
    `${T1} 1 chap iqn.2026-11.org.example:other test,second`,
  ].sort());
  const luns = await client.luns();
  t.match(luns.find((l) => l.target === T1 && l.lun === 1), { readOnly: true });
  const ls = await runTool('iscsi-ls', [`iscsi://127.0.0.1:${port2}/`]);
  t.match(ls.stdout, T2, 'the new portal serves the new target');
  const again = await lunhost(['plan'], { cwd: daemon.dir });
  t.equal(again.code, 0, again.stdout + again.stderr);
  t.match(again.stdout, /No changes/);
});
