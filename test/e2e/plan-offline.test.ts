/**
 * `lunhost plan` with no daemon running: it plans against an empty state
 * (what `lunhost start` would do), with the exit status scripts rely on:
 * 0 no changes, 2 changes, 1 invalid declaration (file:line:field) or bad usage.
 */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlanReport } from '../../core/plan/PlanReport.js';
import { E2E_IQN, fileTargetYaml } from '../helpers/fileTargetYaml.js';
import { lunhost } from '../helpers/lunhostCli.js';

const dir = mkdtempSync(join(tmpdir(), 'lunhost-plan-offline-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'targets.yaml');
writeFileSync(file, fileTargetYaml(3260, dir, [{ lun: 1, file: 'one.img', size: '10GiB' }, { lun: 2, file: 'two.img', size: '1GiB', readOnly: true }]));

t.test('changes: exit 2, the plan against an empty state', async (t) => {
  const r = await lunhost(['plan'], { cwd: dir });
  t.equal(r.code, 2, r.stderr);
  t.match(r.stderr, /no lunhost answers at .*lunhost\.sock; planning against an empty state/);
  t.match(r.stdout, `Plan for ${file} against an empty state (no lunhost is running):`);
  t.match(r.stdout, /^  \+ portal test \(iscsi-tcp, listen 127\.0\.0\.1:3260\)$/m);
  t.match(r.stdout, new RegExp(`^target ${E2E_IQN}\\n  \\+ target ${E2E_IQN} \\(portals test; bindings ALL; auth none\\)$`, 'm'));
  t.match(r.stdout, new RegExp(`^  \\+ lun 1 \\(file ${dir}/one\\.img, 10 GiB\\)$`, 'm'));
  t.match(r.stdout, new RegExp(`^  \\+ lun 2 \\(file ${dir}/two\\.img, 1 GiB, read-only\\)$`, 'm'));
  t.match(r.stdout, /4 changes; `lunhost start` applies them\./);
});

t.test('--json: the same plan as data', async (t) => {
  const r = await lunhost(['plan', file, '--json']);
  t.equal(r.code, 2, r.stderr);
  const report = JSON.parse(r.stdout) as PlanReport;
  t.match(report, { format: 1, file, against: 'empty', generation: null, sessions: 0, summary: { changes: 4, refused: 0, disruptive: 0 } });
  t.same(report.actions.map((a) => [a.sign, a.kind, a.id]), [
    ['+', 'add-portal', 'portal:test'],
    ['+', 'add-target', `target:${E2E_IQN}`],
    ['+', 'add-lun', `lun:${E2E_IQN}/1`],
    ['+', 'add-lun', `lun:${E2E_IQN}/2`],
  ]);
  t.match(report.actions[2], { object: 'lun', target: E2E_IQN, lun: 1, portal: null, text: `lun 1 (file ${dir}/one.img, 10 GiB)`, disruptive: false, impacts: [] });
});

t.test('nothing declared: exit 0', async (t) => {
  const empty = join(dir, 'empty.yaml');
  writeFileSync(empty, 'portals: []\ntargets: []\n');
  const r = await lunhost(['plan', empty]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /No changes/);
});

t.test('invalid: exit 1 with file:line:field on stderr; bad usage: exit 1 too', async (t) => {
  const bad = join(dir, 'bad.yaml');
  const text = fileTargetYaml(3260, dir, [{ lun: 1, file: 'one.img', size: 'huge' }]);
  writeFileSync(bad, text);
  const line = text.split('\n').findIndex((l) => l.includes('size: huge')) + 1;
  const r = await lunhost(['plan', 'bad.yaml'], { cwd: dir });
  t.equal(r.code, 1);
  t.match(r.stderr, new RegExp(`bad\\.yaml:${line}:\\d+ targets\\[0\\]\\.luns\\[0\\]\\.size: must be a size`));
  t.match(r.stderr, /the declaration is invalid \(1 problem\); a reload would change nothing/);
  t.equal(r.stdout, '');
  const json = await lunhost(['plan', 'bad.yaml', '--json'], { cwd: dir });
  t.equal(json.code, 1);
  t.match(JSON.parse(json.stdout), { issues: [{ line, field: 'targets[0].luns[0].size' }] });
  const usage = await lunhost(['plan', 'a.yaml', 'b.yaml'], { cwd: dir });
  t.equal(usage.code, 1, 'never 2: 2 means changes');
  t.match(usage.stderr, /takes one file/);
});
