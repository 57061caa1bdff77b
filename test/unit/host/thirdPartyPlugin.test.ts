/**
 * A third-party plugin from its own package directory: a temp project with
 * node_modules/lunhost-plugin-example (a symlink to the fixture) and a
 * targets.yaml listing it. It validates, its schema errors carry lines, and
 * the host serves its 'memory' LUN over the real iSCSI transport.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../helpers/freePort.js';
import t from 'tap';
import { ConfigError } from '../../../core/config/ConfigError.js';
import { Host } from '../../../core/host/Host.js';
import { lunhostRoot } from '../../../core/host/packageInfo.js';
import { silentLogger } from '../../../core/log/createLogger.js';
import type { RootLogger } from '../../../core/log/createLogger.js';

const fixture = path.join(lunhostRoot(), 'test/fixtures/lunhost-plugin-example');
const log: RootLogger = { ...silentLogger(), setLevel: () => {} };

function project(yaml: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lunhost-plugin-'));
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(fixture, path.join(dir, 'node_modules', 'lunhost-plugin-example'), 'dir');
  writeFileSync(path.join(dir, 'targets.yaml'), yaml);
  return dir;
}

function declaration(port: number, lunExtra = '', pluginEntry = '  - lunhost-plugin-example'): string {
  return `plugins:
${pluginEntry}
portals:
  - listen: 127.0.0.1:${port}
targets:
  - iqn: iqn.2026-11.io.lunhost:ram
    bindings: [ALL]
    luns:
      - lun: 1
        store: memory
        size: 8MiB
${lunExtra}`;
}

async function refusal(p: Promise<unknown>): Promise<ConfigError> {
  try { await p; } catch (err) { if (err instanceof ConfigError) return err; throw err; }
  throw new Error('expected a ConfigError');
}

t.test('the plugin package is resolved from the declaration directory and validates', async (t) => {
  const dir = project(declaration(3260, '        fill: 7\n'));
  const host = await Host.create({ cwd: dir, log });
  const { declaration: d } = await host.load();
  t.same(d.plugins, [{ package: 'lunhost-plugin-example', options: {} }]);
  t.same(d.targets[0]!.luns[0]!.options, { fill: 7 });
  t.ok(host.pluginNames().includes('lunhost-plugin-example'));
  t.ok(host.providers.store('memory'));
});

t.test('its schema errors point to the YAML line', async (t) => {
  const dir = project(declaration(3260, '        fill: 300\n        colour: red\n'));
  const host = await Host.create({ cwd: dir, log });
  const err = await refusal(host.load());
  t.same(err.issues.map((i) => [i.field, i.line]), [['targets[0].luns[0].fill', 12], ['targets[0].luns[0].colour', 13]]);
  t.match(err.issues[0]!.message, /must be <= 255/);
  t.match(err.issues[1]!.message, /unknown field 'colour'/);
});

t.test('plugin options are checked against its optionsSchema', async (t) => {
  const dir = project(declaration(3260, '', '  - package: lunhost-plugin-example\n    options:\n      maxBytez: 5'));
  const host = await Host.create({ cwd: dir, log });
  const err = await refusal(host.load());
  t.equal(err.issues[0]!.field, 'plugins[0].options.maxBytez');
  t.equal(err.issues[0]!.line, 4);
  t.match(err.issues[0]!.message, /plugin 'lunhost-plugin-example' option maxBytez: unknown option/);
});

t.test('a missing plugin package says what to do', async (t) => {
  const dir = project(declaration(3260, '', '  - lunhost-plugin-missing'));
  const host = await Host.create({ cwd: dir, log });
  const err = await refusal(host.load());
  t.equal(err.issues[0]!.field, 'plugins[0]');
  t.equal(err.issues[0]!.line, 2);
  t.match(err.issues[0]!.message, /cannot find plugin package 'lunhost-plugin-missing' from .*npm install lunhost-plugin-missing/);
  t.match(err.issues[1]!.message, /no plugin provides store type 'memory'/);
});

t.test('a relative path works too', async (t) => {
  const dir = project(declaration(3260, '', `  - ${path.relative(os.tmpdir(), fixture).startsWith('..') ? fixture : fixture}`));
  const host = await Host.create({ cwd: dir, log });
  await host.load();
  t.ok(host.providers.store('memory'));
  const rel = project(declaration(3260, '', '  - ./node_modules/lunhost-plugin-example'));
  const h2 = await Host.create({ cwd: rel, log });
  await h2.load();
  t.ok(h2.providers.store('memory'));
});

const transportBuilt = existsSync(path.join(lunhostRoot(), 'dist/plugins/transport-iscsi-tcp/index.js'));
t.test('the host starts and serves the memory LUN over iSCSI', { skip: transportBuilt ? false : 'transport-iscsi-tcp not built' }, async (t) => {
  const port = await freePort();
  const dir = project(declaration(port));
  const host = await Host.create({ cwd: dir, log });
  t.teardown(() => host.stop(0));
  const report = await host.start();
  t.same(report.failed.map((f) => f.error?.message), []);
  t.equal(report.portalsListening, 1);
  t.equal(host.state.targets.get('iqn.2026-11.io.lunhost:ram')?.luns.get(1)?.store.size, 8 * 2 ** 20);
  const hasIscsiLs = existsSync('/usr/bin/iscsi-ls');
  if (hasIscsiLs) {
    const { stdout } = await promisify(execFile)('iscsi-ls', ['-s', `iscsi://127.0.0.1:${port}/`], { timeout: 10000 });
    t.match(stdout, /Target:iqn\.2026-11\.io\.lunhost:ram/);
    t.match(stdout, /Lun:1\s+Type:DIRECT_ACCESS \(Size:[78]M\)/);
  }
});
