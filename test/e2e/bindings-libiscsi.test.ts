/**
 * Bindings with a real initiator: libiscsi's tools, given an initiator name
 * with -i, see in SendTargets only the targets that admit them, and a login
 * to a target that does not admit them is refused (0x0202) while the others
 * serve.
 */
import t from 'tap';
import { LunhostDaemon } from '../helpers/LunhostDaemon.js';
import { runTool } from '../helpers/runTool.js';

const BY_NAME = 'iqn.2026-11.io.lunhost.test:by-name';
const OPEN = 'iqn.2026-11.io.lunhost.test:open';
const BY_ADDRESS = 'iqn.2026-11.io.lunhost.test:by-address';
const ELSEWHERE = 'iqn.2026-11.io.lunhost.test:elsewhere';
const ALLOWED = 'iqn.2026-11.org.example:allowed-1';
const OTHER = 'iqn.2026-11.org.example:other';

function target(iqn: string, dir: string, bindings: string): string {
  return `  - iqn: ${iqn}
    bindings:
${bindings}
    luns:
      - lun: 1
        store: file
        path: ${dir}/${iqn.split(':')[1]}.img
        size: 8MiB
`;
}

const daemon = await LunhostDaemon.start({
  yaml: (port, dir) => `portals:
  - listen: 127.0.0.1:${port}
targets:
${target(BY_NAME, dir, '      - initiator: iqn.2026-11.org.example:allowed-*')}
${target(OPEN, dir, '      - ALL')}
${target(BY_ADDRESS, dir, '      - address: 127.0.0.0/8')}
${target(ELSEWHERE, dir, '      - address: 192.0.2.0/24')}`,
});
t.teardown(() => daemon.dispose());

t.test('SendTargets lists only the targets that admit the asking initiator', async (t) => {
  const allowed = await runTool('iscsi-ls', ['-i', ALLOWED, `${daemon.url}/`]);
  t.equal(allowed.code, 0, allowed.stderr);
  for (const iqn of [BY_NAME, OPEN, BY_ADDRESS]) t.match(allowed.stdout, `Target:${iqn} `, `${ALLOWED} sees ${iqn}`);
  t.notMatch(allowed.stdout, ELSEWHERE, 'a target bound to another network is not listed');
  const other = await runTool('iscsi-ls', ['-i', OTHER, `${daemon.url}/`]);
  t.equal(other.code, 0, other.stderr);
  for (const iqn of [OPEN, BY_ADDRESS]) t.match(other.stdout, `Target:${iqn} `, `${OTHER} sees ${iqn}`);
  t.notMatch(other.stdout, BY_NAME, 'a target bound to other initiator names is not listed');
  t.notMatch(other.stdout, ELSEWHERE);
});

t.test('a login the bindings do not admit is refused; admitted ones work', async (t) => {
  const refused = await runTool('iscsi-inq', ['-i', OTHER, `${daemon.url}/${BY_NAME}/1`]);
  t.not(refused.code, 0, 'iscsi-inq fails');
  t.match(refused.stderr, /Authorization failure\(514\)/, 'refused with login status 0x0202 (514)');
  const elsewhere = await runTool('iscsi-inq', ['-i', ALLOWED, `${daemon.url}/${ELSEWHERE}/1`]);
  t.not(elsewhere.code, 0, 'a target bound to another network refuses 127.0.0.1');
  for (const iqn of [BY_NAME, OPEN, BY_ADDRESS]) {
    const ok = await runTool('iscsi-inq', ['-i', ALLOWED, `${daemon.url}/${iqn}/1`]);
    t.equal(ok.code, 0, `${ALLOWED} logs in to ${iqn}: ${ok.stderr}`);
  }
});
