/**
 * The promise of targets.yaml, end to end: saving an edit while an initiator
 * is busy applies it without disturbing that initiator.
 * - A new target (with its own binding), a new LUN and a binding change are
 *   applied while qemu-io writes and verifies on another LUN: qemu-io sees no
 *   error (QEMU retries the REPORTED LUNS DATA HAS CHANGED unit attention).
 * - A grown LUN: iscsi-readcapacity16 reads the new size at once, and a
 *   session that was open gets CAPACITY DATA HAS CHANGED on its next command.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LunhostDaemon } from '../helpers/LunhostDaemon.js';
import { runTool } from '../helpers/runTool.js';
import { E2E_IQN } from '../helpers/fileTargetYaml.js';
import { loginConnection, scsiCommand } from '../helpers/rawSession.js';
import { Opcode } from '../../plugins/transport-iscsi-tcp/pdu/Opcode.js';

const NEW_IQN = 'iqn.2026-11.io.lunhost.test:added';

function yaml(port: number, dir: string, o: { lun2Size: string; added: boolean }): string {
  return `portals:
  - name: test
    listen: 127.0.0.1:${port}
targets:
  - iqn: ${E2E_IQN}
    bindings:
      - ALL
${o.added ? '      - initiator: iqn.2026-11.org.example:*\n' : ''}    luns:
      - lun: 1
        store: file
        path: ${dir}/busy.img
        size: 64MiB
      - lun: 2
        store: file
        path: ${dir}/grow.img
        size: ${o.lun2Size}
${o.added ? `      - lun: 3
        store: file
        path: ${dir}/three.img
        size: 8MiB
  - iqn: ${NEW_IQN}
    bindings:
      - ALL
    luns:
      - lun: 1
        store: file
        path: ${dir}/added.img
        size: 8MiB
` : ''}`;
}

const daemon = await LunhostDaemon.start({ yaml: (port, dir) => yaml(port, dir, { lun2Size: '16MiB', added: false }) });
t.teardown(() => daemon.dispose());

/** Save like an editor does: write a temporary file, rename it over the declaration. */
function save(text: string): void {
  const tmp = join(daemon.dir, '.targets.yaml.swp');
  writeFileSync(tmp, text);
  renameSync(tmp, daemon.configFile);
}

async function eventually(check: () => Promise<boolean>, ms = 15_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

t.test('a target, a LUN and a binding are added while qemu-io works on another LUN', async (t) => {
  // Many small write+verify pairs: long enough to be running across the reload.
  const cmds: string[] = [];
  for (let i = 0; i < 1500; i++) {
    const off = (i % 512) * 65536;
    const p = (i % 200) + 1;
    cmds.push('-c', `write -P ${p} ${off} 64k`, '-c', `read -P ${p} ${off} 64k`);
  }
  let out = '';
  const io = spawn('qemu-io', ['-f', 'raw', ...cmds, `${daemon.url}/${E2E_IQN}/1`], { stdio: ['ignore', 'pipe', 'pipe'] });
  io.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  io.stderr.on('data', (b: Buffer) => { out += b.toString(); });
  const exited = new Promise<number>((r) => io.on('close', (code) => r(code ?? 1)));
  let running = true;
  void exited.then(() => { running = false; });

  await eventually(async () => out.includes('wrote'), 10_000);
  t.ok(running, 'qemu-io is running when the edit is saved');
  save(yaml(daemon.port, daemon.dir, { lun2Size: '16MiB', added: true }));
  const applied = await eventually(async () => {
    const ls = await runTool('iscsi-ls', ['-s', `${daemon.url}/`]);
    return ls.stdout.includes(NEW_IQN) && /Lun:3\s+Type:DIRECT_ACCESS/.test(ls.stdout);
  });
  t.ok(applied, 'iscsi-ls -s shows the new target and the new LUN');
  t.ok(running, 'the reload was applied while qemu-io was still running');
  const code = await exited;
  t.equal(code, 0, 'qemu-io exited 0');
  t.notMatch(out, /Pattern verification failed|error|failed/i, 'qemu-io saw no error and every read verified');

  const added = await runTool('qemu-io', ['-f', 'raw', '-c', 'write -P 0x3c 0 1M', '-c', 'read -P 0x3c 0 1M', `${daemon.url}/${NEW_IQN}/1`]);
  t.equal(added.code, 0, `the added target serves I/O: ${added.stdout}${added.stderr}`);
});

t.test('a grown LUN: READ CAPACITY sees it at once, an open session gets CAPACITY DATA HAS CHANGED', async (t) => {
  const { conn } = await loginConnection(daemon.port, E2E_IQN);
  /** TEST UNIT READY on LUN 2: its status and the sense of the SCSI Response's data segment. */
  const turLun2 = async (): Promise<{ status: number; sense: Buffer }> => {
    const itt = scsiCommand(conn, [0x00, 0, 0, 0, 0, 0], { lun: 2 });
    for (;;) {
      const f = await conn.next(5000);
      if (!f) throw new Error('no answer to TEST UNIT READY');
      if (f.pdu.opcode === Opcode.ScsiResponse && f.pdu.itt === itt) {
        return { status: f.pdu.status, sense: f.data.length > 2 ? f.data.subarray(2, 2 + f.data.readUInt16BE(0)) : Buffer.alloc(0) };
      }
    }
  };
  // The new session's own unit attentions (POWER ON) first.
  for (let i = 0; i < 3 && (await turLun2()).status !== 0; i++);
  t.equal((await turLun2()).status, 0, 'LUN 2 is ready and has no unit attention pending');
  save(yaml(daemon.port, daemon.dir, { lun2Size: '32MiB', added: true }));
  const grown = await eventually(async () => {
    const r = await runTool('iscsi-readcapacity16', ['-s', `${daemon.url}/${E2E_IQN}/2`]);
    return r.stdout.trim() === String(32 << 20);
  });
  t.ok(grown, 'iscsi-readcapacity16 reports 32 MiB');
  const r = await turLun2();
  t.equal(r.status, 2, 'CHECK CONDITION for the session that was open');
  t.same([r.sense[2]! & 0x0f, r.sense[12], r.sense[13]], [0x06, 0x2a, 0x09], 'UNIT ATTENTION / CAPACITY DATA HAS CHANGED');
  t.equal((await turLun2()).status, 0, 'reported once');
  conn.close();
});
