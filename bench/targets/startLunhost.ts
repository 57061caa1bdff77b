/** Starts lunhost (the built CLI) on a declaration serving `file` as LUN 1 (and a Sheepdog VDI as LUN 2). */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetUnderTest } from './TargetUnderTest.js';
import { waitForPort } from './waitForPort.js';
import { stopChild } from './stopChild.js';

const IQN = 'iqn.2026-11.io.lunhost.bench:disk';

export async function startLunhost(opts: { cli: string; dir: string; file: string; port: number; sheepBacking?: string }): Promise<TargetUnderTest> {
  const config = join(opts.dir, 'lunhost-bench.yaml');
  writeFileSync(config, `portals:
  - name: bench
    listen: 127.0.0.1:${opts.port}
targets:
  - iqn: ${IQN}
    bindings: [ALL]
    luns:
      - lun: 1
        store: file
        path: ${opts.file}
${opts.sheepBacking ? `      - lun: 2
        store: sheepdog
        backing: ${opts.sheepBacking}
` : ''}logLevel: warn
`);
  const child = spawn(process.execPath, [opts.cli, 'start', '--config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(opts.port, () => child.exitCode !== null);
  return {
    name: 'lunhost',
    lunUrl: `iscsi://127.0.0.1:${opts.port}/${IQN}/1`,
    sheepLunUrl: opts.sheepBacking ? `iscsi://127.0.0.1:${opts.port}/${IQN}/2` : null,
    pid: child.pid!,
    stop: () => stopChild(child, 'SIGTERM'),
  };
}
