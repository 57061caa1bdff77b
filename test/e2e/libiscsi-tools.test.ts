/**
 * The foundation's user story with libiscsi's own tools: discovery lists the
 * target and its LUN, INQUIRY and READ CAPACITY answer with the declared size.
 */
import t from 'tap';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LunhostDaemon } from '../helpers/LunhostDaemon.js';
import { runTool } from '../helpers/runTool.js';
import { E2E_IQN, fileTargetYaml } from '../helpers/fileTargetYaml.js';

const daemon = await LunhostDaemon.start({
  // A read-only LUN serves an existing file; lunhost never creates one it may not write.
  setup: (dir) => { writeFileSync(join(dir, 'two.img'), ''); truncateSync(join(dir, 'two.img'), 1 << 30); },
  yaml: (port, dir) => fileTargetYaml(port, dir, [
    { lun: 1, file: 'one.img', size: '64MiB' },
    { lun: 2, file: 'two.img', size: '1GiB', readOnly: true },
  ]),
});
t.teardown(() => daemon.dispose());

t.test('iscsi-ls -s lists the target and both LUNs with their sizes', async (t) => {
  const r = await runTool('iscsi-ls', ['-s', `${daemon.url}/`]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, new RegExp(`Target:${E2E_IQN.replace(/\./g, '\\.')}\\s+Portal:127\\.0\\.0\\.1:${daemon.port},1`));
  t.match(r.stdout, /Lun:0\s+Type:STORAGE_ARRAY_CONTROLLER/, 'LUN 0 answers though not declared');
  // iscsi-ls prints (blocks*blocksize)/1024/1024 rounded down after its own arithmetic, as it does for tgtd.
  t.match(r.stdout, /Lun:1\s+Type:DIRECT_ACCESS \(Size:6[34]M\)/);
  t.match(r.stdout, /Lun:2\s+Type:DIRECT_ACCESS \(Size:1023M|Size:1G\)/);
});

t.test('iscsi-inq reads standard INQUIRY and the VPD pages', async (t) => {
  const std = await runTool('iscsi-inq', [`${daemon.url}/${E2E_IQN}/1`]);
  t.equal(std.code, 0, std.stderr);
  t.match(std.stdout, /Peripheral Device Type:DIRECT_ACCESS/);
  t.match(std.stdout, /CmdQue:1/);
  const pages = await runTool('iscsi-inq', ['-e', '1', `${daemon.url}/${E2E_IQN}/1`]);
  t.equal(pages.code, 0, pages.stderr);
  for (const p of ['0x00', '0x80', '0x83', '0xb0', '0xb1']) t.match(pages.stdout, new RegExp(`Page:${p} `), `VPD page ${p} listed`);
  const serial = await runTool('iscsi-inq', ['-e', '1', '-c', '128', `${daemon.url}/${E2E_IQN}/1`]);
  t.equal(serial.code, 0, serial.stderr);
  t.match(serial.stdout, /Unit Serial Number:\[\s*\S+\]/);
  const ident = await runTool('iscsi-inq', ['-e', '1', '-c', '131', `${daemon.url}/${E2E_IQN}/1`]);
  t.equal(ident.code, 0, ident.stderr);
  t.match(ident.stdout, /Designator Type:\(3\) NAA/);
  const limits = await runTool('iscsi-inq', ['-e', '1', '-c', '176', `${daemon.url}/${E2E_IQN}/1`]);
  t.equal(limits.code, 0, limits.stderr);
  t.match(limits.stdout, /maximum transfer length:\d+/);
});

t.test('iscsi-readcapacity16 reports the declared size', async (t) => {
  const r = await runTool('iscsi-readcapacity16', [`${daemon.url}/${E2E_IQN}/1`]);
  t.equal(r.code, 0, r.stderr);
  // 64 MiB of 512-byte blocks: last LBA 131071.
  t.match(r.stdout, /RETURNED LOGICAL BLOCK ADDRESS:131071/);
  t.match(r.stdout, /LOGICAL BLOCK LENGTH IN BYTES:512/);
});

t.test('the NAA identifier is stable across a restart', async (t) => {
  const before = await runTool('iscsi-inq', ['-e', '1', '-c', '131', `${daemon.url}/${E2E_IQN}/1`]);
  await daemon.restart();
  const after = await runTool('iscsi-inq', ['-e', '1', '-c', '131', `${daemon.url}/${E2E_IQN}/1`]);
  t.equal(after.code, 0, after.stderr);
  t.equal(after.stdout, before.stdout);
});
