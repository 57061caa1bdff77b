/**
 * iSCSI → Curve LUN end to end: the real lunhost daemon serves a `store: curve`
 * LUN through the nebd test server (baidu_std over a Unix socket, backed by a
 * local file); QEMU's iSCSI driver and libiscsi's tools are the initiators.
 * Covers write/read-verify, discard, a resize seen by READ CAPACITY 16 after
 * `lunhost rescan`, heartbeats, and a nebd-server restart in the middle of
 * I/O (the initiator sees success or an error, never silent loss).
 */
import t from 'tap';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, LunhostDaemon } from '../helpers/LunhostDaemon.js';
import { runTool } from '../helpers/runTool.js';
import { NebdTestServer } from '../fixtures/nebd-server/NebdTestServer.js';
import { fileBytes } from '../helpers/fileBytes.js';

const IQN = 'iqn.2026-11.io.lunhost.test:curve';
const VOLUME = 'cbd:pool//iscsi_test_';
const MiB = 1 << 20;

const nebdDir = mkdtempSync(join(tmpdir(), 'nebd-e2e-'));
const volumePath = join(nebdDir, 'iscsi_test.img');
writeFileSync(volumePath, '');
truncateSync(volumePath, 64 * MiB);
// A second volume, served with a short retry budget: an outage reaches the initiator as an error.
const VOLUME2 = 'cbd:pool//iscsi_short_';
const volume2Path = join(nebdDir, 'iscsi_short.img');
writeFileSync(volume2Path, '');
truncateSync(volume2Path, 16 * MiB);
const server = new NebdTestServer(join(nebdDir, 'nebd.sock'), new Map([[VOLUME, volumePath], [VOLUME2, volume2Path]]));
await server.start();
t.teardown(async () => {
  await server.stop();
  rmSync(nebdDir, { recursive: true, force: true });
});

const daemon = await LunhostDaemon.start({
  yaml: (port) => `portals:
  - name: test
    listen: 127.0.0.1:${port}
targets:
  - iqn: ${IQN}
    bindings: [ALL]
    luns:
      - lun: 1
        store: curve
        backing: ${VOLUME}
        socket: ${server.socketPath}
        heartbeatIntervalMs: 200
        timeoutMs: 2000
        retry:
          budgetMs: 20000
      - lun: 2
        store: curve
        backing: ${VOLUME2}
        socket: ${server.socketPath}
        timeoutMs: 500
        retry:
          budgetMs: 500
`,
});
t.teardown(() => daemon.dispose());
const lunUrl = `${daemon.url}/${IQN}/1`;

function volumeBytes(offset: number, length: number, file = volumePath): Buffer {
  return fileBytes(file, offset, length);
}

/** Bytes of the LUN as READ CAPACITY 16 reports them (libiscsi prints "Total size:N"). */
async function readCapacity16(): Promise<{ bytes: number; lbprz: number; raw: string }> {
  const r = await runTool('iscsi-readcapacity16', [lunUrl]);
  const total = /Total size:\s*(\d+)/i.exec(r.stdout);
  const lbprz = /LBPRZ:\s*(\d)/i.exec(r.stdout);
  return { bytes: total ? Number(total[1]) : -1, lbprz: lbprz ? Number(lbprz[1]) : -1, raw: r.stdout + r.stderr };
}

// Parts of the stack other helpers are still building: probe for them, and
// report these checks as todo (not passed) while they are missing.
const vpdB2 = await runTool('iscsi-inq', ['-e', '1', '-c', String(0xb2), lunUrl]);
const unmapAdvertised = /LBPU:\s*1/i.test(vpdB2.stdout);
const cliHelp = await runTool(process.execPath, [CLI, '--help']);
const rescanCommand = /\brescan\b/.test(cliHelp.stdout + cliHelp.stderr);

t.test('the LUN has the volume size (size: auto, from GetInfo)', async (t) => {
  const cap = await readCapacity16();
  t.equal(cap.bytes, 64 * MiB, cap.raw);
  t.equal(cap.lbprz, 0, 'Curve does not promise zeros after discard');
});

t.test('qemu-io writes patterns and reads them back; the bytes are in the Curve volume', async (t) => {
  const w = await runTool('qemu-io', ['-f', 'raw', '-c', 'write -P 0x5a 0 65536', '-c', `write -P 0xa5 ${MiB + 512} ${3 * MiB}`, lunUrl]);
  t.equal(w.code, 0, w.stdout + w.stderr);
  t.notMatch(w.stdout, /failed|error/i);
  const r = await runTool('qemu-io', ['-f', 'raw', '-c', 'read -P 0x5a 0 65536', '-c', `read -P 0xa5 ${MiB + 512} ${3 * MiB}`, '-c', `read -P 0 ${8 * MiB} 65536`, lunUrl]);
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.notMatch(r.stdout, /Pattern verification failed/);
  t.ok(volumeBytes(0, 65536).every((b) => b === 0x5a), 'first pattern in the volume file');
  t.ok(volumeBytes(MiB + 512, 3 * MiB).every((b) => b === 0xa5), 'second pattern in the volume file');
  const bad = await runTool('qemu-io', ['-f', 'raw', '-c', 'read -P 0x99 0 512', lunUrl]);
  t.match(bad.stdout, /Pattern verification failed/, 'a wrong pattern is detected');
});

