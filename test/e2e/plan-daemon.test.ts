/**
 * `lunhost plan` against a live daemon, then the reload that applies that
 * plan object by object:
 *  - planning an edited file while qemu-io writes to LUN 1 changes nothing
 *    (qemu-io sees no error, the daemon serves what it served) and prints the
 *    grouped plan; exit 0 without changes, 2 with changes, 1 when invalid;
 *  - the reload applies it: a LUN whose backing file cannot be created (its
 *    directory is a regular file: ENOTDIR) stays out, the rest is applied;
 *    `lunhost status` lists what failed and why, GET /plan/last and
 *    GET /reloads give every action's outcome;
 *  - the next plan shows exactly the failed action; once its cause is gone,
 *    `lunhost rescan` retries it and nothing is left to apply.
 */
import t from 'tap';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagementClient } from '../../core/cli/ManagementClient.js';
import { LunhostDaemon } from '../helpers/LunhostDaemon.js';
import { runTool } from '../helpers/runTool.js';
import { E2E_IQN, fileTargetYaml, type FileLun } from '../helpers/fileTargetYaml.js';
import { eventually, lunhost, waitForSocket } from '../helpers/lunhostCli.js';
import type { AppliedPlan, PlanReport } from '../../core/plan/PlanReport.js';
import type { LunReport, StatusReport } from '../../core/management/ManagementView.js';

const LUN1: FileLun = { lun: 1, file: 'one.img', size: '16MiB' };
const LUN1_GROWN: FileLun = { lun: 1, file: 'one.img', size: '32MiB' };
const LUN2: FileLun = { lun: 2, file: 'two.img', size: '8MiB' };
/** Its directory `blocker` is a regular file: opening fails with ENOTDIR (even as root). */
const LUN4: FileLun = { lun: 4, file: 'blocker/four.img', size: '8MiB' };

const daemon = await LunhostDaemon.start({ yaml: (port, dir) => fileTargetYaml(port, dir, [LUN1]) });
t.teardown(() => daemon.dispose());
const socketPath = join(daemon.dir, 'state', 'lunhost.sock');
await waitForSocket(socketPath);
const client = new ManagementClient(socketPath);
t.teardown(() => client.close());

const edited = join(daemon.dir, 'edited.yaml');
writeFileSync(join(daemon.dir, 'blocker'), 'a regular file where a directory is expected\n');
writeFileSync(edited, fileTargetYaml(daemon.port, daemon.dir, [LUN1_GROWN, LUN2, LUN4]));

const lunsNow = async (): Promise<string[]> => (await client.luns()).map((l: LunReport) => `${l.lun}:${l.size}`).sort();

t.test('no edit: `lunhost plan` exits 0 and says nothing changes', async (t) => {
  const r = await lunhost(['plan', '--config', daemon.configFile]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, `Plan for ${daemon.configFile} against the running lunhost (generation 1, 0 sessions logged in)`);
  t.match(r.stdout, /No changes: what runs matches the declaration\./);
});

t.test('planning an edited file while qemu-io writes changes nothing', async (t) => {
  const url = `${daemon.url}/${E2E_IQN}/1`;
  // Writes, a pause (the session stays logged in) while the plans run, more writes, then a verified read.
  const writes = (from: number) => Array.from({ length: 40 }, (_, i) => ['-c', `write -P 0x5a ${((from + i) % 128) * 65536} 64k`]).flat();
  let ioDone = false;
  const io = runTool('qemu-io', ['-f', 'raw', ...writes(0), '-c', 'sleep 12000', ...writes(40), '-c', 'read -P 0x5a 0 64k', url]).finally(() => { ioDone = true; });
  t.ok(await eventually(async () => (await client.status()).sessions === 1), 'qemu-io is logged in');
  const before = await lunsNow();
  const r = await lunhost(['plan', edited], { cwd: daemon.dir });
  const json = await lunhost(['plan', edited, '--json'], { cwd: daemon.dir });
  t.notOk(ioDone, 'qemu-io was still running while planning');
  const ioResult = await io;
  t.equal(ioResult.code, 0, `qemu-io saw no error: ${ioResult.stderr}`);
  t.notMatch(ioResult.stdout + ioResult.stderr, /error|failed|Pattern verification/i);
  t.match(ioResult.stdout, /read 65536\/65536 bytes at offset 0/, 'the final read verified the data');
  t.equal(r.code, 2, r.stderr);
  t.match(r.stdout, `Plan for ${edited} against the running lunhost`);
  t.match(r.stdout, `target ${E2E_IQN}\n`);
  t.match(r.stdout, /against the running lunhost \(generation 1, 1 session logged in\)/);
  t.match(r.stdout, /^\* ~ lun 1 size 16 MiB → 32 MiB \(1 session gets CAPACITY DATA HAS CHANGED\)$/m);
  t.match(r.stdout, new RegExp(`\\+ lun 2 \\(file ${daemon.dir}/two\\.img, 8 MiB`));
  t.match(r.stdout, new RegExp(`\\+ lun 4 \\(file ${daemon.dir}/blocker/four\\.img, 8 MiB`));
  t.match(r.stdout, /3 changes/);
  t.equal(json.code, 2);
  const report = JSON.parse(json.stdout) as PlanReport;
  t.match(report, { format: 1, file: edited, against: 'running', generation: 1, sessions: 1, summary: { changes: 3, refused: 0, disruptive: 3 } });
  t.same(report.actions.map((a) => `${a.sign} ${a.id}`), [`~ lun:${E2E_IQN}/1`, `+ lun:${E2E_IQN}/2`, `+ lun:${E2E_IQN}/4`]);
  t.same(await lunsNow(), before, 'the daemon serves what it served');
  t.same(before, [`1:${16 * 2 ** 20}`]);
  const status = await client.status();
  t.equal(status.generation, 1, 'no reload happened');
  t.same(status.notApplied, []);
});

