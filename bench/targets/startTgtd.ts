/** Starts Debian's tgtd (the reference) serving `file` as LUN 1 (and a Sheepdog VDI as LUN 2), configured with tgtadm like its guides do. */
import { execFileSync, spawn } from 'node:child_process';
import type { TargetUnderTest } from './TargetUnderTest.js';
import { waitForPort } from './waitForPort.js';
import { stopChild } from './stopChild.js';

const IQN = 'iqn.2026-11.io.lunhost.bench:tgtd';

export async function startTgtd(opts: { file: string; port: number; controlPort: number; sheepBacking?: string }): Promise<TargetUnderTest> {
  const child = spawn('tgtd', ['-f', '-C', String(opts.controlPort), '--iscsi', `portal=127.0.0.1:${opts.port}`], { stdio: ['ignore', 'ignore', 'ignore'] });
  await waitForPort(opts.port, () => child.exitCode !== null);
  const adm = (...args: string[]): void => { execFileSync('tgtadm', ['-C', String(opts.controlPort), '--lld', 'iscsi', ...args]); };
  adm('--op', 'new', '--mode', 'target', '--tid', '1', '-T', IQN);
  adm('--op', 'new', '--mode', 'logicalunit', '--tid', '1', '--lun', '1', '-b', opts.file);
  if (opts.sheepBacking) adm('--op', 'new', '--mode', 'logicalunit', '--tid', '1', '--lun', '2', '--bstype', 'sheepdog', '--backing-store', opts.sheepBacking);
  adm('--op', 'bind', '--mode', 'target', '--tid', '1', '-I', 'ALL');
  return {
    name: 'tgtd',
    lunUrl: `iscsi://127.0.0.1:${opts.port}/${IQN}/1`,
    sheepLunUrl: opts.sheepBacking ? `iscsi://127.0.0.1:${opts.port}/${IQN}/2` : null,
    pid: child.pid!,
    stop: () => stopChild(child, 'SIGKILL'), // tgtd ignores SIGTERM while it has targets
  };
}
