import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { ScsiTargetFixture, cdb, senseOf } from '../../helpers/ScsiTargetFixture.js';

t.test('MODE SENSE(6) all pages with block descriptor', async (t) => {
  const f = await ScsiTargetFixture.create({ size: 1024 * 512 });
  const r = await f.run(cdb(0x1a, 0, 0x3f, 0, 255));
  t.equal(r.status, ScsiStatus.Good);
  const d = r.dataIn as Buffer;
  t.equal(d[0], d.length - 1, 'mode data length');
  t.equal(d[2], 0x10, 'DPOFUA, not write protected');
  t.equal(d[3], 8, 'block descriptor length');
  t.equal(d.readUInt32BE(4), 1024, 'number of blocks');
  t.equal(d.readUIntBE(9, 3), 512, 'block length');
  let p = 12;
  const pages: number[] = [];
  while (p < d.length) {
    pages.push(d[p]);
    p += 2 + d[p + 1];
  }
  t.same(pages, [0x01, 0x08, 0x0a]);
  t.equal(p, d.length);
  t.equal(d.length, 4 + 8 + 12 + 20 + 12);
});

t.test('caching page: WCE set; changeable mask all zero', async (t) => {
  const f = await ScsiTargetFixture.create();
  const cur = (await f.run(cdb(0x1a, 0x08, 0x08, 0, 255))).dataIn as Buffer;
  t.equal(cur[3], 0, 'DBD: no block descriptor');
  t.same([cur[4], cur[5]], [0x08, 0x12]);
  t.equal(cur[6] & 0x04, 0x04, 'WCE');
  const chg = (await f.run(cdb(0x1a, 0x08, 0x48, 0, 255))).dataIn as Buffer;
  t.equal(chg[6], 0);
  const def = (await f.run(cdb(0x1a, 0x08, 0x88, 0, 255))).dataIn as Buffer;
  t.same(def, cur, 'default equals current');
});

t.test('saved values: SAVING PARAMETERS NOT SUPPORTED', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(cdb(0x1a, 0, 0xc8, 0, 255));
  t.same(senseOf(r), { key: 0x05, asc: 0x39, ascq: 0x00 });
});

t.test('unknown page or subpage: INVALID FIELD IN CDB', async (t) => {
  const f = await ScsiTargetFixture.create();
  const page = await f.run(cdb(0x1a, 0, 0x1c, 0, 255));
  t.same(senseOf(page), { key: 0x05, asc: 0x24, ascq: 0x00 });
  t.equal((page.sense as Buffer).readUInt16BE(16), 2);
  const sub = await f.run(cdb(0x1a, 0, 0x08, 0x01, 255));
  t.equal((sub.sense as Buffer).readUInt16BE(16), 3);
  const allSub = await f.run(cdb(0x1a, 0, 0x3f, 0xff, 255));
  t.equal(allSub.status, ScsiStatus.Good, '3Fh/FFh is all pages and subpages');
});

t.test('read-only LUN sets WP', async (t) => {
  const f = await ScsiTargetFixture.create({ readOnly: true });
  const d6 = (await f.run(cdb(0x1a, 0x08, 0x3f, 0, 255))).dataIn as Buffer;
  t.equal(d6[2], 0x90);
  const d10 = (await f.run(cdb(0x5a, 0x08, 0x3f, 0, 0, 0, 0, 0x01, 0x00))).dataIn as Buffer;
  t.equal(d10[3], 0x90);
});

t.test('MODE SENSE(10): short and long (LLBAA) descriptors, allocation length', async (t) => {
  const f = await ScsiTargetFixture.create({ size: 1024 * 512 });
  const d = (await f.run(cdb(0x5a, 0, 0x0a, 0, 0, 0, 0, 0x01, 0x00))).dataIn as Buffer;
  t.equal(d.readUInt16BE(0), d.length - 2);
  t.equal(d.readUInt16BE(6), 8);
  t.equal(d.readUInt32BE(8), 1024);
  t.same([d[16], d[17]], [0x0a, 0x0a], 'control page');
  const long = (await f.run(cdb(0x5a, 0x10, 0x0a, 0, 0, 0, 0, 0x01, 0x00))).dataIn as Buffer;
  t.equal(long[4] & 1, 1, 'LONGLBA');
  t.equal(long.readUInt16BE(6), 16);
  t.equal(long.readUInt32BE(12), 1024);
  t.equal(long.readUInt32BE(20), 512);
  const cut = (await f.run(cdb(0x5a, 0, 0x3f, 0, 0, 0, 0, 0x00, 0x0a))).dataIn as Buffer;
  t.equal(cut.length, 10);
});

t.test('not answered by the controller LUN 0', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(cdb(0x1a, 0, 0x3f, 0, 255), { lun: 0 });
  t.same(senseOf(r), { key: 0x05, asc: 0x20, ascq: 0x00 });
});
