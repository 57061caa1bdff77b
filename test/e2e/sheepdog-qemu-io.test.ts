/**
 * iSCSI → Sheepdog LUN end to end: the real daemon serves VDIs of the sheep
 * test server; QEMU's iSCSI driver (qemu-io) writes and read-verifies across
 * 4 MiB object boundaries; the bytes sit in the VDI's objects where `dog vdi
 * read` would find them; after a snapshot the snapshot LUN reads the old
 * data while the working LUN takes new writes; a clone starts from the
 * snapshot and diverges.
 */
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LunhostDaemon } from '../helpers/LunhostDaemon.js';
import { runTool } from '../helpers/runTool.js';
import { SheepTestServer } from '../fixtures/sheep-server/SheepTestServer.js';

const IQN = 'iqn.2026-11.io.lunhost.test:sheep';
const MiB = 1024 * 1024;
const OBJ = 4 * MiB;

interface SheepLun {
  readonly lun: number;
  readonly backing: string;
}

function sheepYaml(port: number, luns: readonly SheepLun[]): string {
  const lines = luns.map((l) => `      - lun: ${l.lun}\n        store: sheepdog\n        backing: ${l.backing}`).join('\n');
  return `portals:\n  - name: test\n    listen: 127.0.0.1:${port}\ntargets:\n  - iqn: ${IQN}\n    bindings: [ALL]\n    luns:\n${lines}\n`;
}

// sheep first (the LUN's VDI must exist when the daemon attaches it), then the daemon in the same directory.
const dir = mkdtempSync(join(tmpdir(), 'lunhost-e2e-sheep-'));
const sockPath = join(dir, 'sheep.sock');
const server = await SheepTestServer.start({ kind: 'unix', path: sockPath });
const vid = server.cluster.createVdi('tgt0', 24 * MiB);
const daemon = await LunhostDaemon.start({ dir, yaml: (port) => sheepYaml(port, [{ lun: 1, backing: `unix:${sockPath}:tgt0` }]) });
t.teardown(async () => {
  await daemon.dispose();
  await server.close();
});

const url = (lun: number): string => `${daemon.url}/${IQN}/${lun}`;

/** [offset, length, pattern] straddling object boundaries. */
const extents: Array<[number, number, number]> = [
  [0, 4096, 0x11],
  [OBJ - 64 * 1024, 128 * 1024, 0x22],
  [2 * OBJ - 512, OBJ + 1024, 0x33],
  [5 * OBJ + 512, 8192, 0x44],
];

t.test('qemu-io write/read-verify across object boundaries', async (t) => {
  const w = await runTool('qemu-io', ['-f', 'raw', ...extents.flatMap(([o, l, p]) => ['-c', `write -P ${p} ${o} ${l}`]), url(1)]);
  t.equal(w.code, 0, w.stdout + w.stderr);
  const r = await runTool('qemu-io', [
    '-f', 'raw',
    ...extents.flatMap(([o, l, p]) => ['-c', `read -P ${p} ${o} ${l}`]),
    '-c', `read -P 0 ${4 * OBJ} ${OBJ}`,
    url(1),
  ]);
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.notMatch(r.stdout, /Pattern verification failed/);
  const bad = await runTool('qemu-io', ['-f', 'raw', '-c', 'read -P 0x99 0 512', url(1)]);
  t.match(bad.stdout, /Pattern verification failed/, 'the check can fail');
});

t.test('the bytes are in the VDI objects, as dog vdi read would see them', async (t) => {
  const c = server.cluster;
  for (const [o, l, p] of extents) {
    t.equal(c.readVdi(vid, o, l).every((b) => b === p), true, `extent at ${o}`);
  }
  t.equal(c.dataVdiId(vid, 0), vid);
  t.equal(c.dataVdiId(vid, 4), 0, 'object 4 never written, not allocated');
});

t.test('snapshot LUN reads the old data after new writes; clone diverges', async (t) => {
  const c = server.cluster;
  const { snapshotVid, workingVid } = c.snapshot('tgt0', 'snap1');
  const cloneVid = c.clone(snapshotVid, 'vm1');
  writeFileSync(
    daemon.configFile,
    sheepYaml(daemon.port, [
      { lun: 1, backing: `unix:${sockPath}:tgt0` },
      { lun: 2, backing: `unix:${sockPath}:tgt0:snap1` },
      { lun: 3, backing: `unix:${sockPath}:vm1` },
    ]),
  );
  await daemon.restart();

  const w = await runTool('qemu-io', ['-f', 'raw', '-c', `write -P 0x55 ${OBJ - 4096} 8192`, url(1)]);
  t.equal(w.code, 0, w.stdout + w.stderr);
  t.equal(c.dataVdiId(workingVid, 0), workingVid, 'object 0 copied-on-write into the working VDI');

  const now = await runTool('qemu-io', ['-f', 'raw', '-c', `read -P 0x55 ${OBJ - 4096} 8192`, '-c', `read -P 0x22 ${OBJ - 64 * 1024} 4096`, url(1)]);
  t.equal(now.code, 0, now.stdout + now.stderr);
  t.notMatch(now.stdout, /Pattern verification failed/);

  const old = await runTool('qemu-io', ['-r', '-f', 'raw', '-c', `read -P 0x22 ${OBJ - 64 * 1024} ${128 * 1024}`, '-c', 'read -P 0x11 0 4096', url(2)]);
  t.equal(old.code, 0, old.stdout + old.stderr);
  t.notMatch(old.stdout, /Pattern verification failed/, 'snapshot still has the old data');

  const ro = await runTool('qemu-io', ['-f', 'raw', '-c', 'write -P 1 0 512', url(2)]);
  t.match(ro.stdout + ro.stderr, /write protected|Permission denied|read-only/i, 'snapshot LUN refuses writes');

  const cl = await runTool('qemu-io', ['-f', 'raw', '-c', `read -P 0x33 ${2 * OBJ - 512} 1024`, '-c', `write -P 0x66 ${2 * OBJ} 512`, '-c', `read -P 0x66 ${2 * OBJ} 512`, url(3)]);
  t.equal(cl.code, 0, cl.stdout + cl.stderr);
  t.notMatch(cl.stdout, /Pattern verification failed/);
  t.equal(c.dataVdiId(cloneVid, 2), cloneVid);
  t.equal(c.readVdi(snapshotVid, 2 * OBJ, 512).every((b) => b === 0x33), true, 'clone writes leave the snapshot alone');
});
