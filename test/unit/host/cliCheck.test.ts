/** `lunhost check FILE` and friends, run as a person would: node dist/core/cli/main.js. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { lunhostRoot } from '../../../core/host/packageInfo.js';

const main = path.join(lunhostRoot(), 'dist/core/cli/main.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'lunhost-cli-'));

function lunhost(args: string[], cwd = dir) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd, encoding: 'utf8', timeout: 30000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const GOOD = `portals:
  - listen: 127.0.0.1:3260
targets:
  - iqn: iqn.2026-11.io.lunhost:disk1
    bindings: [ALL]
    luns:
      - lun: 1
        store: file
        path: ./data/disk1.img
        size: 1GiB
`;

t.test('a valid file: exit 0, a summary on stdout, nothing created', async (t) => {
  writeFileSync(path.join(dir, 'good.yaml'), GOOD);
  const r = lunhost(['check', 'good.yaml']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /good\.yaml: valid \(1 portal\(s\), 1 target\(s\), 1 LUN\(s\)\)/);
});

t.test('a bad file: exit 1, one line per problem as file:line:col field: message', async (t) => {
  writeFileSync(path.join(dir, 'bad.yaml'), GOOD.replace('size: 1GiB', 'size: 1 GB extra').replace('- lun: 1', '- lun: 1\n        colour: red'));
  const r = lunhost(['check', 'bad.yaml']);
  t.equal(r.code, 1);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('bad.yaml:'));
  t.same(lines, [
    "bad.yaml:8:9 targets[0].luns[0].colour: unknown field 'colour' (known fields: path, lun, store, size, readOnly, allowShrink, blockSize, physicalBlockSize, removable, allowSanitize, serial)",
    'bad.yaml:11:15 targets[0].luns[0].size: must be a size like 1GiB, 512MiB, 10G, a number of bytes, or auto',
  ]);
});

t.test('the declaration is found in the working directory; --config works for check', async (t) => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'lunhost-cli-cwd-'));
  writeFileSync(path.join(d, 'targets.yaml'), GOOD);
  t.equal(lunhost(['check'], d).code, 0);
  t.equal(lunhost(['check', '--config', path.join(dir, 'good.yaml')]).code, 0);
  const none = lunhost(['check'], mkdtempSync(path.join(os.tmpdir(), 'lunhost-cli-empty-')));
  t.equal(none.code, 1);
  t.match(none.stderr, /no declaration found/);
});

t.test('start with a bad declaration exits non-zero before listening', async (t) => {
  writeFileSync(path.join(dir, 'bad-start.yaml'), GOOD.replace('iqn.2026-11.io.lunhost:disk1', 'disk1'));
  const r = lunhost(['start', '--config', 'bad-start.yaml']);
  t.equal(r.code, 1);
  t.match(r.stderr, /bad-start\.yaml:4:10 targets\[0\]\.iqn: 'disk1' is not an iSCSI name/);
  t.match(r.stderr, /nothing was started/);
});

t.test('--help, --version, unknown commands', async (t) => {
  const help = lunhost(['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /lunhost check \[FILE\]/);
  t.match(lunhost(['--version']).stdout, /^\d+\.\d+\.\d+/);
  const bad = lunhost(['frobnicate']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /unknown command 'frobnicate'/);
});

t.test('the repository default targets.yaml is valid', async (t) => {
  const r = lunhost(['check', path.join(lunhostRoot(), 'targets.yaml')]);
  t.equal(r.code, 0, r.stderr);
});
