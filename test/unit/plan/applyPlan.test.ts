import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { Declaration } from '../../../core/config/Declaration.js';
import { createHostHooks, type LunEvent } from '../../../core/host/HostHooks.js';
import { RunningState } from '../../../core/host/RunningState.js';
import { silentLogger } from '../../../core/log/createLogger.js';
import { applyPlan } from '../../../core/plan/applyPlan.js';
import { planChanges } from '../../../core/plan/planChanges.js';
import { declare, fileLun, oneTarget } from '../../fixtures/host/declare.js';
import { fakeWorld, type FakeWorld } from '../../fixtures/host/fakes.js';

const T1 = 'iqn.2026-11.io.lunhost:t1';
const dir = path.join(os.tmpdir(), `lunhost-apply-${process.pid}`);

function setup() {
  const world = fakeWorld();
  const { hooks } = createHostHooks();
  const state = new RunningState();
  const events: string[] = [];
  hooks.lunAttached.tap('t', (e: LunEvent) => events.push(`attached ${e.lun}`));
  hooks.lunDetached.tap('t', (e: LunEvent) => events.push(`detached ${e.lun}`));
  hooks.lunResized.tap('t', (e) => events.push(`resized ${e.lun} ${e.previousSize}->${e.size}`));
  const apply = async (d: Declaration) => applyPlan(planChanges(d, state.view()), state, {
    declaration: d, providers: world.providers, hooks, log: silentLogger(), createScsiTarget: world.createScsiTarget,
  });
  const decl = (yaml: string) => declare(yaml, world.providers, dir);
  return { world, state, events, apply, decl };
}

function scsi(world: FakeWorld) {
  return world.scsiTargets.get(T1)!;
}

t.test('start-up serves every LUN and hands the transport portals and targets', async (t) => {
  const { world, state, events, apply, decl } = setup();
  const report = await apply(await decl(oneTarget(fileLun(1, './a.img', '1G') + fileLun(2, './b.img', '2G'))));
  t.same(report.failed, []);
  t.same([...scsi(world).luns.keys()], [1, 2]);
  t.match(scsi(world).luns.get(2), { blockSize: 512, readOnly: false, store: world.stores.get('./b.img') });
  t.same(world.transport.portals.map((p) => p.name), ['p1']);
  t.same(world.transport.targets.map((x) => x.name), [T1]);
  t.ok(world.transport.targets[0]!.admits('iqn.any', '10.0.0.1'));
  t.equal(world.transport.targets[0]!.scsi, scsi(world));
  t.same(events, ['attached 1', 'attached 2']);
  t.equal(state.view().lunSize(T1, 2), 2 * 2 ** 30);
});

t.test('a store that cannot open fails only its LUN', async (t) => {
  const { world, apply, decl } = setup();
  world.failOpen.add('./missing.img');
  const report = await apply(await decl(oneTarget(fileLun(1, './missing.img', '1G') + fileLun(2, './b.img', '1G'))));
  t.equal(report.failed.length, 1);
  t.match(report.failed[0]!.error?.message, /LUN 1 of iqn\.2026-11\.io\.lunhost:t1 \(targets\[0\]\.luns\[0\]\) not attached: cannot open file \.\/missing\.img: ENOENT/);
  t.same([...scsi(world).luns.keys()], [2]);
  t.same(world.transport.targets.map((x) => x.name), [T1], 'the target still serves LUN 2');
});

t.test('a portal already in use is a clear error; the others listen', async (t) => {
  const { world, state, apply, decl } = setup();
  world.busyPorts.add(3261);
  const report = await apply(await decl(`portals:
  - name: good
    listen: 127.0.0.1:3260
  - name: busy
    listen: 127.0.0.1:3261
targets:
  - iqn: ${T1}
    bindings: [ALL]
    luns: []
`));
  t.equal(report.failed.length, 1);
  t.match(report.failed[0]!.error?.message, /portal busy \(127\.0\.0\.1:3261, iscsi-tcp\) cannot listen: .*EADDRINUSE.*another program/);
  t.same([...state.portals.keys()], ['good']);
  t.same(world.transport.portals.map((p) => p.name), ['good']);
});

t.test('reload: resize, remove, replace, bindings', async (t) => {
  const { world, state, events, apply, decl } = setup();
  await apply(await decl(oneTarget(fileLun(1, './a.img', '1G') + fileLun(2, './b.img', '1G') + fileLun(3, './c.img', '1G'))));
  const servedBefore = world.transport.targets[0];
  events.length = 0;
  const oldB = world.stores.get('./b.img')!;
  const oldC = world.stores.get('./c.img')!;
  const report = await apply(await decl(oneTarget(fileLun(1, './a.img', '2G') + fileLun(2, './b2.img', '1G')).replace('bindings: [ALL]', 'bindings: [{ address: 10.0.0.0/8 }]')));
  t.same(report.failed, []);
  t.equal(world.stores.get('./a.img')!.size, 2 * 2 ** 30, 'store resized');
  t.same(scsi(world).capacityChanges, [1], 'CAPACITY DATA HAS CHANGED raised');
  t.ok(oldB.closed, 'replaced store closed');
  t.ok(oldC.closed, 'removed store closed');
  t.equal(scsi(world).luns.get(2)!.store, world.stores.get('./b2.img'));
  t.same([...scsi(world).luns.keys()].sort(), [1, 2]);
  t.same(events.sort(), ['attached 2', 'detached 2', 'detached 3', `resized 1 ${2 ** 30}->${2 * 2 ** 30}`].sort());
  t.not(world.transport.targets[0], servedBefore, 'a changed target is a new ServedTarget');
  t.notOk(world.transport.targets[0]!.admits('iqn.x', '192.168.1.1'));
  t.ok(world.transport.targets[0]!.admits('iqn.x', '10.1.1.1'));
  t.same(world.transport.dropped, [T1], 'sessions no longer admitted are dropped');
  t.equal(state.view().lunSize(T1, 1), 2 * 2 ** 30);
});

t.test('reload: a replacement that cannot open keeps the old store serving; a refused shrink changes nothing', async (t) => {
  const { world, apply, decl } = setup();
  await apply(await decl(oneTarget(fileLun(1, './a.img', '1G') + fileLun(2, './b.img', '1G'))));
  world.failOpen.add('./broken.img');
  const report = await apply(await decl(oneTarget(fileLun(1, './a.img', '512M') + fileLun(2, './broken.img', '1G'))));
  t.equal(report.failed.length, 2);
  t.match(report.failed.map((f) => f.error?.message).join('\n'), /not replaced \(the previous store keeps serving\)/);
  t.match(report.failed.map((f) => f.error?.message).join('\n'), /allowShrink/);
  t.equal(scsi(world).luns.get(2)!.store, world.stores.get('./b.img'));
  t.notOk(world.stores.get('./b.img')!.closed);
  t.equal(world.stores.get('./a.img')!.size, 2 ** 30);
});

t.test('reload: removing a target stops serving it, drops its sessions, closes its stores', async (t) => {
  const { world, state, apply, decl } = setup();
  await apply(await decl(oneTarget(fileLun(1, './a.img', '1G'))));
  const report = await apply(await decl('portals:\n  - name: p1\n    listen: 127.0.0.1:3260\ntargets: []\n'));
  t.same(report.failed, []);
  t.same(world.transport.targets, []);
  t.same(world.transport.dropped, [T1]);
  t.ok(world.stores.get('./a.img')!.closed);
  t.equal(state.targets.size, 0);
});
