/**
 * For each kind of change (portal, discovery CHAP, target, bindings, CHAP,
 * LUN add/remove/resize/option, refused shrink): the printed plan says what
 * will happen and to whom, and applying exactly that plan yields the declared
 * state (planning again finds nothing left to do).
 */
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import type { Declaration } from '../../../core/config/Declaration.js';
import { createHostHooks } from '../../../core/host/HostHooks.js';
import { RunningState } from '../../../core/host/RunningState.js';
import { silentLogger } from '../../../core/log/createLogger.js';
import { applyPlan } from '../../../core/plan/applyPlan.js';
import { describePlan } from '../../../core/plan/describePlan.js';
import type { Plan } from '../../../core/plan/Plan.js';
import { planChanges } from '../../../core/plan/planChanges.js';
import type { PlanReport } from '../../../core/plan/PlanReport.js';
import { renderPlan } from '../../../core/plan/renderPlan.js';
import type { SessionInfo } from '../../../core/transport/Transport.js';
import { declare, fileLun, oneTarget } from '../../fixtures/host/declare.js';
import { fakeWorld } from '../../fixtures/host/fakes.js';

const T1 = 'iqn.2026-11.io.lunhost:t1';
const dir = path.join(os.tmpdir(), `lunhost-plan-kinds-${process.pid}`);

function session(initiatorName: string, remoteAddress = '127.0.0.1', targetName = T1): SessionInfo {
  return { id: `${initiatorName}@${remoteAddress}`, transport: 'iscsi-tcp', targetName, initiatorName, initiatorAlias: null, remoteAddress, discovery: false, connections: 1, parameters: {} };
}

/** A running world: apply() a declaration; plan() it with sessions; the text and JSON of that plan. */
function setup() {
  const world = fakeWorld();
  const { hooks } = createHostHooks();
  const state = new RunningState();
  const decl = (yaml: string) => declare(yaml, world.providers, dir);
  const apply = async (d: Declaration, plan: Plan = planChanges(d, state.view())) => applyPlan(plan, state, {
    declaration: d, providers: world.providers, hooks, log: silentLogger(), createScsiTarget: world.createScsiTarget,
  });
  const plan = (d: Declaration, sessions: SessionInfo[] = []): { plan: Plan; report: PlanReport; text: string } => {
    const p = planChanges(d, state.view());
    const report = describePlan(p, {
      sessions, running: state.view(), describeStore: (lun) => world.providers.store(lun.store)!.describe(lun.options),
    }, { file: d.file, against: 'running', generation: 1 });
    return { plan: p, report, text: renderPlan(report) };
  };
  /** Apply exactly the plan shown, then check that nothing is left to do. */
  const applyShown = async (t: Test, d: Declaration, shown: Plan) => {
    const result = await apply(d, shown);
    t.same(result.failed.map((f) => f.error?.message), [], 'every action applied');
    t.same(planChanges(d, state.view()).actions, [], 'what runs is what is declared');
    return result;
  };
  return { world, state, decl, apply, plan, applyShown };
}

t.test('start-up: everything is added, nobody is disturbed', async (t) => {
  const { decl, plan, applyShown, world } = setup();
  const d = await decl(oneTarget(fileLun(1, './a.img', '10G') + fileLun(2, './b.img', '1G', '        readOnly: true\n')));
  const shown = plan(d);
  t.match(shown.text, /^  \+ portal p1 \(iscsi-tcp, listen 127\.0\.0\.1:3260\)$/m);
  t.match(shown.text, /^target iqn\.2026-11\.io\.lunhost:t1$/m);
  t.match(shown.text, /^  \+ lun 1 \(file \.\/a\.img, 10 GiB\)$/m);
  t.match(shown.text, /^  \+ lun 2 \(file \.\/b\.img, 1 GiB, read-only\)$/m);
  t.match(shown.text, /4 changes; a reload of this declaration \(`lunhost reload`, SIGHUP, saving the file\) applies them\./);
  t.same(shown.report.summary, { changes: 4, refused: 0, disruptive: 0 });
  t.same(shown.report.actions.map((a) => a.id), ['portal:p1', `target:${T1}`, `lun:${T1}/1`, `lun:${T1}/2`]);
  await applyShown(t, d, shown.plan);
  t.same([...world.scsiTargets.get(T1)!.luns.keys()], [1, 2]);
});

t.test('nothing changed: an empty plan says so', async (t) => {
  const { decl, plan, apply } = setup();
  const d = await decl(oneTarget(fileLun(1, './a.img', '1G')));
  await apply(d);
  const shown = plan(await decl(oneTarget(fileLun(1, './a.img', '1G'))));
  t.same(shown.report.actions, []);
  t.match(shown.text, /No changes: what runs matches the declaration\./);
});