t.test('discard reaches nebd as Discard', unmapAdvertised ? {} : { todo: 'core/scsi does not advertise UNMAP yet (VPD B2 LBPU=0)' }, async (t) => {
  const before = server.callCount('Discard');
  const d = await runTool('qemu-io', ['-f', 'raw', '-d', 'unmap', '-c', 'discard 0 65536', lunUrl]);
  t.equal(d.code, 0, d.stdout + d.stderr);
  t.ok(server.callCount('Discard') > before, `Discard calls: ${server.callCount('Discard') - before}`);
  t.ok(volumeBytes(0, 65536).every((b) => b === 0), 'the test server zero-filled the range');
});

t.test('heartbeats reach nebd-server from the daemon process', async (t) => {
  const deadline = Date.now() + 5000;
  while (server.heartbeats.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const hb = server.heartbeats.at(-1);
  t.ok(hb, 'heartbeats seen');
  t.not(hb?.pid, process.pid, 'from the daemon, not from the test');
  t.same(hb?.files.map((f) => f.name).sort(), [VOLUME2, VOLUME].sort(), 'both open volumes listed');
});

t.test('a volume grown outside is picked up by lunhost rescan (READ CAPACITY 16)', rescanCommand ? {} : { todo: 'the lunhost CLI has no rescan command yet' }, async (t) => {
  truncateSync(volumePath, 96 * MiB); // `curve extend`
  const r = await runTool(process.execPath, [CLI, 'rescan', '--config', daemon.configFile]);
  t.equal(r.code, 0, r.stdout + r.stderr);
  const cap = await readCapacity16();
  t.equal(cap.bytes, 96 * MiB, cap.raw);
  const w = await runTool('qemu-io', ['-f', 'raw', '-c', `write -P 0x3c ${90 * MiB} 65536`, '-c', `read -P 0x3c ${90 * MiB} 65536`, lunUrl]);
  t.equal(w.code, 0, w.stdout + w.stderr);
  t.notMatch(w.stdout, /failed|error/i, 'the grown space is usable');
});

t.test('nebd-server restarts in the middle of I/O: writes are retried, never silently lost', async (t) => {
  const cmds = Array.from({ length: 32 }, (_, i) => ['-c', `write -P ${0x40 + i} ${16 * MiB + i * MiB} ${MiB}`]).flat();
  const openBefore = server.callCount('OpenFile');
  const writer = runTool('qemu-io', ['-f', 'raw', ...cmds, lunUrl]);
  // Let some writes through, then take nebd-server down for a moment.
  const deadline = Date.now() + 10_000;
  const writesBefore = server.callCount('Write');
  while (server.callCount('Write') < writesBefore + 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await server.restart(500);
  const writesAtRestart = server.callCount('Write');
  const w = await writer;
  t.ok(server.callCount('Write') > writesAtRestart, 'writes continued after the restart (it hit the middle of the I/O)');
  t.ok(server.callCount('OpenFile') > openBefore, 'the daemon re-opened the volume');
  const failed = /failed|error/i.test(w.stdout + w.stderr);
  if (w.code === 0 && !failed) {
    for (let i = 0; i < 32; i++) {
      t.ok(volumeBytes(16 * MiB + i * MiB, MiB).every((b) => b === 0x40 + i), `write ${i} acknowledged and present`);
    }
  } else {
    t.pass(`the initiator was told about a failure: ${w.stdout.slice(-300)} ${w.stderr.slice(-300)}`);
  }
  // Either way, the LUN works again afterwards.
  const v = await runTool('qemu-io', ['-f', 'raw', '-c', `write -P 0x77 ${60 * MiB} 65536`, '-c', `read -P 0x77 ${60 * MiB} 65536`, lunUrl]);
  t.equal(v.code, 0, v.stdout + v.stderr);
  t.notMatch(v.stdout, /failed|error/i);
});

t.test('nebd-server down longer than the retry budget: the initiator gets an error, nothing is written', async (t) => {
  const lun2 = `${daemon.url}/${IQN}/2`;
  await server.stop();
  const w = await runTool('qemu-io', ['-f', 'raw', '-c', 'write -P 0x6b 0 65536', lun2], { timeoutMs: 60_000 });
  await server.start();
  t.ok(w.code !== 0 || /failed|error/i.test(w.stdout + w.stderr), `qemu-io reported the failure: ${w.stdout} ${w.stderr}`);
  t.ok(volumeBytes(0, 65536, volume2Path).every((b) => b === 0), 'nothing written while nebd-server was down');
  const again = await runTool('qemu-io', ['-f', 'raw', '-c', 'write -P 0x6c 0 65536', '-c', 'read -P 0x6c 0 65536', lun2]);
  t.equal(again.code, 0, again.stdout + again.stderr);
  t.notMatch(again.stdout, /failed|error/i, 'works again once nebd-server is back');
  t.ok(volumeBytes(0, 65536, volume2Path).every((b) => b === 0x6c));
});
