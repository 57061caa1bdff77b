import t from 'tap';
import {
  ScsiStatus, TaskAttribute, TaskManagementFunction, TaskManagementResponse, type ScsiCommand, type ScsiResult,
} from '../../../core/scsi/ScsiCommand.js';
import { ScsiTargetFixture, cdb, command, senseOf } from '../../helpers/ScsiTargetFixture.js';

const READ1 = cdb(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0);
const TUR = cdb(0x00);

function withAttribute(c: ScsiCommand, taskAttribute: TaskAttribute): ScsiCommand {
  return { ...c, taskAttribute };
}

/** Runs `c` and records when it finishes in `order`. */
function track(f: ScsiTargetFixture, c: ScsiCommand, name: string, order: string[]): Promise<ScsiResult> {
  return f.target.execute(c).then((r) => { order.push(name); return r; });
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

t.test('ORDERED waits for earlier tasks; later SIMPLE tasks wait for it; HEAD OF QUEUE does not', async (t) => {
  const f = await ScsiTargetFixture.create();
  const order: string[] = [];
  const release = f.store.hold();
  const arrived = f.store.arrived();
  const first = track(f, command(READ1, { nexus: f.nexus, lun: 1 }), 'simple-before', order);
  await arrived;
  const ordered = track(f, withAttribute(command(TUR, { nexus: f.nexus, lun: 1 }), TaskAttribute.Ordered), 'ordered', order);
  const after = track(f, command(TUR, { nexus: f.nexus, lun: 1 }), 'simple-after', order);
  const hoq = track(f, withAttribute(command(TUR, { nexus: f.nexus, lun: 1 }), TaskAttribute.HeadOfQueue), 'head-of-queue', order);
  await hoq;
  for (let i = 0; i < 5; i++) await tick();
  t.same(order, ['head-of-queue'], 'only HEAD OF QUEUE ran while the earlier READ is held');
  release();
  const results = await Promise.all([first, ordered, after]);
  t.ok(results.every((r) => r.status === ScsiStatus.Good));
  t.same(order, ['head-of-queue', 'simple-before', 'ordered', 'simple-after']);
});

t.test('a task aborted while it waits behind an ORDERED task never runs', async (t) => {
  const f = await ScsiTargetFixture.create();
  const release = f.store.hold();
  const arrived = f.store.arrived();
  const held = f.target.execute(withAttribute(command(READ1, { nexus: f.nexus, lun: 1 }), TaskAttribute.Ordered));
  await arrived;
  const readsBefore = f.store.reads;
  const waiting = f.target.execute(command(READ1, { nexus: f.nexus, lun: 1, taskTag: 4242 }));
  await tick();
  const abort = f.target.taskManagement({ nexus: f.nexus, fn: TaskManagementFunction.AbortTask, lun: 1, referencedTaskTag: 4242 });
  release();
  t.equal(await abort, TaskManagementResponse.Complete);
  t.equal((await waiting).status, ScsiStatus.TaskAborted);
  t.equal((await held).status, ScsiStatus.Good);
  t.equal(f.store.reads, readsBefore, 'the aborted READ never reached the store');
});

t.test('QUERY TASK SET, CLEAR ACA, TARGET COLD RESET', async (t) => {
  const f = await ScsiTargetFixture.create();
  const tmf = (fn: TaskManagementFunction) => f.target.taskManagement({ nexus: f.nexus, fn, lun: 1, referencedTaskTag: 0 });
  t.equal(await tmf(TaskManagementFunction.QueryTaskSet), TaskManagementResponse.Complete, 'no task');
  const release = f.store.hold();
  const arrived = f.store.arrived();
  const pending = f.run(READ1);
  await arrived;
  t.equal(await tmf(TaskManagementFunction.QueryTaskSet), TaskManagementResponse.Succeeded, 'a task in the set');
  t.equal(await tmf(TaskManagementFunction.ClearAca), TaskManagementResponse.Complete);
  release();
  await pending;
  t.equal(await tmf(TaskManagementFunction.TargetColdReset), TaskManagementResponse.Complete);
  t.same(senseOf(await f.run(TUR)), { key: 0x06, asc: 0x29, ascq: 0x01 }, 'POWER ON OCCURRED');
  t.same(senseOf(await f.run(TUR, { lun: 0 })), { key: 0x06, asc: 0x29, ascq: 0x01 }, 'on the controller LUN too');
});

t.test('NACA=1 in the CONTROL byte: INVALID FIELD IN CDB', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(cdb(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0x04));
  t.same(senseOf(r), { key: 0x05, asc: 0x24, ascq: 0x00 });
  t.equal((r.sense as Buffer).readUInt16BE(16), 9, 'points at the CONTROL byte');
});