t.test('an invalid file: exit 1 with file:line:field, nothing changes', async (t) => {
  const bad = join(daemon.dir, 'bad.yaml');
  const text = fileTargetYaml(daemon.port, daemon.dir, [LUN1, LUN2]).replace('size: 8MiB', 'size: plenty');
  writeFileSync(bad, text);
  const line = text.split('\n').findIndex((l) => l.includes('size: plenty')) + 1;
  const r = await lunhost(['plan', bad], { cwd: daemon.dir });
  t.equal(r.code, 1);
  t.match(r.stderr, new RegExp(`bad\\.yaml:${line}:\\d+ targets\\[0\\]\\.luns\\[1\\]\\.size: must be a size`));
  t.equal(r.stdout, '');
  t.equal((await client.status()).generation, 1);
});

t.test('the reload applies that plan object by object: the failing LUN stays out, the rest applies', async (t) => {
  // Saving the file is a reload (the watcher): it applies the plan shown above.
  writeFileSync(daemon.configFile, fileTargetYaml(daemon.port, daemon.dir, [LUN1_GROWN, LUN2, LUN4]));
  t.ok(await eventually(async () => (await client.status()).lastReload?.trigger === 'file'), 'the watcher reloaded');
  t.same(await lunsNow(), [`1:${32 * 2 ** 20}`, `2:${8 * 2 ** 20}`], 'LUN 1 grown, LUN 2 added, LUN 4 not attached');
  const cap = await runTool('iscsi-readcapacity16', [`${daemon.url}/${E2E_IQN}/1`]);
  t.match(cap.stdout, /Total size:33554432\b/, 'READ CAPACITY returns the new size');

  const byFile = await client.lastPlan() as AppliedPlan;
  t.match(byFile, { trigger: 'file', ok: false, generation: 2, summary: { changes: 3, applied: 2, failed: 1 } });
  t.same(byFile.actions.map((a) => `${a.id} ${a.outcome}`), [`lun:${E2E_IQN}/1 ok`, `lun:${E2E_IQN}/2 ok`, `lun:${E2E_IQN}/4 failed`]);
  t.match(byFile.actions[2]!.error, /LUN 4 of .* not attached: cannot open file .*blocker\/four\.img: .*a parent of this path is not a directory/);

  // `lunhost reload` retries what failed (and only that): it fails again, nothing else is touched.
  const reload = await lunhost(['reload', '--config', daemon.configFile]);
  t.equal(reload.code, 1, 'the retried action failed again');
  t.match(reload.stdout, /^  \+ lun 4 \(file .*four\.img, 8 MiB\)\n      FAILED: LUN 4 of .* not attached/m, 'reload prints what it applied and what failed');
  const retried = await client.lastPlan() as AppliedPlan;
  t.match(retried, { trigger: 'api', ok: false, generation: 2, summary: { changes: 1, applied: 0, failed: 1 } });
  t.same(retried.actions.map((a) => `${a.id} ${a.outcome}`), [`lun:${E2E_IQN}/4 failed`]);
  const history = await client.reloadHistory();
  t.same(history.map((h) => h.trigger), ['api', 'file', 'start'], 'newest first, start-up included');

  const status = await lunhost(['status', '--config', daemon.configFile]);
  t.equal(status.code, 0, status.stderr);
  t.match(status.stdout, /not applied: 1 action \(retried at the next reload or `lunhost rescan`\):/);
  t.match(status.stdout, new RegExp(`\\+ lun 4 \\(file ${daemon.dir}/blocker/four\\.img, 8 MiB\\) of ${E2E_IQN}\\n\\s+LUN 4 .*a parent of this path is not a directory`));
  t.match(status.stdout, /last reload: FAILED in part by lunhost reload .*what failed keeps its previous state, the rest is applied/);
  const json = await client.status() as StatusReport;
  t.match(json.notApplied, [{ id: `lun:${E2E_IQN}/4`, error: /not a directory/ }]);
});

t.test('the next plan shows exactly the failed action; rescan retries it once its cause is gone', async (t) => {
  const again = await lunhost(['plan', '--json', '--config', daemon.configFile]);
  t.equal(again.code, 2);
  t.same((JSON.parse(again.stdout) as PlanReport).actions.map((a) => `${a.sign} ${a.id}`), [`+ lun:${E2E_IQN}/4`]);
  rmSync(join(daemon.dir, 'blocker'));
  mkdirSync(join(daemon.dir, 'blocker'));
  const rescan = await lunhost(['rescan', '--config', daemon.configFile]);
  t.equal(rescan.code, 0, rescan.stderr + rescan.stdout);
  t.match(rescan.stdout, /retried what had not applied: 1 change applied/);
  t.same(await lunsNow(), [`1:${32 * 2 ** 20}`, `2:${8 * 2 ** 20}`, `4:${8 * 2 ** 20}`]);
  const status = await client.status();
  t.same(status.notApplied, []);
  t.match(status.lastReload, { ok: true, trigger: 'rescan' });
  const last = await client.lastPlan() as AppliedPlan;
  t.match(last, { trigger: 'rescan', ok: true, summary: { applied: 1, failed: 0 } });
  const done = await lunhost(['plan', '--config', daemon.configFile]);
  t.equal(done.code, 0, done.stdout);
});
