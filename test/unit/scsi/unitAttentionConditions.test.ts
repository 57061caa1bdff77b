/**
 * The unit attention conditions SPC-4 names, per I_T nexus: which commands
 * establish them, for whom, and what clears them.
 */
import t from 'tap';
import { ScsiStatus, TaskManagementFunction } from '../../../core/scsi/ScsiCommand.js';
import { MemoryStore } from '../../helpers/MemoryStore.js';
import { ScsiTargetFixture, cdb, command, senseOf, testNexus } from '../../helpers/ScsiTargetFixture.js';

const TUR = cdb(0x00);
const REPORT_LUNS = cdb(0xa0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0);

t.test('REPORTED LUNS DATA HAS CHANGED: raised on the other LUs, cleared everywhere by REPORT LUNS', async (t) => {
  const f = await ScsiTargetFixture.create();
  f.target.attachLun({ lun: 2, store: new MemoryStore({ size: 64 * 512 }), blockSize: 512, readOnly: false });
  f.target.attachLun({ lun: 3, store: new MemoryStore({ size: 64 * 512 }), blockSize: 512, readOnly: false });
  t.same(senseOf(await f.run(TUR)), { key: 0x06, asc: 0x3f, ascq: 0x0e }, 'LUN 1 was told');
  t.equal((await f.run(REPORT_LUNS, { lun: 2 })).status, ScsiStatus.Good, 'REPORT LUNS through LUN 2');
  t.equal((await f.run(TUR, { lun: 0 })).status, ScsiStatus.Good, 'cleared on the controller LUN 0');
  t.equal((await f.run(TUR, { lun: 2 })).status, ScsiStatus.Good, 'cleared on LUN 2 (it only had the one for LUN 3)');
});

t.test('REPORT LUNS clears only that condition and only for its nexus', async (t) => {
  const f = await ScsiTargetFixture.create();
  const other = testNexus('iqn.2026-11.io.lunhost.test:other');
  f.target.nexusOpened(other);
  await f.target.execute(command(TUR, { nexus: other, lun: 1 }));
  f.lu.capacityChanged();
  f.target.attachLun({ lun: 2, store: new MemoryStore({ size: 64 * 512 }), blockSize: 512, readOnly: false });
  await f.run(REPORT_LUNS);
  t.same(senseOf(await f.run(TUR)), { key: 0x06, asc: 0x2a, ascq: 0x09 }, 'CAPACITY DATA HAS CHANGED stays');
  t.equal((await f.run(TUR)).status, ScsiStatus.Good);
  const theirs = await f.target.execute(command(TUR, { nexus: other, lun: 1 }));
  t.same(senseOf(theirs), { key: 0x06, asc: 0x2a, ascq: 0x09 }, 'the other nexus: capacity first');
  const theirs2 = await f.target.execute(command(TUR, { nexus: other, lun: 1 }));
  t.same(senseOf(theirs2), { key: 0x06, asc: 0x3f, ascq: 0x0e }, 'then its own REPORTED LUNS DATA HAS CHANGED');
});

t.test('LOGICAL UNIT RESET: BUS DEVICE RESET FUNCTION OCCURRED for every nexus, the requester included', async (t) => {
  const f = await ScsiTargetFixture.create();
  const other = testNexus('iqn.2026-11.io.lunhost.test:other');
  f.target.nexusOpened(other);
  await f.target.execute(command(TUR, { nexus: other, lun: 1 }));
  await f.target.taskManagement({ nexus: f.nexus, fn: TaskManagementFunction.LogicalUnitReset, lun: 1, referencedTaskTag: 0 });
  t.same(senseOf(await f.run(TUR)), { key: 0x06, asc: 0x29, ascq: 0x03 });
  t.same(senseOf(await f.target.execute(command(TUR, { nexus: other, lun: 1 }))), { key: 0x06, asc: 0x29, ascq: 0x03 });
});

t.test('INQUIRY neither reports nor clears a unit attention; REQUEST SENSE reports and clears it', async (t) => {
  const f = await ScsiTargetFixture.create();
  f.lu.capacityChanged();
  t.equal((await f.run(cdb(0x12, 0, 0, 0, 96, 0))).status, ScsiStatus.Good);
  const rs = await f.run(cdb(0x03, 0, 0, 0, 18, 0));
  t.equal(rs.status, ScsiStatus.Good);
  const d = rs.dataIn as Buffer;
  t.same([d[2] & 0x0f, d[12], d[13]], [0x06, 0x2a, 0x09]);
  t.equal((await f.run(TUR)).status, ScsiStatus.Good);
});
