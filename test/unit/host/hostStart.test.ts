/**
 * Start-up with the real built-in plugins: a backing file that cannot be
 * opened fails only its LUN; a portal already in use fails only that portal;
 * when no portal can listen, `lunhost start` exits non-zero.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../helpers/freePort.js';
import t from 'tap';
import { Host } from '../../../core/host/Host.js';
import { lunhostRoot } from '../../../core/host/packageInfo.js';
import { silentLogger, type RootLogger } from '../../../core/log/createLogger.js';

const log: RootLogger = { ...silentLogger(), setLevel: () => {} };
const built = existsSync(path.join(lunhostRoot(), 'dist/plugins/transport-iscsi-tcp/index.js')) && existsSync(path.join(lunhostRoot(), 'dist/plugins/store-file/index.js'));
const T = 'iqn.2026-11.io.lunhost:start';

async function listening(): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;
const close = (s: net.Server) => new Promise<void>((resolve) => s.close(() => resolve()));

function project(yaml: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lunhost-start-'));
  writeFileSync(path.join(dir, 'targets.yaml'), yaml);
  return dir;
}

t.test('an unreadable backing file fails only its LUN', { skip: built ? false : 'built-in plugins not built' }, async (t) => {
  const port = await freePort();
  const dir = project(`portals:
  - listen: 127.0.0.1:${port}
targets:
  - iqn: ${T}
    bindings: [ALL]
    luns:
      - lun: 1
        store: file
        path: ./not-a-file
        size: 1MiB
      - lun: 2
        store: file
        path: ./data/ok.img
        size: 1MiB
`);
  mkdirSync(path.join(dir, 'not-a-file'));
  const host = await Host.create({ cwd: dir, log });
  t.teardown(() => host.stop(0));
  const report = await host.start();
  t.equal(report.failed.length, 1);
  t.match(report.failed[0]!.error?.message, /LUN 1 of iqn\.2026-11\.io\.lunhost:start \(targets\[0\]\.luns\[0\]\) not attached: cannot open file \.\/not-a-file/);
  t.same([...host.state.targets.get(T)!.luns.keys()], [2]);
  t.equal(report.portalsListening, 1);
  t.ok(existsSync(path.join(dir, 'data/ok.img')), 'the good LUN created its sparse file');
});

t.test('a portal already in use fails only that portal', { skip: built ? false : 'built-in plugins not built' }, async (t) => {
  const busy = await listening();
  t.teardown(() => close(busy));
  const free = await freePort();
  const dir = project(`portals:
  - name: taken
    listen: 127.0.0.1:${portOf(busy)}
  - name: fine
    listen: 127.0.0.1:${free}
targets:
  - iqn: ${T}
    bindings: [ALL]
    luns: []
`);
  const host = await Host.create({ cwd: dir, log });
  t.teardown(() => host.stop(0));
  const report = await host.start();
  t.equal(report.failed.length, 1);
  t.match(report.failed[0]!.error?.message, new RegExp(`portal taken \\(127\\.0\\.0\\.1:${portOf(busy)}, iscsi-tcp\\) cannot listen: .*another program`));
  t.same([...host.state.portals.keys()], ['fine']);
  t.equal(report.portalsListening, 1);
});

t.test('lunhost start exits non-zero when no portal can listen', { skip: built ? false : 'built-in plugins not built' }, async (t) => {
  const busy = await listening();
  t.teardown(() => close(busy));
  const dir = project(`portals:
  - name: taken
    listen: 127.0.0.1:${portOf(busy)}
targets:
  - iqn: ${T}
    bindings: [ALL]
    luns: []
`);
  const r = spawnSync(process.execPath, [path.join(lunhostRoot(), 'dist/core/cli/main.js'), 'start'], { cwd: dir, encoding: 'utf8', timeout: 30000 });
  t.equal(r.status, 1);
  t.match(r.stderr, /portal taken .* cannot listen/);
  t.match(r.stderr, /no portal could listen/);
});

t.test('reload: an invalid declaration changes nothing; a valid one applies the difference', { skip: built ? false : 'built-in plugins not built' }, async (t) => {
  const port = await freePort();
  const yaml = (luns: string) => `portals:
  - listen: 127.0.0.1:${port}
targets:
  - iqn: ${T}
    bindings: [ALL]
    luns:
${luns}`;
  const lun = (n: number, size: string) => `      - lun: ${n}\n        store: file\n        path: ./data/${n}.img\n        size: ${size}\n`;
  const dir = project(yaml(lun(1, '1MiB')));
  const host = await Host.create({ cwd: dir, log });
  t.teardown(() => host.stop(0));
  await host.start();
  const before = host.current();
  writeFileSync(path.join(dir, 'targets.yaml'), yaml(lun(1, '1MiB') + '        colour: red\n'));
  await t.rejects(host.reload(), { name: 'ConfigError', message: /colour/ });
  t.equal(host.current(), before, 'the running declaration is unchanged');
  writeFileSync(path.join(dir, 'targets.yaml'), yaml(lun(1, '2MiB') + lun(2, '1MiB')));
  const r = await host.reload();
  t.same(r.plan.actions.map((a) => a.kind), ['resize-lun', 'add-lun']);
  t.same(r.failed, []);
  const target = host.state.targets.get(T)!;
  t.same([...target.luns.keys()].sort(), [1, 2]);
  t.equal(target.luns.get(1)!.store.size, 2 * 2 ** 20);
});