t.test('LUN added, removed, grown, and an option changed, with sessions logged in', async (t) => {
  const { decl, plan, apply, applyShown, world } = setup();
  await apply(await decl(oneTarget(fileLun(1, './a.img', '1G') + fileLun(2, './b.img', '1G') + fileLun(4, './d.img', '1G'))));
  const oldB = world.stores.get('./b.img')!;
  const d = await decl(oneTarget(fileLun(1, './a.img', '2G') + fileLun(3, './c.img', '10G') + fileLun(4, './d.img', '1G', '        readOnly: true\n')));
  const shown = plan(d, [session('iqn.1993-08.org.debian:01:a'), session('iqn.1993-08.org.debian:01:b', '127.0.0.2')]);
  t.match(shown.text, /^\* - lun 2 \(file \.\/b\.img; in-flight commands drain first; 2 sessions will see REPORTED LUNS DATA HAS CHANGED\)$/m);
  t.match(shown.text, /^\* ~ lun 1 size 1 GiB → 2 GiB \(2 sessions get CAPACITY DATA HAS CHANGED\)$/m);
  t.match(shown.text, /^\* \+ lun 3 \(file \.\/c\.img, 10 GiB; 2 sessions will see REPORTED LUNS DATA HAS CHANGED\)$/m);
  t.match(shown.text, /^\* ~ lun 4 readOnly false → true \(the LUN is detached .* and attached again with the new settings; 2 sessions will see REPORTED LUNS DATA HAS CHANGED\)$/m);
  t.match(shown.text, /4 changes, 4 disturbing connected initiators \(marked \*\)/);
  const resize = shown.report.actions.find((a) => a.kind === 'resize-lun')!;
  t.same(resize.impacts, [{ kind: 'capacity-data-changed', sessions: 2, initiators: [] }]);
  t.same(resize.changes, [{ field: 'size', from: '1 GiB', to: '2 GiB', effect: '2 sessions get CAPACITY DATA HAS CHANGED' }]);
  await applyShown(t, d, shown.plan);
  const scsi = world.scsiTargets.get(T1)!;
  t.same([...scsi.luns.keys()].sort(), [1, 3, 4]);
  t.ok(oldB.closed, 'the removed LUN\'s store is closed');
  t.equal(world.stores.get('./a.img')!.size, 2 * 2 ** 30);
  t.same(scsi.capacityChanges, [1]);
  t.equal(scsi.luns.get(4)!.readOnly, true);
});

