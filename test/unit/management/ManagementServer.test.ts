import t from 'tap';
import type { Test } from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagementServer } from '../../../core/management/ManagementServer.js';
import { ManagementClient } from '../../../core/cli/ManagementClient.js';
import { silentLogger } from '../../../core/log/createLogger.js';
import { FakeManagementView, TARGET } from './FakeManagementView.js';

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'lunhost-mgmt-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startServer(t: Test, view = new FakeManagementView()) {
  const socketPath = join(tempDir(t), 'state', 'lunhost.sock');
  const server = new ManagementServer(view, { socketPath, log: silentLogger() });
  await server.listen();
  const client = new ManagementClient(socketPath);
  t.teardown(async () => { await client.close(); await server.close(); });
  return { view, server, client, socketPath };
}

/** A raw HTTP request over the socket, for methods and paths the client never sends. */
function raw(socketPath: string, method: string, path: string, body?: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

t.test('the socket is created with mode 0600 in a new state directory', async (t) => {
  const { socketPath } = await startServer(t);
  const st = statSync(socketPath);
  t.ok(st.isSocket(), 'a Unix socket');
  t.equal(st.mode & 0o777, 0o600);
});

t.test('GET /status, /targets, /sessions, /luns return the view as JSON', async (t) => {
  const { client, view } = await startServer(t);
  t.same(await client.status(), view.status());
  t.same(await client.targets(), view.targets());
  const sessions = await client.sessions();
  t.equal(sessions[0]?.initiatorName, 'iqn.2026-11.org.example:host1');
  t.equal(sessions[0]?.parameters.MaxRecvDataSegmentLength, '262144');
  const luns = await client.luns();
  t.equal(luns[0]?.counters.readBytes, 4096);
  t.equal(luns[0]?.counters.writeOps, 1);
  t.equal(luns[0]?.counters.errors, 1);
  t.equal(luns[0]?.counters.latency.count, 3);
});

t.test('POST /reload: 200 and the result when applied, 422 when refused', async (t) => {
  const { client, view, socketPath } = await startServer(t);
  const ok = await client.reload();
  t.equal(ok.ok, true);
  t.equal(ok.generation, 2);
  t.same(view.reloads, ['api']);
  view.refuseNextReload = true;
  const res = await raw(socketPath, 'POST', '/reload');
  t.equal(res.status, 422);
  const refused = JSON.parse(res.text) as { ok: boolean; issues: { line: number; field: string }[] };
  t.equal(refused.ok, false);
  t.equal(refused.issues[0]?.line, 12);
  t.equal(refused.issues[0]?.field, 'targets[0].luns[1].size');
  t.equal((await client.status()).lastReload?.ok, false, '/status keeps the failed reload');
});

t.test('POST /rescan passes target and LUN; errors are 4xx with a message', async (t) => {
  const { client, view, socketPath } = await startServer(t);
  const all = await client.rescan({ target: null, lun: null });
  t.equal(all.checked, 1);
  t.equal(all.changed[0]?.size, 128 * 2 ** 20);
  await client.rescan({ target: TARGET, lun: 1 });
  t.same(view.rescans, [{ target: null, lun: null }, { target: TARGET, lun: 1 }]);
  await t.rejects(client.rescan({ target: 'iqn.2026-11.io.nope:x', lun: null }), { statusCode: 404, message: /no target iqn\.2026-11\.io\.nope:x/ });
  const bad = await raw(socketPath, 'POST', '/rescan', '{"lun": 1}');
  t.equal(bad.status, 400);
  t.match(JSON.parse(bad.text), { error: /"lun" needs "target"/ });
  const notJson = await raw(socketPath, 'POST', '/rescan', 'target=x');
  t.equal(notJson.status, 400);
});

t.test('unknown endpoints are 404, wrong methods 405 with Allow', async (t) => {
  const { socketPath } = await startServer(t);
  const missing = await raw(socketPath, 'GET', '/nope');
  t.equal(missing.status, 404);
  t.match(JSON.parse(missing.text), { error: /no such endpoint \/nope/ });
  const wrong = await raw(socketPath, 'GET', '/reload');
  t.equal(wrong.status, 405);
  t.equal(wrong.headers.allow, 'POST');
  const post = await raw(socketPath, 'POST', '/status');
  t.equal(post.status, 405);
});

t.test('GET /metrics is Prometheus text with the LUN counters', async (t) => {
  const { socketPath } = await startServer(t);
  const res = await raw(socketPath, 'GET', '/metrics');
  t.equal(res.status, 200);
  t.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  t.match(res.text, `lunhost_lun_read_bytes_total{target="${TARGET}",lun="1"} 4096`);
  t.match(res.text, /^lunhost_config_generation 1$/m);
});

t.test('a stale socket file is replaced; a socket another daemon answers on is refused', async (t) => {
  const dir = tempDir(t);
  const socketPath = join(dir, 'lunhost.sock');
  // A socket file nobody listens on: what a killed daemon leaves behind.
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((r) => child.stdout!.once('data', () => r()));
  const killed = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await killed;
  t.ok(statSync(socketPath).isSocket(), 'the dead daemon left its socket file');
  const first = new ManagementServer(new FakeManagementView(), { socketPath, log: silentLogger() });
  await first.listen();
  t.teardown(() => first.close());
  const client = new ManagementClient(socketPath);
  t.teardown(() => client.close());
  t.equal((await client.status()).pid, 4242, 'the new server answers');
  const second = new ManagementServer(new FakeManagementView(), { socketPath, log: silentLogger() });
  await t.rejects(second.listen(), { message: /is in use: another lunhost runs/ });
});

t.test('a regular file at the socket path is not deleted', async (t) => {
  const dir = tempDir(t);
  const socketPath = join(dir, 'important.txt');
  writeFileSync(socketPath, 'keep me');
  const server = new ManagementServer(new FakeManagementView(), { socketPath, log: silentLogger() });
  await t.rejects(server.listen(), { message: /exists and is not a socket/ });
  t.ok(statSync(socketPath).isFile());
});

t.test('close() removes the socket file', async (t) => {
  const dir = tempDir(t);
  const socketPath = join(dir, 'lunhost.sock');
  const server = new ManagementServer(new FakeManagementView(), { socketPath, log: silentLogger() });
  await server.listen();
  await server.close();
  t.throws(() => statSync(socketPath), { code: 'ENOENT' });
});
