import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { ScsiTargetFixture, cdb, senseOf } from '../../helpers/ScsiTargetFixture.js';

t.test('READ CAPACITY(10): last LBA and block length', async (t) => {
  const f = await ScsiTargetFixture.create({ size: 1024 * 512 });
  const r = await f.run(cdb(0x25));
  t.equal(r.status, ScsiStatus.Good);
  const d = r.dataIn as Buffer;
  t.equal(d.length, 8);
  t.equal(d.readUInt32BE(0), 1023);
  t.equal(d.readUInt32BE(4), 512);
});

t.test('READ CAPACITY(10) with 4096-byte blocks', async (t) => {
  const f = await ScsiTargetFixture.create({ size: 64 * 4096, blockSize: 4096 });
  const d = (await f.run(cdb(0x25))).dataIn as Buffer;
  t.equal(d.readUInt32BE(0), 63);
  t.equal(d.readUInt32BE(4), 4096);
});

t.test('READ CAPACITY(10) beyond 2^32 blocks returns FFFFFFFFh', async (t) => {
  const f = await ScsiTargetFixture.create({ size: 1024 });
  // A store reporting a huge size without allocating it.
  Object.defineProperty(f.store, 'size', { get: () => 2 ** 33 * 512 });
  const d = (await f.run(cdb(0x25))).dataIn as Buffer;
  t.equal(d.readUInt32BE(0), 0xffffffff);
  const d16 = (await f.run(cdb(0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32))).dataIn as Buffer;
  t.equal(d16.readUInt32BE(0), 1, 'upper 32 bits of 2^33 - 1');
  t.equal(d16.readUInt32BE(4), 0xffffffff);
});

t.test('READ CAPACITY(10): PMI=0 with an LBA is invalid', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(cdb(0x25, 0, 0, 0, 0, 1));
  t.same(senseOf(r), { key: 0x05, asc: 0x24, ascq: 0x00 });
  const pmi = await f.run(cdb(0x25, 0, 0, 0, 0, 1, 0, 0, 1));
  t.equal(pmi.status, ScsiStatus.Good);
});

t.test('READ CAPACITY(16) via SERVICE ACTION IN(16)', async (t) => {
  const f = await ScsiTargetFixture.create({ size: 1024 * 512 });
  const r = await f.run(cdb(0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32));
  const d = r.dataIn as Buffer;
  t.equal(d.length, 32);
  t.equal(d.readUInt32BE(4), 1023);
  t.equal(d.readUInt32BE(8), 512);
  t.equal(d[14], 0, 'no LBPME without discard');
  const short = await f.run(cdb(0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12));
  t.equal(short.dataIn?.length, 12, 'allocation length');
  const thin = await ScsiTargetFixture.create({ capabilities: { discard: true, discardZeroes: true } });
  const dt = (await thin.run(cdb(0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32))).dataIn as Buffer;
  t.equal(dt[14], 0xc0, 'LBPME + LBPRZ');
});

t.test('unknown SERVICE ACTION IN(16) action is an invalid opcode', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(cdb(0x9e, 0x12));
  t.same(senseOf(r), { key: 0x05, asc: 0x20, ascq: 0x00 });
});

t.test('a resize shows at once; capacityChanged raises the UA on every nexus', async (t) => {
  const f = await ScsiTargetFixture.create({ size: 1024 * 512 });
  await f.store.resize(2048 * 512);
  f.lu.capacityChanged();
  const ua = await f.run(cdb(0x25));
  t.same(senseOf(ua), { key: 0x06, asc: 0x2a, ascq: 0x09 }, 'CAPACITY DATA HAS CHANGED');
  const d = (await f.run(cdb(0x25))).dataIn as Buffer;
  t.equal(d.readUInt32BE(0), 2047);
});