t.test('a LUN option (store path) changes: replace, shown field by field', async (t) => {
  const { decl, plan, apply, applyShown, world } = setup();
  await apply(await decl(oneTarget(fileLun(1, './a.img', '1G'))));
  const d = await decl(oneTarget(fileLun(1, './a2.img', '1G')));
  const shown = plan(d);
  t.match(shown.text, /^  ~ lun 1 path \.\/a\.img → \.\/a2\.img \(the LUN is detached/m);
  t.same(shown.report.actions[0]!.changes.map((c) => [c.field, c.from, c.to]), [['path', './a.img', './a2.img']]);
  t.notOk(shown.report.actions[0]!.disruptive, 'nobody logged in');
  await applyShown(t, d, shown.plan);
  t.equal(world.scsiTargets.get(T1)!.luns.get(1)!.store, world.stores.get('./a2.img'));
  const removable = await decl(oneTarget(fileLun(1, './a2.img', '1G', '        removable: true\n        blockSize: 4096\n')));
  const shown2 = plan(removable);
  t.match(shown2.text, /^  ~ lun 1 (removable false → true, blockSize 512 → 4096|blockSize 512 → 4096, removable false → true) \(the LUN is detached/m, 'every presentation field is named');
  await applyShown(t, removable, shown2.plan);
});

t.test('shrink refused: marked !, with the reason; applying changes nothing and it stays in the plan', async (t) => {
  const { decl, plan, apply, world } = setup();
  await apply(await decl(oneTarget(fileLun(4, './d.img', '1G'))));
  const d = await decl(oneTarget(fileLun(4, './d.img', '512M')));
  const shown = plan(d);
  t.match(shown.text, /^  ! lun 4: shrink refused \(allowShrink is false\)$/m);
  t.match(shown.text, /0 changes, 1 refused \(marked !\); a reload would change nothing/);
  t.match(shown.report.actions[0], { sign: '!', kind: 'refuse', reason: /allowShrink: true/ });
  const result = await apply(d, shown.plan);
  t.equal(result.failed.length, 1);
  t.equal(world.stores.get('./d.img')!.size, 2 ** 30, 'size unchanged');
  t.same(plan(d).report.actions.map((a) => a.kind), ['refuse']);
});

t.test('targets: added, removed (its sessions logged out), alias and options changed', async (t) => {
  const { decl, plan, apply, applyShown, world, state } = setup();
  await apply(await decl(oneTarget(fileLun(1, './a.img', '1G')) + `  - iqn: iqn.2026-11.io.lunhost:gone
    bindings: [ALL]
    luns:
${fileLun(0, './g.img', '1G')}`));
  const d = await decl(oneTarget(fileLun(1, './a.img', '1G'), '    alias: renamed\n    options: { MaxRecvDataSegmentLength: 65536 }\n') + `  - iqn: iqn.2026-11.io.lunhost:new
    bindings: [ALL]
    luns: []
`);
  const shown = plan(d, [session('iqn.x:gone-user', '10.0.0.9', 'iqn.2026-11.io.lunhost:gone'), session('iqn.x:t1-user')]);
  t.match(shown.text, /^target iqn\.2026-11\.io\.lunhost:gone\n\* - target iqn\.2026-11\.io\.lunhost:gone and its 1 LUN \(1 session will be asked to log out: iqn\.x:gone-user \(10\.0\.0\.9\)\)$/m);
  t.match(shown.text, /^  ~ target iqn\.2026-11\.io\.lunhost:t1 alias: \(none\) → renamed$/m);
  t.match(shown.text, /^  ~ target iqn\.2026-11\.io\.lunhost:t1 options\.MaxRecvDataSegmentLength: \(none\) → 65536; applies to new logins/m);
  t.match(shown.text, /^  \+ target iqn\.2026-11\.io\.lunhost:new \(portals p1; bindings ALL; auth none\)$/m);
  const change = shown.report.actions.find((a) => a.kind === 'change-target')!;
  t.notOk(change.disruptive, 'alias/options do not disturb logged-in sessions');
  await applyShown(t, d, shown.plan);
  t.same([...state.targets.keys()].sort(), ['iqn.2026-11.io.lunhost:new', T1]);
  t.ok(world.stores.get('./g.img')!.closed);
  t.same(world.transport.dropped, ['iqn.2026-11.io.lunhost:gone']);
  t.equal(state.targets.get(T1)!.served.alias, 'renamed');
});

t.test('bindings: the initiator no longer admitted is named and logged out', async (t) => {
  const { decl, plan, apply, applyShown, world, state } = setup();
  await apply(await decl(oneTarget(fileLun(1, './a.img', '1G'))));
  const d = await decl(oneTarget(fileLun(1, './a.img', '1G')).replace('bindings: [ALL]', 'bindings: [{ address: 10.0.0.0/8 }]'));
  const shown = plan(d, [session('iqn.x:inside', '10.1.2.3'), session('iqn.x:outside', '192.168.1.5')]);
  t.match(shown.text, /^\* ~ target iqn\.2026-11\.io\.lunhost:t1 bindings: ALL → 10\.0\.0\.0\/8; initiator iqn\.x:outside \(192\.168\.1\.5\) will be logged out$/m);
  const a = shown.report.actions[0]!;
  t.same(a.impacts, [{ kind: 'logout', sessions: 1, initiators: ['iqn.x:outside'] }]);
  t.ok(a.disruptive);
  await applyShown(t, d, shown.plan);
  t.same(world.transport.dropped, [T1]);
  t.notOk(state.targets.get(T1)!.served.admits('iqn.x:outside', '192.168.1.5'));
  t.ok(state.targets.get(T1)!.served.admits('iqn.x:inside', '10.1.2.3'));
  const harmless = plan(await decl(oneTarget(fileLun(1, './a.img', '1G')).replace('bindings: [ALL]', 'bindings: [{ address: 10.0.0.0/8 }, { address: 192.168.0.0/16 }]')), [session('iqn.x:inside', '10.1.2.3')]);
  t.match(harmless.text, /bindings: 10\.0\.0\.0\/8 → 10\.0\.0\.0\/8, 192\.168\.0\.0\/16; no logged-in initiator is affected/);
  t.notOk(harmless.report.actions[0]!.disruptive);
});

t.test('CHAP: target and discovery credentials, never the secret', async (t) => {
  const { decl, plan, apply, applyShown, state } = setup();
  const chap = (secret: string) => `    auth:\n      chap: { username: rotor, secret: ${secret} }\n`;
  await apply(await decl(oneTarget(fileLun(1, './a.img', '1G'), chap('oldChapSecret-2026'))));
  const d = await decl(`discovery:\n  auth:\n    chap: { username: finder, secret: discoveryChap-2027 }\n` + oneTarget(fileLun(1, './a.img', '1G'), chap('newChapSecret-2027')));
  const shown = plan(d, [session('iqn.x:a')]);
  t.match(shown.text, /^  ~ discovery auth: none → CHAP user finder \(secret from inline\); new discovery sessions need the new credentials$/m);
  t.match(shown.text, /^  ~ target iqn\.2026-11\.io\.lunhost:t1 auth: CHAP user rotor \(secret from inline\) → CHAP user rotor \(secret from inline\) \(new secret\); new logins need the new credentials; the 1 session logged in stays$/m);
  const json = JSON.stringify(shown.report);
  t.notMatch(json, /ChapSecret|discoveryChap/, 'no secret in the JSON');
  t.notMatch(shown.text, /ChapSecret|discoveryChap/, 'no secret in the text');
  t.notOk(shown.report.actions.some((a) => a.disruptive), 'logged-in sessions stay');
  await applyShown(t, d, shown.plan);
  t.equal(state.targets.get(T1)!.served.auth?.chap?.secret, 'newChapSecret-2027');
  t.equal(state.discoveryAuth?.chap?.username, 'finder');
  const off = await decl(oneTarget(fileLun(1, './a.img', '1G'), chap('newChapSecret-2027')));
  const removing = plan(off);
  t.match(removing.text, /~ discovery auth: CHAP user finder \(secret from inline\) → none/);
  await applyShown(t, off, removing.plan);
  t.equal(state.discoveryAuth, null);
});

t.test('portals: added, moved (its connections closed), removed', async (t) => {
  const { decl, plan, apply, applyShown, world, state } = setup();
  await apply(await decl(`portals:
  - name: p1
    listen: 127.0.0.1:3260
  - name: p2
    listen: 127.0.0.1:3261
targets:
  - iqn: ${T1}
    bindings: [ALL]
    luns: []
`));
  const d = await decl(`portals:
  - name: p1
    listen: 127.0.0.1:3262
  - name: p3
    listen: 127.0.0.1:3263
targets:
  - iqn: ${T1}
    bindings: [ALL]
    portals: [p1, p3]
    luns: []
`);
  const shown = plan(d, [session('iqn.x:a')]);
  t.match(shown.text, /^portals and discovery$/m);
  t.match(shown.text, /^\* - portal p2 \(127\.0\.0\.1:3261; connections through 127\.0\.0\.1:3261 are closed \(up to 1 session\)\)$/m);
  t.match(shown.text, /^\* ~ portal p1 listen: 127\.0\.0\.1:3260 → 127\.0\.0\.1:3262; connections to 127\.0\.0\.1:3260 are closed \(up to 1 session\); initiators reconnect to 127\.0\.0\.1:3262$/m);
  t.match(shown.text, /^  \+ portal p3 \(iscsi-tcp, listen 127\.0\.0\.1:3263\)$/m);
  t.match(shown.text, /~ target iqn\.2026-11\.io\.lunhost:t1 portals: p1, p2 → p1, p3; sessions logged in through p2 end/);
  await applyShown(t, d, shown.plan);
  t.same([...state.portals.values()].map((p) => `${p.name}:${p.port}`).sort(), ['p1:3262', 'p3:3263']);
  t.same(world.transport.portals.map((p) => p.port).sort(), [3262, 3263]);
});

t.test('a portal that cannot move keeps its previous address; the plan shows it again', async (t) => {
  const { decl, plan, apply, world, state } = setup();
  await apply(await decl(oneTarget(fileLun(1, './a.img', '1G'))));
  world.busyPorts.add(3299);
  const d = await decl(oneTarget(fileLun(1, './a.img', '1G')).replace('127.0.0.1:3260', '127.0.0.1:3299'));
  const result = await apply(d, plan(d).plan);
  t.equal(result.failed.length, 1);
  t.match(result.failed[0]!.error?.message, /portal p1 \(127\.0\.0\.1:3299.*EADDRINUSE.*keeps its previous settings \(127\.0\.0\.1:3260\)/);
  t.equal(state.portals.get('p1')!.port, 3260);
  t.same(world.transport.portals.map((p) => p.port), [3260], 'still listening where it was');
  t.same(plan(d).report.actions.map((a) => a.kind), ['change-portal'], 'retried at the next reload');
});
