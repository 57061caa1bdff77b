/**
 * QEMU's iSCSI driver logs in with CHAP: credentials through a secret object
 * (`password-secret`, the way libvirt passes them) and through the URL; the
 * data written in one session reads back in another; a wrong secret is
 * refused with authentication failure.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LunhostDaemon } from '../helpers/LunhostDaemon.js';
import { runTool } from '../helpers/runTool.js';
import { fileTargetYaml } from '../helpers/fileTargetYaml.js';

const IQN = 'iqn.2026-11.io.lunhost.test:chap-qemu';
const SECRET = 'qemuChapSecret-2026';

const daemon = await LunhostDaemon.start({
  yaml: (port, dir) => {
    writeFileSync(join(dir, 'chap.secret'), SECRET);
    return fileTargetYaml(port, dir, [{ lun: 1, file: 'disk.img', size: '32MiB' }], '', {
      iqn: IQN,
      targetLines: '    auth:\n      chap: { username: qemu-user, secretFile: chap.secret }\n',
    });
  },
});
t.teardown(() => daemon.dispose());

function imageOpts(secretId: string): string {
  return `driver=iscsi,transport=tcp,portal=127.0.0.1:${daemon.port},target=${IQN},lun=1,user=qemu-user,password-secret=${secretId}`;
}

t.test('qemu-io with a secret object writes and reads back', async (t) => {
  const w = await runTool('qemu-io', ['--object', `secret,id=chap0,data=${SECRET}`, '--image-opts', imageOpts('chap0'),
    '-c', 'write -P 0x5c 4096 1048576']);
  t.equal(w.code, 0, w.stdout + w.stderr);
  t.match(w.stdout, /wrote 1048576\/1048576 bytes at offset 4096/);
  const r = await runTool('qemu-io', ['--object', `secret,id=chap0,data=${SECRET}`, '--image-opts', imageOpts('chap0'),
    '-c', 'read -P 0x5c 4096 1048576', '-c', 'read -P 0 0 4096']);
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.notMatch(r.stdout, /Pattern verification failed/);
});

t.test('qemu-io with user%secret in the URL', async (t) => {
  const r = await runTool('qemu-io', ['-f', 'raw', '-c', 'read -P 0x5c 4096 512',
    `iscsi://qemu-user%${SECRET}@127.0.0.1:${daemon.port}/${IQN}/1`]);
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.notMatch(r.stdout, /Pattern verification failed/);
});

t.test('a wrong secret cannot open the LUN', async (t) => {
  const r = await runTool('qemu-io', ['--object', `secret,id=chap0,data=${SECRET}x`, '--image-opts', imageOpts('chap0'),
    '-c', 'read 0 512']);
  t.not(r.code, 0);
  t.match(r.stdout + r.stderr, /Authentication failure/);
  const none = await runTool('qemu-io', ['-f', 'raw', '-c', 'read 0 512', `iscsi://127.0.0.1:${daemon.port}/${IQN}/1`]);
  t.not(none.code, 0);
  t.match(none.stdout + none.stderr, /Authentication failure/);
});
