/**
 * Declarative reload of a running daemon: an edit of targets.yaml that adds
 * a LUN is picked up by the file watcher (iscsi-ls -s shows it) — saved by
 * rename, the way editors save; an invalid edit changes nothing (the old
 * LUNs keep serving) and `lunhost status` shows the error with file, line
 * and field; `lunhost reload` reports it too and applies once it is fixed.
 */
import t from 'tap';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LunhostDaemon } from '../helpers/LunhostDaemon.js';
import { runTool } from '../helpers/runTool.js';
import { fileTargetYaml, type FileLun } from '../helpers/fileTargetYaml.js';
import { eventually, lunhost, waitForSocket } from '../helpers/lunhostCli.js';

const LUN1: FileLun = { lun: 1, file: 'one.img', size: '16MiB' };
const LUN2: FileLun = { lun: 2, file: 'two.img', size: '32MiB' };

const daemon = await LunhostDaemon.start({ yaml: (port, dir) => fileTargetYaml(port, dir, [LUN1]) });
t.teardown(() => daemon.dispose());
await waitForSocket(join(daemon.dir, 'state', 'lunhost.sock'));

/** Save like an editor: write a temporary file next to it, rename it over the declaration. */
function saveByRename(text: string): void {
  const tmp = join(daemon.dir, '.targets.yaml.tmp');
  writeFileSync(tmp, text);
  renameSync(tmp, daemon.configFile);
}

async function status(): Promise<{ generation: number; lastReload: { ok: boolean; trigger: string; error: string | null; issues: { line: number; field: string }[] } }> {
  const r = await lunhost(['status', '--json', '--config', daemon.configFile]);
  if (r.code !== 0) throw new Error(`lunhost status failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function listedLuns(): Promise<string> {
  const r = await runTool('iscsi-ls', ['-s', `${daemon.url}/`]);
  return r.code === 0 ? r.stdout : '';
}

t.test('adding a LUN to the file: the watcher applies it and iscsi-ls -s shows it', async (t) => {
  t.notMatch(await listedLuns(), /Lun:2/, 'LUN 2 not there yet');
  saveByRename(fileTargetYaml(daemon.port, daemon.dir, [LUN1, LUN2]));
  t.ok(await eventually(async () => /Lun:2\s+Type:DIRECT_ACCESS \(Size:3[12]M\)/.test(await listedLuns())), 'LUN 2 listed with its size');
  const s = await status();
  t.equal(s.generation, 2);
  t.match(s.lastReload, { ok: true, trigger: 'file' });
});

t.test('an invalid edit leaves the old configuration serving; status shows file, line and field', async (t) => {
  const bad = fileTargetYaml(daemon.port, daemon.dir, [LUN1, LUN2]).replace('size: 32MiB', 'size: lots');
  saveByRename(bad);
  t.ok(await eventually(async () => (await status()).lastReload.ok === false), 'the reload was refused');
  const s = await status();
  t.equal(s.generation, 2, 'generation unchanged');
  t.equal(s.lastReload.trigger, 'file');
  const badLine = bad.split('\n').findIndex((l) => l.includes('size: lots')) + 1;
  t.match(s.lastReload.issues, [{ line: badLine, field: 'targets[0].luns[1].size' }]);
  const human = await lunhost(['status', '--config', daemon.configFile]);
  t.equal(human.code, 0, human.stderr);
  t.match(human.stdout, /last reload: FAILED by file change at .*previous configuration keeps serving/);
  t.match(human.stdout, new RegExp(`targets\\.yaml:${badLine}:\\d+ targets\\[0\\]\\.luns\\[1\\]\\.size: must be a size`));
  const listed = await listedLuns();
  t.match(listed, /Lun:1\s+Type:DIRECT_ACCESS/, 'LUN 1 still served');
  t.match(listed, /Lun:2\s+Type:DIRECT_ACCESS/, 'LUN 2 still served');
  const read = await runTool('qemu-io', ['-f', 'raw', '-c', 'read 0 4k', `${daemon.url}/iqn.2026-11.io.lunhost.test:disk/2`]);
  t.equal(read.code, 0, read.stderr);
  t.ok(daemon.log.includes('keeps serving'), 'the refusal is logged');
});

t.test('lunhost reload: refused (exit 1) while invalid, applied (exit 0) once fixed', async (t) => {
  const refused = await lunhost(['reload', '--config', daemon.configFile]);
  t.equal(refused.code, 1);
  t.match(refused.stdout, /FAILED by lunhost reload/);
  t.match(refused.stdout, /targets\[0\]\.luns\[1\]\.size/);
  // Written in place this time (not renamed), with LUN 2 removed.
  writeFileSync(daemon.configFile, fileTargetYaml(daemon.port, daemon.dir, [LUN1]));
  const applied = await lunhost(['reload', '--config', daemon.configFile]);
  t.equal(applied.code, 0, applied.stdout + applied.stderr);
  t.ok(await eventually(async () => !/Lun:2/.test(await listedLuns())), 'LUN 2 removed');
  const s = await status();
  t.equal(s.lastReload.ok, true);
  t.ok(s.generation >= 3, 'a new generation');
});
