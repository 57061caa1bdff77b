import t from 'tap';
import type { Test } from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagementServer } from '../../../core/management/ManagementServer.js';
import { findClientCommand, runClientCommand } from '../../../core/cli/runClientCommand.js';
import { locateSocket } from '../../../core/cli/locateSocket.js';
import { silentLogger } from '../../../core/log/createLogger.js';
import { FakeManagementView, TARGET } from './FakeManagementView.js';

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'lunhost-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function daemon(t: Test) {
  const dir = tempDir(t);
  const view = new FakeManagementView();
  const socketPath = join(dir, 'state', 'lunhost.sock');
  const server = new ManagementServer(view, { socketPath, log: silentLogger() });
  await server.listen();
  t.teardown(() => server.close());
  return { dir, view, socketPath };
}

async function run(name: string, argv: string[], cwd = '/', env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => { stdout += s; } }, stderr: { write: (s: string) => { stderr += s; } }, cwd, env };
  const command = findClientCommand(name);
  if (!command) throw new Error(`no command ${name}`);
  const code = await runClientCommand(command, argv, io);
  return { code, stdout, stderr };
}

t.test('status: a human summary, or the JSON of /status', async (t) => {
  const { socketPath, view } = await daemon(t);
  const human = await run('status', ['--socket', socketPath]);
  t.equal(human.code, 0, human.stderr);
  t.match(human.stdout, /^lunhost 0\.1\.0, pid 4242, up 1h 2m 5s/);
  t.match(human.stdout, /declaration: \/etc\/lunhost\/targets\.yaml, generation 1/);
  t.match(human.stdout, /last reload: ok start-up at 2026-11-21T20:00:00\.000Z, 3 changes applied/);
  const json = await run('status', ['--socket', socketPath, '--json']);
  t.same(JSON.parse(json.stdout), view.status());
});

t.test('status after a refused reload shows the error with file, line and field', async (t) => {
  const { socketPath, view } = await daemon(t);
  view.refuseNextReload = true;
  const reload = await run('reload', ['--socket', socketPath]);
  t.equal(reload.code, 1, 'a refused reload exits 1');
  t.match(reload.stdout, /FAILED by lunhost reload/);
  const status = await run('status', ['--socket', socketPath]);
  t.equal(status.code, 0);
  t.match(status.stdout, /last reload: FAILED by lunhost reload at .*previous configuration keeps serving/);
  t.match(status.stdout, /\/etc\/lunhost\/targets\.yaml:12:9 targets\[0\]\.luns\[1\]\.size: must be a size like 1GiB, got 'big'/);
});

t.test('reload: applied → exit 0 and the new generation', async (t) => {
  const { socketPath, view } = await daemon(t);
  const r = await run('reload', ['--socket', socketPath]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /1 change applied; generation 2/);
  const j = await run('reload', ['--socket', socketPath, '--json']);
  t.equal(JSON.parse(j.stdout).generation, 3);
  t.same(view.reloads, ['api', 'api']);
});

t.test('show targets|sessions|luns: tables with a header row, or JSON', async (t) => {
  const { socketPath, view } = await daemon(t);
  const targets = await run('show', ['targets', '--socket', socketPath]);
  t.equal(targets.code, 0, targets.stderr);
  const [head, row] = targets.stdout.trimEnd().split('\n');
  t.match(head, /^TARGET\s+ALIAS\s+PORTALS\s+LUNS\s+BINDINGS\s+AUTH\s+SESSIONS$/);
  t.match(row, new RegExp(`^${TARGET.replace(/\./g, '\\.')}\\s+disk "one"\\s+main\\s+1\\s+ALL\\s+chap\\s+1$`));
  const sessions = await run('show', ['sessions', '--socket', socketPath]);
  t.match(sessions.stdout, /iqn\.2026-11\.org\.example:host1\s+127\.0\.0\.1:50000\s+1\s+iscsi-tcp\s+HeaderDigest=None DataDigest=None MaxRecvDataSegmentLength=262144 ImmediateData=Yes/);
  const luns = await run('show', ['luns', '--socket', socketPath]);
  const lines = luns.stdout.trimEnd().split('\n');
  t.match(lines[0], /^TARGET\s+LUN\s+STORE\s+SIZE\s+RO\s+READS\s+READ\s+WRITES\s+WRITTEN\s+OTHER\s+ERRORS\s+P50\s+P99$/);
  t.match(lines[1], /\s1\s+file\s+64MiB\s+no\s+1\s+4KiB\s+1\s+8KiB\s+1\s+1\s+<=256us\s+<=4.1\d*ms$/);
  const json = await run('show', ['luns', '--json', '--socket', socketPath]);
  t.same(JSON.parse(json.stdout), view.luns());
});

