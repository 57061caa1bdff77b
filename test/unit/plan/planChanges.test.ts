import t from 'tap';
import type { Declaration } from '../../../core/config/Declaration.js';
import type { PlanAction } from '../../../core/plan/Plan.js';
import { planChanges } from '../../../core/plan/planChanges.js';
import { EMPTY_RUNNING_VIEW, type RunningView } from '../../../core/plan/RunningView.js';
import { declare, fileLun, oneTarget } from '../../fixtures/host/declare.js';

/** What runs when `d` was applied completely (sizes as declared unless overridden). */
function running(d: Declaration, sizes: Record<string, number> = {}): RunningView {
  return {
    portals: d.portals,
    targets: d.targets,
    lunSize: (target, lun) => sizes[`${target}/${lun}`] ?? (d.targets.find((x) => x.name === target)?.luns.find((l) => l.lun === lun)?.size as number | undefined) ?? null,
  };
}

const kinds = (actions: readonly PlanAction[]) => actions.map((a) => a.kind);
const T1 = 'iqn.2026-11.io.lunhost:t1';

t.test('start-up: portals, then targets, then one add-lun per LUN', async (t) => {
  const d = await declare(oneTarget(fileLun(1, './a.img', '1G') + fileLun(2, './b.img', '2G')));
  const p = planChanges(d, EMPTY_RUNNING_VIEW);
  t.same(kinds(p.actions), ['add-portal', 'add-target', 'add-lun', 'add-lun']);
  const lun2 = p.actions[3] as Extract<PlanAction, { kind: 'add-lun' }>;
  t.equal(lun2.targetName, T1);
  t.equal(lun2.lun.lun, 2);
});

t.test('nothing changed: empty plan', async (t) => {
  const d = await declare(oneTarget(fileLun(1, './a.img', '1G')));
  const again = await declare(oneTarget(fileLun(1, './a.img', '1G')));
  t.same(planChanges(again, running(d)).actions, []);
});

t.test('portals: add, change, remove', async (t) => {
  const before = await declare(`portals:
  - name: p1
    listen: 127.0.0.1:3260
  - name: p2
    listen: 127.0.0.1:3261
targets: []
`);
  const after = await declare(`portals:
  - name: p1
    listen: 127.0.0.1:3262
  - name: p3
    listen: 127.0.0.1:3263
targets: []
`);
  const p = planChanges(after, running(before));
  t.same(kinds(p.actions), ['remove-portal', 'change-portal', 'add-portal']);
  t.match(p.actions[0], { portal: { name: 'p2' } });
  t.match(p.actions[1], { before: { port: 3260 }, after: { port: 3262 } });
});

t.test('targets: add, remove, change of alias/bindings/auth/options/portals', async (t) => {
  const before = await declare(oneTarget(fileLun(1, './a.img', '1G')) + `  - iqn: iqn.2026-11.io.lunhost:gone
    bindings: [ALL]
    luns: []
`);
  const after = await declare(oneTarget(fileLun(1, './a.img', '1G'), '    alias: renamed\n    options: { MaxRecvDataSegmentLength: 65536 }\n').replace('bindings: [ALL]', 'bindings: [{ address: 10.0.0.0/8 }]') + `  - iqn: iqn.2026-11.io.lunhost:new
    bindings: [ALL]
    luns: []
`);
  const p = planChanges(after, running(before));
  t.same(kinds(p.actions), ['remove-target', 'change-target', 'add-target']);
  t.match(p.actions[0], { target: { name: 'iqn.2026-11.io.lunhost:gone' } });
  t.same((p.actions[1] as Extract<PlanAction, { kind: 'change-target' }>).changed, ['alias', 'bindings', 'options']);
});

t.test('LUNs: add, remove, replace when the store changes', async (t) => {
  const before = await declare(oneTarget(fileLun(1, './a.img', '1G') + fileLun(2, './b.img', '1G')));
  const after = await declare(oneTarget(fileLun(1, './a2.img', '1G') + fileLun(3, './c.img', '1G')));
  const p = planChanges(after, running(before));
  t.same(kinds(p.actions), ['remove-lun', 'replace-lun', 'add-lun']);
  t.match(p.actions[0], { lun: { lun: 2 } });
  t.match(p.actions[1], { before: { options: { path: './a.img' } }, after: { options: { path: './a2.img' } } });
  t.match(p.actions[2], { lun: { lun: 3 } });
  const ro = await declare(oneTarget(fileLun(1, './a.img', '1G', '        readOnly: true\n') + fileLun(2, './b.img', '1G')));
  t.same(kinds(planChanges(ro, running(before)).actions), ['replace-lun']);
});

t.test('LUN resize: grow; shrink refused unless allowShrink', async (t) => {
  const before = await declare(oneTarget(fileLun(1, './a.img', '1G')));
  const grow = planChanges(await declare(oneTarget(fileLun(1, './a.img', '2G'))), running(before));
  t.same(kinds(grow.actions), ['resize-lun']);
  t.match(grow.actions[0], { fromBytes: 2 ** 30, toBytes: 2 * 2 ** 30 });
  const shrink = planChanges(await declare(oneTarget(fileLun(1, './a.img', '512M'))), running(before));
  t.same(kinds(shrink.actions), ['refuse']);
  t.match((shrink.actions[0] as Extract<PlanAction, { kind: 'refuse' }>).reason, /from 1GiB to 512MiB.*allowShrink: true on targets\[0\]\.luns\[0\]/);
  const allowed = planChanges(await declare(oneTarget(fileLun(1, './a.img', '512M', '        allowShrink: true\n'))), running(before));
  t.same(kinds(allowed.actions), ['resize-lun']);
  t.match(allowed.actions[0], { fromBytes: 2 ** 30, toBytes: 2 ** 29 });
});

t.test('resize compares with the actual size of the store', async (t) => {
  const before = await declare(oneTarget(fileLun(1, './a.img', '1G')));
  const after = await declare(oneTarget(fileLun(1, './a.img', '2G')));
  t.same(planChanges(after, running(before, { [`${T1}/1`]: 2 * 2 ** 30 })).actions, [], 'already that size');
});

t.test('a LUN that is not running (failed to open) is added again', async (t) => {
  const d = await declare(oneTarget(fileLun(1, './a.img', '1G') + fileLun(2, './b.img', '1G')));
  const partial: RunningView = { ...running(d), targets: [{ ...d.targets[0]!, luns: [d.targets[0]!.luns[0]!] }] };
  const p = planChanges(d, partial);
  t.same(kinds(p.actions), ['add-lun']);
  t.match(p.actions[0], { lun: { lun: 2 } });
});
