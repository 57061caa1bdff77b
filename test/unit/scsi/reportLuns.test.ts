import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { encodeLun } from '../../../core/scsi/commands/reportLuns.js';
import { MemoryStore } from '../../helpers/MemoryStore.js';
import { ScsiTargetFixture, cdb, senseOf } from '../../helpers/ScsiTargetFixture.js';

function reportLunsCdb(select: number, alloc: number): Buffer {
  const c = cdb(0xa0, 0, select);
  c.writeUInt32BE(alloc, 6);
  return c;
}

t.test('lists LUN 0 (controller) and the attached LUNs, ascending', async (t) => {
  const f = await ScsiTargetFixture.create();
  f.target.attachLun({ lun: 300, store: new MemoryStore({ size: 4096 }), blockSize: 512, readOnly: false });
  const r = await f.run(reportLunsCdb(0, 4096), { lun: 0 });
  t.equal(r.status, ScsiStatus.Good);
  const d = r.dataIn as Buffer;
  t.equal(d.readUInt32BE(0), 24, 'LUN LIST LENGTH');
  t.same([...d.subarray(8, 10)], [0x00, 0x00]);
  t.same([...d.subarray(16, 18)], [0x00, 0x01]);
  t.same([...d.subarray(24, 26)], [0x41, 0x2c], 'flat space addressing for 300');
  t.same(f.target.lunNumbers(), [0, 1, 300]);
});

t.test('select report 2 equals 0, 1 lists no well-known LUNs, 3+ is invalid', async (t) => {
  const f = await ScsiTargetFixture.create();
  const all = (await f.run(reportLunsCdb(2, 4096))).dataIn as Buffer;
  t.equal(all.readUInt32BE(0), 16);
  const wk = (await f.run(reportLunsCdb(1, 4096))).dataIn as Buffer;
  t.equal(wk.length, 8);
  t.equal(wk.readUInt32BE(0), 0);
  const bad = await f.run(reportLunsCdb(3, 4096));
  t.same(senseOf(bad), { key: 0x05, asc: 0x24, ascq: 0x00 });
});

t.test('allocation length cuts the list but keeps the full LUN LIST LENGTH', async (t) => {
  const f = await ScsiTargetFixture.create();
  const d = (await f.run(reportLunsCdb(0, 16))).dataIn as Buffer;
  t.equal(d.length, 16);
  t.equal(d.readUInt32BE(0), 16);
});

t.test('answered on an absent LUN too', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(reportLunsCdb(0, 4096), { lun: 42 });
  t.equal(r.status, ScsiStatus.Good);
  t.equal((r.dataIn as Buffer).readUInt32BE(0), 16);
});

t.test('encodeLun', async (t) => {
  const b = Buffer.alloc(8);
  encodeLun(255, b, 0);
  t.same([...b.subarray(0, 2)], [0x00, 0xff]);
  encodeLun(16383, b, 0);
  t.same([...b.subarray(0, 2)], [0x7f, 0xff]);
});
