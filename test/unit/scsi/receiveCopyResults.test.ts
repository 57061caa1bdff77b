import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { ScsiTargetFixture, cdb, command, senseOf, testNexus } from '../../helpers/ScsiTargetFixture.js';
import { b2b, copyList, cscd, xcopyCdb } from '../../helpers/extendedCopyList.js';

function rcr(sa: number, listId = 0, alloc = 1024): Buffer {
  const c = cdb(0x84, sa, listId);
  c.writeUInt32BE(alloc, 10);
  return c;
}

const INVALID_FIELD_IN_CDB = { key: 0x05, asc: 0x24, ascq: 0x00 };

t.test('OPERATING PARAMETERS', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(rcr(0x03));
  t.equal(r.status, ScsiStatus.Good);
  const d = r.dataIn as Buffer;
  t.equal(d.readUInt32BE(0), d.length - 4, 'AVAILABLE DATA');
  t.ok(d.readUInt32BE(0) >= 40);
  t.equal(d[4] & 0x01, 1, 'SNLID');
  t.equal(d.readUInt16BE(8), 16, 'MAXIMUM CSCD DESCRIPTOR COUNT');
  t.equal(d.readUInt16BE(10), 64, 'MAXIMUM SEGMENT DESCRIPTOR COUNT');
  t.ok(d.readUInt32BE(12) >= 16 * 32 + 28, 'MAXIMUM DESCRIPTOR LIST LENGTH holds all CSCDs and a segment');
  t.equal(d.readUInt32BE(20), 0, 'no inline data');
  t.same([...d.subarray(44, 44 + d[43])], [0x02, 0xe4], 'implemented descriptor types');
  t.same(senseOf(await f.run(rcr(0x03, 5))), INVALID_FIELD_IN_CDB, 'LIST IDENTIFIER is reserved');
  t.equal(((await f.run(rcr(0x03, 0, 8))).dataIn as Buffer).length, 8, 'allocation length');
});

t.test('COPY STATUS: held for LIST ID USAGE 00b, per nexus, reported once', async (t) => {
  const f = await ScsiTargetFixture.create();
  t.same(senseOf(await f.run(rcr(0x00, 1))), INVALID_FIELD_IN_CDB, 'no copy with list id 1');
  const list = copyList([cscd(f.lu)], [b2b(0, 0, 4, 0, 100)], { listId: 1, usage: 0 });
  t.equal((await f.run(xcopyCdb(list.length), { dataOut: list })).status, ScsiStatus.Good);

  const other = testNexus('iqn.2026-11.io.lunhost.test:other');
  f.target.nexusOpened(other);
  await f.target.execute(command(cdb(0x00), { nexus: other, lun: 1 }));
  t.same(senseOf(await f.target.execute(command(rcr(0x00, 1), { nexus: other, lun: 1 }))), INVALID_FIELD_IN_CDB, 'another nexus does not see it');

  const r = await f.run(rcr(0x00, 1));
  t.equal(r.status, ScsiStatus.Good);
  const d = r.dataIn as Buffer;
  t.equal(d.readUInt32BE(0), 8, 'AVAILABLE DATA');
  t.equal(d[4], 0x01, 'completed without errors');
  t.equal(d.readUInt16BE(5), 1, 'segments processed');
  t.equal(d[7], 0x00, 'transfer count in bytes');
  t.equal(d.readUInt32BE(8), 4 * 512);
  t.same(senseOf(await f.run(rcr(0x00, 1))), INVALID_FIELD_IN_CDB, 'reported once');
});

t.test('COPY STATUS of a failed copy; discarded usage and closed nexus hold nothing', async (t) => {
  const f = await ScsiTargetFixture.create();
  const failing = copyList([cscd(f.lu)], [b2b(0, 0, 4, 0, 1022)], { listId: 2, usage: 0 });
  t.equal(senseOf(await f.run(xcopyCdb(failing.length), { dataOut: failing })).key, 0x0a);
  const d = (await f.run(rcr(0x00, 2))).dataIn as Buffer;
  t.equal(d[4], 0x02, 'completed with errors');
  t.equal(d.readUInt16BE(5), 0);

  const discard = copyList([cscd(f.lu)], [b2b(0, 0, 1, 0, 10)], { listId: 3, usage: 2 });
  t.equal((await f.run(xcopyCdb(discard.length), { dataOut: discard })).status, ScsiStatus.Good);
  t.same(senseOf(await f.run(rcr(0x00, 3))), INVALID_FIELD_IN_CDB);

  const held = copyList([cscd(f.lu)], [b2b(0, 0, 1, 0, 10)], { listId: 4, usage: 0 });
  t.equal((await f.run(xcopyCdb(held.length), { dataOut: held })).status, ScsiStatus.Good);
  f.target.nexusClosed(f.nexus);
  f.target.nexusOpened(f.nexus);
  await f.run(cdb(0x00));
  t.same(senseOf(await f.run(rcr(0x00, 4))), INVALID_FIELD_IN_CDB, 'forgotten with its nexus');
});

t.test('unsupported service actions', async (t) => {
  const f = await ScsiTargetFixture.create();
  t.same(senseOf(await f.run(rcr(0x01))), { key: 0x05, asc: 0x20, ascq: 0x00 }, 'RECEIVE DATA');
  t.same(senseOf(await f.run(rcr(0x04))), { key: 0x05, asc: 0x20, ascq: 0x00 }, 'FAILED SEGMENT DETAILS');
});
