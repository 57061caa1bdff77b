/**
 * Graceful shutdown with I/O in flight: SIGTERM while qemu-io writes a run
 * of 16 KiB blocks (once the management API's LUN counters show some); the daemon exits
 * 0, and after a restart every write qemu-io saw acknowledged reads back
 * with its pattern.
 */
import t from 'tap';
import { LunhostDaemon } from '../helpers/LunhostDaemon.js';
import { spawn } from 'node:child_process';
import { runTool } from '../helpers/runTool.js';
import { join } from 'node:path';
import { waitForSocket } from '../helpers/lunhostCli.js';
import { ManagementClient } from '../../core/cli/ManagementClient.js';
import { E2E_IQN, fileTargetYaml } from '../helpers/fileTargetYaml.js';

const WRITES = 1500;
const BLOCK = 16 * 1024;

const daemon = await LunhostDaemon.start({
  yaml: (port, dir) => fileTargetYaml(port, dir, [{ lun: 1, file: 'one.img', size: '32MiB' }]),
});
await waitForSocket(join(daemon.dir, 'state', 'lunhost.sock'));
t.teardown(() => daemon.dispose());

t.test('SIGTERM during writes: exit 0, no acknowledged write lost', async (t) => {
  const url = `${daemon.url}/${E2E_IQN}/1`;
  const pattern = (i: number) => (i % 250) + 1;
  const args = ['-f', 'raw'];
  for (let i = 0; i < WRITES; i++) args.push('-c', `write -P ${pattern(i)} ${i * BLOCK} ${BLOCK}`);
  args.push(url);
  // Line-buffered, so every acknowledgement printed before qemu-io is stopped reaches us.
  const child = spawn('stdbuf', ['-oL', 'qemu-io', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.resume();
  const writer = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Let some writes through (the LUN counters of the management API say when), then stop the daemon under them.
  const client = new ManagementClient(join(daemon.dir, 'state', 'lunhost.sock'));
  for (let i = 0; i < 500; i++) {
    const luns = await client.luns();
    if ((luns[0]?.counters.writeOps ?? 0) >= 10) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  await client.close();
  const code = await daemon.stop();
  t.equal(code, 0, 'graceful exit');
  // libiscsi keeps trying to reconnect to the stopped portal; what it printed so far is what counts.
  const killer = setTimeout(() => child.kill('SIGTERM'), 2000);
  await writer;
  clearTimeout(killer);
  // qemu-io prints one "wrote N/N bytes at offset X" per acknowledged write, in order.
  const acked = [...out.matchAll(/wrote (\d+)\/\d+ bytes at offset (\d+)/g)].map((m) => Number(m[2]));
  t.comment(`${acked.length} of ${WRITES} writes acknowledged before the stop`);
  t.ok(acked.length > 0, 'some writes were acknowledged before the stop');
  t.ok(daemon.log.includes('SIGTERM: shutting down'), 'the shutdown was the graceful one');
  await daemon.restart();
  // Each write has its own offset (WRITES * BLOCK fits the 32 MiB LUN), so the offset says which pattern it wrote.
  const expected = new Map<number, number>();
  for (const offset of acked) expected.set(offset, pattern(offset / BLOCK));
  const reads: string[] = ['-f', 'raw'];
  for (const [offset, p] of expected) reads.push('-c', `read -P ${p} ${offset} ${BLOCK}`);
  reads.push(url);
  const r = await runTool('qemu-io', reads);
  t.equal(r.code, 0, r.stderr);
  t.notMatch(r.stdout, /Pattern verification failed/, 'every acknowledged write is on disk');
  t.equal([...r.stdout.matchAll(/read \d+\/\d+ bytes/g)].length, expected.size, 'every block read back');
});
