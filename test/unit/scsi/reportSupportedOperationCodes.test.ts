import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { ScsiTargetFixture, cdb, senseOf } from '../../helpers/ScsiTargetFixture.js';
import { thinTarget } from '../../helpers/thinTarget.js';

/** REPORT SUPPORTED OPERATION CODES CDB. */
function rsoc(options: number, opcode = 0, sa = 0, alloc = 65535, rctd = false): Buffer {
  return cdb(0xa3, 0x0c, (rctd ? 0x80 : 0) | options, opcode, sa >> 8, sa & 0xff, alloc >>> 24, (alloc >> 16) & 0xff, (alloc >> 8) & 0xff, alloc & 0xff);
}

interface Descriptor { opcode: number; sa: number; servactv: boolean; ctdp: boolean; cdbLength: number; timeoutLength?: number }

function parseAll(d: Buffer): Descriptor[] {
  const out: Descriptor[] = [];
  const end = 4 + d.readUInt32BE(0);
  for (let p = 4; p < end;) {
    const ctdp = (d[p + 5] & 0x02) !== 0;
    out.push({ opcode: d[p], sa: d.readUInt16BE(p + 2), servactv: (d[p + 5] & 0x01) !== 0, ctdp, cdbLength: d.readUInt16BE(p + 6), timeoutLength: ctdp ? d.readUInt16BE(p + 8) : undefined });
    p += ctdp ? 20 : 8;
  }
  return out;
}

const INVALID_FIELD_IN_CDB = { key: 0x05, asc: 0x24, ascq: 0x00 };

t.test('all commands: every descriptor is a command the LU runs', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(rsoc(0));
  t.equal(r.status, ScsiStatus.Good);
  const list = parseAll(r.dataIn as Buffer);
  const read10 = list.find((d) => d.opcode === 0x28);
  t.same(read10, { opcode: 0x28, sa: 0, servactv: false, ctdp: false, cdbLength: 10, timeoutLength: undefined });
  const rc16 = list.find((d) => d.opcode === 0x9e);
  t.same([rc16?.sa, rc16?.servactv, rc16?.cdbLength], [0x10, true, 16], 'READ CAPACITY(16) is service action 10h of 9Eh');
  t.ok(list.some((d) => d.opcode === 0xa3 && d.sa === 0x0c), 'lists itself');
  for (const d of list) if (!d.servactv) t.equal(d.sa, 0, `opcode ${d.opcode.toString(16)}: SA 0 without SERVACTV`);
  t.notOk(list.some((d) => d.opcode === 0x42), 'no UNMAP: the store cannot discard');
  for (const d of list) {
    // Each listed command answers the one-command form with its own usage data.
    const one = await f.run(rsoc(d.servactv ? 2 : 1, d.opcode, d.sa));
    t.equal(one.status, ScsiStatus.Good);
    const o = one.dataIn as Buffer;
    t.equal(o[1] & 0x07, 0x03, 'SUPPORT: supported per standard');
    t.equal(o.readUInt16BE(2), d.cdbLength);
    t.equal(o[4], d.opcode, 'CDB USAGE DATA starts with the opcode');
  }
});

t.test('a thin store lists UNMAP', async (t) => {
  const f = await thinTarget();
  const list = parseAll((await f.run(rsoc(0))).dataIn as Buffer);
  t.ok(list.some((d) => d.opcode === 0x42), 'UNMAP');
});

t.test('RCTD: every descriptor carries a 0Ah-long timeouts descriptor', async (t) => {
  const f = await ScsiTargetFixture.create();
  const list = parseAll((await f.run(rsoc(0, 0, 0, 65535, true))).dataIn as Buffer);
  t.ok(list.length > 10);
  t.ok(list.every((d) => d.ctdp && d.timeoutLength === 0x0a));
  const one = (await f.run(rsoc(1, 0x2a, 0, 65535, true))).dataIn as Buffer;
  t.equal(one[1], 0x83, 'CTDP + supported');
  t.equal(one.length, 4 + 10 + 12);
  t.equal(one.readUInt16BE(14), 0x0a);
});

t.test('one command: WRITE(10) usage data shows DPO and FUA', async (t) => {
  const f = await ScsiTargetFixture.create();
  const o = (await f.run(rsoc(1, 0x2a))).dataIn as Buffer;
  t.equal(o[5] & 0x18, 0x18);
  t.same([...o.subarray(4)], [0x2a, 0xf8, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff, 0x00]);
});

t.test('one command: unsupported opcode and service action', async (t) => {
  const f = await ScsiTargetFixture.create();
  const none = (await f.run(rsoc(1, 0xee))).dataIn as Buffer;
  t.same([...none], [0, 0x01, 0, 0], 'SUPPORT 001b, no usage data');
  const noSa = (await f.run(rsoc(2, 0x9e, 0x1e))).dataIn as Buffer;
  t.equal(noSa[1] & 0x07, 0x01);
  const either = (await f.run(rsoc(3, 0x9e, 0x10))).dataIn as Buffer;
  t.equal(either[1] & 0x07, 0x03, 'option 3 with a service action');
  const eitherPlain = (await f.run(rsoc(3, 0x28, 0x55))).dataIn as Buffer;
  t.equal(eitherPlain[4], 0x28, 'option 3 ignores SA of a plain opcode');
});

t.test('reporting option / service action mismatches: INVALID FIELD IN CDB', async (t) => {
  const f = await ScsiTargetFixture.create();
  t.same(senseOf(await f.run(rsoc(1, 0x9e, 0x10))), INVALID_FIELD_IN_CDB, 'option 1 on a service-action opcode');
  t.same(senseOf(await f.run(rsoc(2, 0x28))), INVALID_FIELD_IN_CDB, 'option 2 on a plain opcode');
  const bad = await f.run(rsoc(5));
  t.same(senseOf(bad), INVALID_FIELD_IN_CDB, 'reserved reporting option');
  t.equal((bad.sense as Buffer).readUInt16BE(16), 2, 'points at byte 2');
});

t.test('allocation length truncates', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(rsoc(0, 0, 0, 12));
  t.equal((r.dataIn as Buffer).length, 12);
  t.ok((r.dataIn as Buffer).readUInt32BE(0) > 8, 'COMMAND DATA LENGTH still tells the whole length');
});

t.test('the stand-in controller LUN 0 lists only what it answers', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(rsoc(0), { lun: 0 });
  t.equal(r.status, ScsiStatus.Good);
  const ops = parseAll(r.dataIn as Buffer).map((d) => d.opcode);
  t.ok(ops.includes(0x12) && ops.includes(0xa0), 'INQUIRY, REPORT LUNS');
  t.notOk(ops.includes(0x28), 'no READ(10)');
});

t.test('REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(cdb(0xa3, 0x0d, 0, 0, 0, 0, 0, 0, 0, 16));
  t.equal(r.status, ScsiStatus.Good);
  const d = r.dataIn as Buffer;
  t.same([...d], [0xfe, 0x02, 0, 0], 'ATS ATSS CACAS CTSS LURS QTS TRS; QTSS');
  const repd = (await f.run(cdb(0xa3, 0x0d, 0x80, 0, 0, 0, 0, 0, 0, 16))).dataIn as Buffer;
  t.equal(repd.length, 16);
  t.equal(repd[3], 0x0c, 'ADDITIONAL DATA LENGTH');
  const cut = (await f.run(cdb(0xa3, 0x0d, 0, 0, 0, 0, 0, 0, 0, 2))).dataIn as Buffer;
  t.equal(cut.length, 2);
});
