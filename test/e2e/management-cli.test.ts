/**
 * The management API and the `lunhost` client commands against a running
 * daemon: `lunhost status` and `lunhost show luns` (tables and --json) find
 * the daemon from `--config FILE` (the socket defaults to
 * <stateDir>/lunhost.sock next to the declaration), I/O shows in the LUN
 * counters and /metrics, the socket is 0600, and a stopped daemon gets the
 * one-line "is lunhost running?" answer.
 */
import t from 'tap';
import { statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { LunhostDaemon } from '../helpers/LunhostDaemon.js';
import { runTool } from '../helpers/runTool.js';
import { E2E_IQN, fileTargetYaml } from '../helpers/fileTargetYaml.js';
import { lunhost, waitForSocket } from '../helpers/lunhostCli.js';

const daemon = await LunhostDaemon.start({
  yaml: (port, dir) => fileTargetYaml(port, dir, [{ lun: 1, file: 'one.img', size: '16MiB' }]),
});
t.teardown(() => daemon.dispose());
const socketPath = join(daemon.dir, 'state', 'lunhost.sock');
await waitForSocket(socketPath);

t.test('the management socket is a Unix socket with mode 0600', async (t) => {
  const st = statSync(socketPath);
  t.ok(st.isSocket());
  t.equal(st.mode & 0o777, 0o600);
});

t.test('lunhost status --config FILE: version, declaration, generation 1', async (t) => {
  const r = await lunhost(['status', '--config', daemon.configFile]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^lunhost \d+\.\d+\.\d+, pid \d+, up /);
  t.match(r.stdout, `declaration: ${daemon.configFile}, generation 1`);
  t.match(r.stdout, /serving: +1 target, 1 LUN/);
  t.match(r.stdout, /last reload: ok start-up at /);
  const j = await lunhost(['status', '--json'], { cwd: daemon.dir });
  t.equal(j.code, 0, j.stderr);
  const status = JSON.parse(j.stdout) as { configFile: string; generation: number; lastReload: { ok: boolean; trigger: string } };
  t.equal(status.configFile, daemon.configFile, 'found from the working directory too');
  t.equal(status.generation, 1);
  t.match(status.lastReload, { ok: true, trigger: 'start' });
});

t.test('I/O shows in `lunhost show luns` and in /metrics', async (t) => {
  const url = `${daemon.url}/${E2E_IQN}/1`;
  const io = await runTool('qemu-io', ['-f', 'raw', '-c', 'write -P 0x5a 0 64k', '-c', 'read -P 0x5a 0 64k', '-c', 'read 64k 4k', url]);
  t.equal(io.code, 0, io.stderr + io.stdout);
  const j = await lunhost(['show', 'luns', '--json', '--config', daemon.configFile]);
  t.equal(j.code, 0, j.stderr);
  const luns = JSON.parse(j.stdout) as { target: string; lun: number; size: number; counters: { readOps: number; readBytes: number; writeOps: number; writeBytes: number; latency: { count: number } } }[];
  const lun1 = luns.find((l) => l.target === E2E_IQN && l.lun === 1);
  t.ok(lun1, 'LUN 1 listed');
  t.equal(lun1?.size, 16 * 2 ** 20);
  t.ok((lun1?.counters.writeOps ?? 0) >= 1, 'writes counted');
  t.ok((lun1?.counters.writeBytes ?? 0) >= 65536, 'written bytes counted');
  t.ok((lun1?.counters.readBytes ?? 0) >= 65536 + 4096, 'read bytes counted');
  t.ok((lun1?.counters.latency.count ?? 0) >= 3, 'latencies recorded');
  const table = await lunhost(['show', 'luns', '--config', daemon.configFile]);
  t.equal(table.code, 0, table.stderr);
  t.match(table.stdout, /^TARGET\s+LUN\s+STORE\s+SIZE\s+RO\s+READS/);
  t.match(table.stdout, new RegExp(`${E2E_IQN.replace(/\./g, '\\.')}\\s+1\\s+file\\s+16MiB\\s+no\\s+\\d+`));
  const metrics = await httpGet(socketPath, '/metrics');
  t.match(metrics, /^# TYPE lunhost_lun_write_bytes_total counter$/m);
  const written = new RegExp(`^lunhost_lun_write_bytes_total\\{target="${E2E_IQN.replace(/\./g, '\\.')}",lun="1"\\} (\\d+)$`, 'm').exec(metrics);
  t.ok(written && Number(written[1]) >= 65536, 'written bytes in /metrics');
});

t.test('show targets lists the target and its LUN', async (t) => {
  const r = await lunhost(['show', 'targets', '--config', daemon.configFile]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, new RegExp(`${E2E_IQN.replace(/\./g, '\\.')}\\s+-\\s+test\\s+1\\s+ALL\\s+none\\s+\\d+`));
});

t.test('show sessions lists a logged-in initiator with its negotiated parameters', async (t) => {
  // qemu-io holds its session while it sleeps.
  const holder = runTool('qemu-io', ['-f', 'raw', '-c', 'read 0 4k', '-c', 'sleep 4000', `${daemon.url}/${E2E_IQN}/1`]);
  let listed: { targetName: string | null; initiatorName: string; remoteAddress: string; connections: number; parameters: Record<string, string> }[] = [];
  for (let i = 0; i < 30 && listed.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const r = await lunhost(['show', 'sessions', '--json', '--config', daemon.configFile]);
    t.equal(r.code, 0, r.stderr);
    listed = (JSON.parse(r.stdout) as typeof listed).filter((s) => s.targetName === E2E_IQN);
  }
  t.equal(listed.length, 1, 'one session on the target');
  t.match(listed[0], { initiatorName: /^iqn\./, remoteAddress: /127\.0\.0\.1/, connections: 1 });
  t.ok(Object.keys(listed[0]?.parameters ?? {}).length > 0, 'negotiated parameters reported');
  const table = await lunhost(['show', 'sessions', '--config', daemon.configFile]);
  t.match(table.stdout, /^TARGET\s+INITIATOR\s+ADDRESS\s+CONNS\s+TRANSPORT\s+PARAMETERS$/m);
  t.match(table.stdout, new RegExp(`${E2E_IQN.replace(/\./g, '\\.')}\\s+iqn\\.\\S+\\s+127\\.0\\.0\\.1`));
  const done = await holder;
  t.equal(done.code, 0, done.stderr);
});

t.test('a stopped daemon: one line, exit 1', async (t) => {
  await daemon.stop();
  const r = await lunhost(['status', '--config', daemon.configFile]);
  t.equal(r.code, 1);
  t.equal(r.stdout, '');
  t.equal(r.stderr, `lunhost status: cannot reach lunhost at ${socketPath} (ENOENT); is lunhost running? (start it with \`lunhost start\`, or pass --socket/--config)\n`);
});

function httpGet(socket: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ socketPath: socket, path }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve(text));
    }).on('error', reject).end();
  });
}
