import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { OPCODES } from '../../../core/scsi/ScsiTarget.js';
import { OpcodeTable } from '../../../core/scsi/OpcodeTable.js';
import { ALL_COMMANDS } from '../../../core/scsi/commands/index.js';
import { testUnitReady } from '../../../core/scsi/commands/testUnitReady.js';
import { ScsiTargetFixture, cdb, senseOf } from '../../helpers/ScsiTargetFixture.js';

t.test('every definition is consistent for REPORT SUPPORTED OPERATION CODES', async (t) => {
  for (const d of ALL_COMMANDS) {
    t.equal(d.usageData.length, d.cdbLength, `${d.name} usage data length`);
    t.equal(d.usageData[0], d.opcode, `${d.name} usage data starts with the opcode`);
    const c = Buffer.alloc(16);
    c[0] = d.opcode;
    if (d.serviceAction !== undefined) c[1] = d.serviceAction;
    t.equal(OPCODES.lookup(c), d, `${d.name} is found by its CDB`);
  }
  t.equal(OPCODES.definitions().length, ALL_COMMANDS.length);
});

t.test('the table refuses duplicates and malformed entries', async (t) => {
  t.throws(() => new OpcodeTable([testUnitReady, testUnitReady]), /defined twice/);
  t.throws(() => new OpcodeTable([{ ...testUnitReady, usageData: [0x00] }]), /usageData/);
});

t.test('unsupported opcode: INVALID COMMAND OPERATION CODE', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(cdb(0xc0));
  t.equal(r.status, ScsiStatus.CheckCondition);
  t.same(senseOf(r), { key: 0x05, asc: 0x20, ascq: 0x00 });
  t.equal((r.sense as Buffer).length, 18);
});

t.test('TEST UNIT READY and START STOP UNIT', async (t) => {
  const f = await ScsiTargetFixture.create();
  t.equal((await f.run(cdb(0x00))).status, ScsiStatus.Good);
  t.equal((await f.run(cdb(0x00), { lun: 0 })).status, ScsiStatus.Good, 'controller');
  t.same(senseOf(await f.run(cdb(0x00), { lun: 12 })), { key: 0x05, asc: 0x25, ascq: 0x00 }, 'absent');
  t.equal((await f.run(cdb(0x1b, 0, 0, 0, 0x01))).status, ScsiStatus.Good);
});
