import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { ScsiTargetFixture, cdb, senseOf } from '../../helpers/ScsiTargetFixture.js';

const BLOCKS = 1024;

t.test('WRITE(10) writes the data at the LBA', async (t) => {
  const f = await ScsiTargetFixture.create();
  const data = Buffer.alloc(1024, 0xab);
  const r = await f.run(cdb(0x2a, 0, 0, 0, 0, 3, 0, 0, 2, 0), { dataOut: data });
  t.equal(r.status, ScsiStatus.Good);
  t.equal(r.commandDataLength, undefined, 'no residual when the lengths agree');
  t.equal(f.store.data[3 * 512], 0xab);
  t.equal(f.store.data[5 * 512 - 1], 0xab);
  t.equal(f.store.data[5 * 512], 0);
  t.same(f.store.writeLog, [[1536, 1024, false]]);
});

t.test('WRITE(6) with length 0 writes 256 blocks; WRITE(12)/(16) parse', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r6 = await f.run(cdb(0x0a, 0, 0, 1, 0), { dataOut: Buffer.alloc(256 * 512, 1) });
  t.equal(r6.status, ScsiStatus.Good);
  t.same(f.store.writeLog[0], [512, 256 * 512, false]);
  const r12 = await f.run(cdb(0xaa, 0, 0, 0, 0x02, 0x00, 0, 0, 0, 1), { dataOut: Buffer.alloc(512, 2) });
  t.equal(r12.status, ScsiStatus.Good);
  t.same(f.store.writeLog[1], [512 * 512, 512, false]);
  const r16 = await f.run(cdb(0x8a, 0, 0, 0, 0, 0, 0, 0, 0x03, 0x00, 0, 0, 0, 2), { dataOut: Buffer.alloc(1024, 3) });
  t.equal(r16.status, ScsiStatus.Good);
  t.same(f.store.writeLog[2], [768 * 512, 1024, false]);
});

t.test('FUA is passed to the store (not for WRITE(6), which has no FUA bit)', async (t) => {
  const f = await ScsiTargetFixture.create();
  await f.run(cdb(0x2a, 0x08, 0, 0, 0, 0, 0, 0, 1, 0), { dataOut: Buffer.alloc(512) });
  await f.run(cdb(0x8a, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), { dataOut: Buffer.alloc(512) });
  await f.run(cdb(0x2a, 0x00, 0, 0, 0, 0, 0, 0, 1, 0), { dataOut: Buffer.alloc(512) });
  t.same(f.store.writeLog.map((w) => w[2]), [true, true, false]);
});

t.test('out of range: LBA OUT OF RANGE and nothing written', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(cdb(0x2a, 0, 0, 0, (BLOCKS - 1) >> 8, (BLOCKS - 1) & 0xff, 0, 0, 2, 0), { dataOut: Buffer.alloc(1024, 1) });
  t.same(senseOf(r), { key: 0x05, asc: 0x21, ascq: 0x00 });
  t.equal(f.store.writes, 0);
  t.equal(f.store.data.indexOf(1), -1);
});

t.test('read-only LUN: DATA PROTECT / WRITE PROTECTED', async (t) => {
  const f = await ScsiTargetFixture.create({ readOnly: true });
  const r = await f.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0), { dataOut: Buffer.alloc(512, 1) });
  t.same(senseOf(r), { key: 0x07, asc: 0x27, ascq: 0x00 });
  t.equal(f.store.writes, 0);
  const s = await ScsiTargetFixture.create({ capabilities: { readOnly: true } });
  const r2 = await s.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0), { dataOut: Buffer.alloc(512, 1) });
  t.same(senseOf(r2), { key: 0x07, asc: 0x27, ascq: 0x00 }, 'a store that declares itself read-only too');
});

t.test('more Data-Out than the CDB asks: write only the CDB amount, report it for the residual', async (t) => {
  const f = await ScsiTargetFixture.create();
  const data = Buffer.alloc(10000, 0x62);
  const r = await f.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0), { dataOut: data });
  t.equal(r.status, ScsiStatus.Good);
  t.equal(r.commandDataLength, 512);
  t.same(f.store.writeLog, [[0, 512, false]]);
  t.equal(f.store.data[512], 0, 'nothing beyond the CDB length');
});

t.test('less Data-Out than the CDB asks, in whole blocks: write those blocks, GOOD, residual length given', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 2, 0), { dataOut: Buffer.alloc(512, 0x62) });
  t.equal(r.status, ScsiStatus.Good);
  t.equal(r.commandDataLength, 1024);
  t.same(f.store.writeLog, [[0, 512, false]]);
  t.equal(f.store.data[512], 0, 'the second block is untouched');
  const none = await f.run(cdb(0x2a, 0, 0, 0, 0, 4, 0, 0, 1, 0), { dataOut: null });
  t.equal(none.status, ScsiStatus.Good, 'no data at all: nothing written');
  t.equal(none.commandDataLength, 512);
  t.equal(f.store.writes, 1);
});

t.test('less Data-Out ending inside a block: nothing written, INVALID FIELD IN COMMAND IU', async (t) => {
  const f = await ScsiTargetFixture.create();
  const short = await f.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0), { dataOut: Buffer.alloc(200, 1) });
  t.equal(short.status, ScsiStatus.CheckCondition);
  t.same(senseOf(short), { key: 0x05, asc: 0x0e, ascq: 0x03 });
  t.equal(short.commandDataLength, 512);
  const partial = await f.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 2, 0), { dataOut: Buffer.alloc(700, 1) });
  t.same(senseOf(partial), { key: 0x05, asc: 0x0e, ascq: 0x03 });
  t.equal(f.store.writes, 0);
});

t.test('transfer length 0 writes nothing; with data it reports the residual', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  t.equal(r.status, ScsiStatus.Good);
  t.equal(r.commandDataLength, undefined);
  const r2 = await f.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 0, 0), { dataOut: Buffer.alloc(512) });
  t.equal(r2.status, ScsiStatus.Good);
  t.equal(r2.commandDataLength, 0);
  t.equal(f.store.writes, 0);
});

t.test('WRPROTECT non-zero is refused', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(cdb(0x8a, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), { dataOut: Buffer.alloc(512) });
  t.same(senseOf(r), { key: 0x05, asc: 0x24, ascq: 0x00 });
  t.equal(f.store.writes, 0);
});

t.test('store write errors map to WRITE ERROR / DATA PROTECT', async (t) => {
  const f = await ScsiTargetFixture.create();
  const cases = [
    ['medium', 0x03, 0x0c, 0x00],
    ['write-protected', 0x07, 0x27, 0x00],
    ['space-exhausted', 0x07, 0x27, 0x07],
    ['not-ready', 0x02, 0x04, 0x01],
  ] as const;
  for (const [kind, key, asc, ascq] of cases) {
    f.store.failNext('write', kind);
    const r = await f.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0), { dataOut: Buffer.alloc(512) });
    t.same(senseOf(r), { key, asc, ascq }, kind);
  }
  t.equal(f.log.at('error').length, 0, 'expected store conditions are not logged');
});
