/** Removable LUNs: INQUIRY RMB, START STOP UNIT eject/load, PREVENT ALLOW MEDIUM REMOVAL, NOT READY while ejected. */
import t from 'tap';
import { ScsiStatus, TaskManagementFunction } from '../../../core/scsi/ScsiCommand.js';
import { ScsiTarget } from '../../../core/scsi/ScsiTarget.js';
import { MemoryLogger } from '../../helpers/MemoryLogger.js';
import { MemoryStore } from '../../helpers/MemoryStore.js';
import { cdb, command, senseOf, testNexus, TEST_IQN } from '../../helpers/ScsiTargetFixture.js';

const NOT_PRESENT = { key: 0x02, asc: 0x3a, ascq: 0 };
const PREVENTED = { key: 0x05, asc: 0x53, ascq: 0x02 };
const eject = cdb(0x1b, 0, 0, 0, 0x02);
const load = cdb(0x1b, 0, 0, 0, 0x03);
const prevent = (on: number) => cdb(0x1e, 0, 0, 0, on);

async function setup(removable = true) {
  const store = new MemoryStore({ size: 1024 * 512 });
  const target = new ScsiTarget({ name: TEST_IQN, log: new MemoryLogger() });
  const lu = target.attachLun({ lun: 1, store, blockSize: 512, readOnly: false, removable });
  const a = testNexus('iqn.2026-11.io.lunhost.test:a');
  const b = testNexus('iqn.2026-11.io.lunhost.test:b');
  target.nexusOpened(a);
  target.nexusOpened(b);
  const runAs = (nexus: typeof a) => (c: Buffer, dataOut: Buffer | null = null) => target.execute(command(c, { nexus, lun: 1, dataOut }));
  await runAs(a)(cdb(0x00));
  await runAs(b)(cdb(0x00));
  return { target, lu, store, a, b, run: runAs(a), runB: runAs(b) };
}

t.test('INQUIRY RMB follows the LUN', async (t) => {
  t.equal(((await (await setup(true)).run(cdb(0x12, 0, 0, 0, 96))).dataIn as Buffer)[1] & 0x80, 0x80);
  t.equal(((await (await setup(false)).run(cdb(0x12, 0, 0, 0, 96))).dataIn as Buffer)[1] & 0x80, 0);
});

t.test('eject: medium commands are NOT READY / MEDIUM NOT PRESENT until load; INQUIRY still answers', async (t) => {
  const f = await setup();
  t.equal((await f.run(eject)).status, ScsiStatus.Good);
  t.equal(f.store.flushes, 1, 'the eject flushed the store');
  t.same(senseOf(await f.run(cdb(0x00))), NOT_PRESENT, 'TEST UNIT READY');
  t.same(senseOf(await f.run(cdb(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0))), NOT_PRESENT, 'READ(10)');
  t.same(senseOf(await f.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0), Buffer.alloc(512))), NOT_PRESENT, 'WRITE(10)');
  t.same(senseOf(await f.run(cdb(0x25))), NOT_PRESENT, 'READ CAPACITY(10)');
  t.same(senseOf(await f.run(cdb(0x35))), NOT_PRESENT, 'SYNCHRONIZE CACHE(10)');
  t.same(senseOf(await f.run(cdb(0x2f, 0, 0, 0, 0, 0, 0, 0, 1, 0))), NOT_PRESENT, 'VERIFY(10)');
  t.same(senseOf(await f.run(cdb(0x41, 0, 0, 0, 0, 0, 0, 0, 1, 0), Buffer.alloc(512))), NOT_PRESENT, 'WRITE SAME(10)');
  t.equal((await f.run(cdb(0x12, 0, 0, 0, 96))).status, ScsiStatus.Good, 'INQUIRY');
  t.equal((await f.run(load)).status, ScsiStatus.Good);
  t.equal((await f.run(cdb(0x00))).status, ScsiStatus.Good);
});

t.test('a POWER CONDITION or LOEJ=0 ejects nothing; a fixed LUN ignores LOEJ', async (t) => {
  const f = await setup();
  t.equal((await f.run(cdb(0x1b, 1, 0, 0, 0x12))).status, ScsiStatus.Good, 'PC=1, LOEJ=1, START=0');
  t.equal((await f.run(cdb(0x1b, 0, 0, 0, 0x00))).status, ScsiStatus.Good, 'LOEJ=0 START=0');
  t.equal((await f.run(cdb(0x00))).status, ScsiStatus.Good);
  const fixed = await setup(false);
  t.equal((await fixed.run(eject)).status, ScsiStatus.Good);
  t.equal((await fixed.run(cdb(0x00))).status, ScsiStatus.Good);
});

t.test('PREVENT blocks eject and load from every nexus until allowed', async (t) => {
  const f = await setup();
  t.equal((await f.run(prevent(1))).status, ScsiStatus.Good);
  t.same(senseOf(await f.run(eject)), PREVENTED);
  t.same(senseOf(await f.runB(eject)), PREVENTED, 'another nexus too');
  t.equal((await f.run(cdb(0x00))).status, ScsiStatus.Good, 'the medium stayed');
  t.equal((await f.runB(prevent(0))).status, ScsiStatus.Good, 'the other nexus cannot withdraw our prevention');
  t.same(senseOf(await f.run(eject)), PREVENTED);
  t.equal((await f.run(prevent(0))).status, ScsiStatus.Good);
  t.equal((await f.run(eject)).status, ScsiStatus.Good);
  t.equal((await f.run(prevent(1))).status, ScsiStatus.Good);
  t.same(senseOf(await f.run(load)), PREVENTED, 'loading is refused too');
  t.same(senseOf(await f.run(prevent(2))), { key: 0x05, asc: 0x24, ascq: 0 }, 'PREVENT 10b');
});

t.test('prevention ends with the nexus and with a LOGICAL UNIT RESET', async (t) => {
  const f = await setup();
  await f.runB(prevent(1));
  f.target.nexusClosed(f.b);
  t.equal(f.lu.preventers.size, 0, 'nexus loss');
  await f.run(prevent(1));
  await f.target.taskManagement({ nexus: f.a, fn: TaskManagementFunction.LogicalUnitReset, lun: 1, referencedTaskTag: 0 });
  t.equal(f.lu.preventers.size, 0, 'LUN reset');
  await f.run(cdb(0x00)); // the reset's unit attention
  t.equal((await f.run(eject)).status, ScsiStatus.Good);
});
