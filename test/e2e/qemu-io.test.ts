/**
 * QEMU's iSCSI driver (libiscsi inside qemu-io / qemu-img) writes patterns at
 * offsets and lengths from 512 B to 8 MiB — deliberately unaligned to the
 * negotiated data segment sizes — reads them back in a new session, and finds
 * them again after the daemon restarts. A hostile socket beside it changes nothing.
 */
import t from 'tap';
import { connect } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LunhostDaemon } from '../helpers/LunhostDaemon.js';
import { runTool } from '../helpers/runTool.js';
import { E2E_IQN, fileTargetYaml } from '../helpers/fileTargetYaml.js';
import { patternVerifyCommands, patternWriteCommands } from '../helpers/qemuIoPatterns.js';

const daemon = await LunhostDaemon.start({
  yaml: (port, dir) => fileTargetYaml(port, dir, [{ lun: 1, file: 'disk.img', size: '64MiB' }]),
});
t.teardown(() => daemon.dispose());
const lunUrl = `${daemon.url}/${E2E_IQN}/1`;

t.test('write patterns at unaligned offsets and lengths, read them back', async (t) => {
  const w = await runTool('qemu-io', ['-f', 'raw', ...patternWriteCommands(), lunUrl]);
  t.equal(w.code, 0, w.stdout + w.stderr);
  t.notMatch(w.stdout, /failed|error/i);
  const r = await runTool('qemu-io', ['-f', 'raw', ...patternVerifyCommands(), lunUrl]);
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.notMatch(r.stdout, /Pattern verification failed/);
});

t.test('a wrong pattern is detected (the check can fail)', async (t) => {
  const r = await runTool('qemu-io', ['-f', 'raw', '-c', 'read -P 0x99 0 512', lunUrl]);
  t.match(r.stdout, /Pattern verification failed/);
});

t.test('data survives a restart of the daemon', async (t) => {
  await daemon.restart();
  const r = await runTool('qemu-io', ['-f', 'raw', ...patternVerifyCommands(), lunUrl]);
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.notMatch(r.stdout, /Pattern verification failed/);
});

t.test('qemu-img copies an image onto the LUN and compares it', async (t) => {
  const src = join(daemon.dir, 'src.raw');
  writeFileSync(src, Buffer.concat([randomBytes(5 << 20), Buffer.alloc(59 << 20)]));
  const info = await runTool('qemu-img', ['info', lunUrl]);
  t.match(info.stdout, /virtual size: 64 MiB \(67108864 bytes\)/);
  const c = await runTool('qemu-img', ['convert', '-n', '-f', 'raw', '-O', 'raw', src, lunUrl]);
  t.equal(c.code, 0, c.stderr);
  const cmp = await runTool('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', src, lunUrl]);
  t.equal(cmp.code, 0, cmp.stdout + cmp.stderr);
  t.match(cmp.stdout, /Images are identical/);
});

t.test('a socket sending garbage does not disturb a concurrent qemu-io session', async (t) => {
  const garbage = connect({ host: '127.0.0.1', port: daemon.port });
  const closed = new Promise<void>((r) => { garbage.on('close', () => r()); garbage.on('error', () => r()); });
  garbage.on('connect', () => {
    for (let i = 0; i < 64; i++) garbage.write(randomBytes(48 + (i % 7) * 100));
  });
  const io = await runTool('qemu-io', ['-f', 'raw', '-c', 'write -P 0x5a 0 4M', '-c', 'read -P 0x5a 0 4M', lunUrl]);
  t.equal(io.code, 0, io.stdout + io.stderr);
  garbage.end();
  await closed;
  const again = await runTool('qemu-io', ['-f', 'raw', '-c', 'read -P 0x5a 0 4M', lunUrl]);
  t.equal(again.code, 0, again.stdout + again.stderr);
});