t.test('rescan [target [lun]] sends what it was given', async (t) => {
  const { socketPath, view } = await daemon(t);
  const all = await run('rescan', ['--socket', socketPath]);
  t.equal(all.code, 0, all.stderr);
  t.match(all.stdout, /checked 1 LUN, 1 changed size/);
  t.match(all.stdout, /64MiB\s+128MiB/);
  await run('rescan', [TARGET, '1', '--socket', socketPath]);
  t.same(view.rescans, [{ target: null, lun: null }, { target: TARGET, lun: 1 }]);
  const unknown = await run('rescan', ['iqn.2026-11.io.nope:x', '--socket', socketPath]);
  t.equal(unknown.code, 1);
  t.equal(unknown.stderr, 'lunhost rescan: lunhost answered 404: no target iqn.2026-11.io.nope:x\n');
  const bad = await run('rescan', [TARGET, 'one', '--socket', socketPath]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /'one' is not a LUN number/);
});

t.test('no daemon: one line naming the socket, exit 1, no stack trace', async (t) => {
  const dir = tempDir(t);
  const socketPath = join(dir, 'lunhost.sock');
  for (const [name, args] of [['status', []], ['show', ['luns']], ['reload', []], ['rescan', []]] as const) {
    const r = await run(name, [...args, '--socket', socketPath]);
    t.equal(r.code, 1, `${name} exits 1`);
    t.equal(r.stdout, '');
    t.equal(r.stderr.split('\n').length, 2, 'exactly one line');
    t.match(r.stderr, `cannot reach lunhost at ${socketPath} (ENOENT); is lunhost running?`);
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  // A socket file left behind by a dead daemon: refused rather than absent.
  writeFileSync(join(dir, 'plain'), '');
  const r = await run('status', ['--socket', join(dir, 'plain')]);
  t.equal(r.code, 1);
  t.match(r.stderr, /is lunhost running\?/);
});

t.test('bad usage exits 2 with the usage line', async (t) => {
  const show = await run('show', ['--socket', '/nonexistent']);
  t.equal(show.code, 2);
  t.match(show.stderr, /show needs one of targets, sessions, luns\nusage: lunhost show targets\|sessions\|luns/);
  const flag = await run('status', ['--bogus']);
  t.equal(flag.code, 2);
  t.match(flag.stderr, /^lunhost status: Unknown option '--bogus'/);
});

t.test('locateSocket: --socket, $LUNHOST_SOCKET, management.socket, <stateDir>/lunhost.sock', async (t) => {
  const dir = tempDir(t);
  const env = {};
  t.equal(await locateSocket({ socket: 'x.sock', cwd: dir, env }), join(dir, 'x.sock'));
  t.equal(await locateSocket({ cwd: dir, env: { LUNHOST_SOCKET: '/run/l.sock' } }), '/run/l.sock');
  writeFileSync(join(dir, 'targets.yaml'), 'portals: []\ntargets: []\n');
  t.equal(await locateSocket({ cwd: dir, env }), join(dir, 'state', 'lunhost.sock'), 'found in the working directory');
  mkdirSync(join(dir, 'etc'));
  writeFileSync(join(dir, 'etc', 'a.yaml'), 'stateDir: /var/lib/lh\ntargets: []\n');
  t.equal(await locateSocket({ config: 'etc/a.yaml', cwd: dir, env }), '/var/lib/lh/lunhost.sock');
  writeFileSync(join(dir, 'etc', 'b.yaml'), 'management:\n  socket: run/mgmt.sock\ntargets: []\n');
  t.equal(await locateSocket({ config: join(dir, 'etc', 'b.yaml'), cwd: '/', env }), join(dir, 'etc', 'run', 'mgmt.sock'), 'relative to the file');
  writeFileSync(join(dir, 'etc', 'broken.yaml'), 'targets: [\n  - iqn: x\n   bad indent: :\n');
  t.equal(await locateSocket({ config: join(dir, 'etc', 'broken.yaml'), cwd: '/', env }), join(dir, 'etc', 'state', 'lunhost.sock'), 'a file that does not parse: the default next to it');
  await t.rejects(locateSocket({ config: join(dir, 'missing.yaml'), cwd: '/', env }), /file not found/);
});

t.test('a command finds the daemon from --config', async (t) => {
  const { dir } = await daemon(t);
  writeFileSync(join(dir, 'targets.yaml'), 'portals: []\ntargets: []\n');
  const r = await run('status', ['--config', join(dir, 'targets.yaml'), '--json']);
  t.equal(r.code, 0, r.stderr);
  t.equal(JSON.parse(r.stdout).pid, 4242);
  const fromCwd = await run('status', ['--json'], dir);
  t.equal(fromCwd.code, 0, fromCwd.stderr);
});
