/**
 * QEMU (libiscsi) with HeaderDigest CRC32C and without, on a CHAP target:
 * patterns written and verified either way, and the running session shows
 * the digest the two sides agreed on (read through `lunhost show sessions`
 * while qemu-io pauses). libiscsi has no data digest; raw-client protocol
 * tests cover DataDigest.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LunhostDaemon } from '../helpers/LunhostDaemon.js';
import { runTool } from '../helpers/runTool.js';
import { fileTargetYaml } from '../helpers/fileTargetYaml.js';
import { lunhost, waitForSocket } from '../helpers/lunhostCli.js';
import type { SessionInfo } from '../../core/transport/Transport.js';

const IQN = 'iqn.2026-11.io.lunhost.test:digests';
const SECRET = 'digestChapSecret-77';

const daemon = await LunhostDaemon.start({
  yaml: (port, dir) => {
    writeFileSync(join(dir, 'chap.secret'), SECRET);
    return fileTargetYaml(port, dir, [{ lun: 1, file: 'disk.img', size: '64MiB' }], '', {
      iqn: IQN,
      targetLines: '    auth:\n      chap: { username: digester, secretFile: chap.secret }\n',
    });
  },
});
t.teardown(() => daemon.dispose());
await waitForSocket(join(daemon.dir, 'state', 'lunhost.sock'));

async function sessionWhile(running: Promise<unknown>): Promise<SessionInfo | null> {
  let done = false;
  void running.then(() => { done = true; });
  while (!done) {
    const r = await lunhost(['show', 'sessions', '--json', '--config', daemon.configFile]);
    if (r.code === 0) {
      const list = JSON.parse(r.stdout) as SessionInfo[];
      const s = list.find((x) => x.targetName === IQN);
      if (s) return s;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

for (const [digest, expected, pattern, offset] of [['crc32c', 'CRC32C', 0x3d, 0], ['none', 'None', 0x4e, 8 << 20]] as const) {
  t.test(`header-digest=${digest}: qemu-io writes and verifies, session shows HeaderDigest=${expected}`, async (t) => {
    const opts = `driver=iscsi,transport=tcp,portal=127.0.0.1:${daemon.port},target=${IQN},lun=1,user=digester,password-secret=chap0,header-digest=${digest}`;
    const run = runTool('qemu-io', ['--object', `secret,id=chap0,data=${SECRET}`, '--image-opts', opts,
      '-c', `write -P ${pattern} ${offset} 3145728`, '-c', 'sleep 4000', '-c', `read -P ${pattern} ${offset} 3145728`,
      '-c', `read -P ${pattern} ${offset + 4096 + 512} 65536`]);
    const session = await sessionWhile(run);
    const r = await run;
    t.equal(r.code, 0, r.stdout + r.stderr);
    t.notMatch(r.stdout, /Pattern verification failed|error/i);
    t.match(r.stdout, /read 3145728\/3145728 bytes/);
    t.ok(session, 'the session was listed while qemu-io paused');
    t.equal(session?.parameters.HeaderDigest, expected);
    t.equal(session?.parameters.DataDigest, 'None', 'libiscsi offers no data digest');
  });
}
