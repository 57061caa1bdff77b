import t from 'tap';
import { ScsiStatus, TaskManagementFunction, TaskManagementResponse, type ItNexus } from '../../../core/scsi/ScsiCommand.js';
import { ScsiTargetFixture, cdb, command, senseOf, testNexus } from '../../helpers/ScsiTargetFixture.js';

function tmf(f: ScsiTargetFixture, fn: TaskManagementFunction, o: { lun?: number; tag?: number; nexus?: ItNexus } = {}) {
  return f.target.taskManagement({ nexus: o.nexus ?? f.nexus, fn, lun: o.lun ?? f.lu.lun, referencedTaskTag: o.tag ?? 0 });
}

const READ1 = cdb(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0);

t.test('ABORT TASK: the task resolves TASK ABORTED after its I/O; response waits for it', async (t) => {
  const f = await ScsiTargetFixture.create();
  const release = f.store.hold();
  const arrived = f.store.arrived();
  const pending = f.target.execute(command(READ1, { nexus: f.nexus, lun: 1, taskTag: 77 }));
  await arrived;
  t.equal(await tmf(f, TaskManagementFunction.QueryTask, { tag: 77 }), TaskManagementResponse.Succeeded);
  let responded = false;
  const abort = tmf(f, TaskManagementFunction.AbortTask, { tag: 77 }).then((r) => { responded = true; return r; });
  await new Promise((r) => setImmediate(r));
  t.equal(responded, false, 'not before the store I/O ends');
  release();
  t.equal(await abort, TaskManagementResponse.Complete);
  const r = await pending;
  t.equal(r.status, ScsiStatus.TaskAborted);
  t.equal(r.dataIn, null);
  t.equal(await tmf(f, TaskManagementFunction.QueryTask, { tag: 77 }), TaskManagementResponse.Complete, 'gone');
});

t.test('ABORT TASK of an unknown tag; TMFs on absent LUNs', async (t) => {
  const f = await ScsiTargetFixture.create();
  t.equal(await tmf(f, TaskManagementFunction.AbortTask, { tag: 5 }), TaskManagementResponse.TaskDoesNotExist);
  t.equal(await tmf(f, TaskManagementFunction.AbortTaskSet, { lun: 9 }), TaskManagementResponse.LunDoesNotExist);
  t.equal(await tmf(f, TaskManagementFunction.LogicalUnitReset, { lun: 0 }), TaskManagementResponse.Complete, 'controller');
  t.equal(await tmf(f, TaskManagementFunction.ClearAca), TaskManagementResponse.Complete, 'no ACA condition ever exists');
  t.equal(await tmf(f, TaskManagementFunction.TaskReassign), TaskManagementResponse.NotSupported);
});

t.test('ABORT TASK SET aborts only this nexus\'s tasks', async (t) => {
  const f = await ScsiTargetFixture.create();
  const other = testNexus('iqn.2026-11.io.lunhost.test:other');
  f.target.nexusOpened(other);
  await f.target.execute(command(cdb(0x00), { nexus: other, lun: 1 }));
  const release = f.store.hold();
  const arrived = f.store.arrived();
  const mine = f.target.execute(command(READ1, { nexus: f.nexus, lun: 1 }));
  const theirs = f.target.execute(command(READ1, { nexus: other, lun: 1 }));
  await arrived;
  const abort = tmf(f, TaskManagementFunction.AbortTaskSet);
  release();
  t.equal(await abort, TaskManagementResponse.Complete);
  t.equal((await mine).status, ScsiStatus.TaskAborted);
  t.equal((await theirs).status, ScsiStatus.Good);
});

t.test('CLEAR TASK SET aborts all and tells the other initiators', async (t) => {
  const f = await ScsiTargetFixture.create();
  const other = testNexus('iqn.2026-11.io.lunhost.test:other');
  f.target.nexusOpened(other);
  await f.target.execute(command(cdb(0x00), { nexus: other, lun: 1 }));
  const release = f.store.hold();
  const arrived = f.store.arrived();
  const theirs = f.target.execute(command(READ1, { nexus: other, lun: 1 }));
  await arrived;
  const clear = tmf(f, TaskManagementFunction.ClearTaskSet);
  release();
  t.equal(await clear, TaskManagementResponse.Complete);
  t.equal((await theirs).status, ScsiStatus.TaskAborted);
  const r = await f.target.execute(command(cdb(0x00), { nexus: other, lun: 1 }));
  t.same(senseOf(r), { key: 0x06, asc: 0x2f, ascq: 0x00 }, 'COMMANDS CLEARED BY ANOTHER INITIATOR');
  t.equal((await f.run(cdb(0x00))).status, ScsiStatus.Good, 'not the requester');
});

t.test('LOGICAL UNIT RESET aborts everything and raises BUS DEVICE RESET on every nexus', async (t) => {
  const f = await ScsiTargetFixture.create();
  const release = f.store.hold();
  const arrived = f.store.arrived();
  const w = f.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0), { dataOut: Buffer.alloc(512, 1) });
  await arrived;
  const reset = tmf(f, TaskManagementFunction.LogicalUnitReset);
  release();
  t.equal(await reset, TaskManagementResponse.Complete);
  t.equal((await w).status, ScsiStatus.TaskAborted);
  t.same(senseOf(await f.run(cdb(0x00))), { key: 0x06, asc: 0x29, ascq: 0x03 });
});

t.test('TARGET WARM RESET resets every LUN', async (t) => {
  const f = await ScsiTargetFixture.create();
  t.equal(await tmf(f, TaskManagementFunction.TargetWarmReset), TaskManagementResponse.Complete);
  t.same(senseOf(await f.run(cdb(0x00))), { key: 0x06, asc: 0x29, ascq: 0x03 });
  t.same(senseOf(await f.run(cdb(0x00), { lun: 0 })), { key: 0x06, asc: 0x29, ascq: 0x03 });
});

t.test('nexusClosed aborts that nexus\'s tasks', async (t) => {
  const f = await ScsiTargetFixture.create();
  const release = f.store.hold();
  const arrived = f.store.arrived();
  const r = f.run(READ1);
  await arrived;
  f.target.nexusClosed(f.nexus);
  release();
  t.equal((await r).status, ScsiStatus.TaskAborted);
  t.equal(f.lu.inFlight, 0);
});
