import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { ScsiTargetFixture, cdb, command, senseOf, testNexus } from '../../helpers/ScsiTargetFixture.js';

const INVALID_FIELD_IN_CDB = { key: 0x05, asc: 0x24, ascq: 0x00 };
const INVALID_FIELD_IN_PARAMETER_LIST = { key: 0x05, asc: 0x26, ascq: 0x00 };
const PARAMETER_LIST_LENGTH_ERROR = { key: 0x05, asc: 0x1a, ascq: 0x00 };
const WRITE_PROTECTED = { key: 0x07, asc: 0x27, ascq: 0x00 };

/** The current control page (12 bytes) as MODE SENSE(6) returns it. */
async function controlPage(f: ScsiTargetFixture, pc = 0): Promise<Buffer> {
  const d = (await f.run(cdb(0x1a, 0x08, (pc << 6) | 0x0a, 0, 255))).dataIn as Buffer;
  return Buffer.from(d.subarray(4, 4 + 12));
}

/** MODE SELECT(6) parameter list: 4-byte header (no block descriptor) + pages. */
function list6(...pages: Buffer[]): Buffer {
  return Buffer.concat([Buffer.alloc(4), ...pages]);
}

function select6(f: ScsiTargetFixture, data: Buffer, o: { pf?: boolean; sp?: boolean; length?: number } = {}) {
  const byte1 = (o.pf ?? true ? 0x10 : 0) | (o.sp ? 0x01 : 0);
  return f.run(cdb(0x15, byte1, 0, 0, o.length ?? data.length, 0), { dataOut: data });
}

const WRITE1 = cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0);

t.test('changeable mask: only SWP of the control page', async (t) => {
  const f = await ScsiTargetFixture.create();
  const chg = await controlPage(f, 1);
  t.same([...chg.subarray(2)], [0, 0, 0x08, 0, 0, 0, 0, 0, 0, 0]);
  const all = (await f.run(cdb(0x1a, 0x08, 0x7f, 0, 255))).dataIn as Buffer;
  let mask = 0;
  for (let p = 4; p < all.length; p += 2 + all[p + 1]) if (all[p] !== 0x0a) for (let i = 2; i < 2 + all[p + 1]; i++) mask |= all[p + i];
  t.equal(mask, 0, 'nothing else is changeable');
});

t.test('SWP=1 write-protects the LU for every nexus, MODE PARAMETERS CHANGED to the others', async (t) => {
  const f = await ScsiTargetFixture.create();
  const other = testNexus('iqn.2026-11.io.lunhost.test:other');
  f.target.nexusOpened(other);
  await f.target.execute(command(cdb(0x00), { nexus: other, lun: 1 }));

  const page = await controlPage(f);
  page[4] |= 0x08;
  const r = await select6(f, list6(page));
  t.equal(r.status, ScsiStatus.Good);
  t.equal((await controlPage(f))[4] & 0x08, 0x08, 'current SWP reads back');
  t.equal((await controlPage(f, 2))[4] & 0x08, 0, 'default SWP stays 0');
  const header = (await f.run(cdb(0x1a, 0x08, 0x0a, 0, 255))).dataIn as Buffer;
  t.equal(header[2] & 0x80, 0x80, 'WP in the device-specific parameter');
  t.same(senseOf(await f.run(WRITE1, { dataOut: Buffer.alloc(512) })), WRITE_PROTECTED);
  t.equal((await f.run(cdb(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0))).status, ScsiStatus.Good, 'reads still work');

  const ua = await f.target.execute(command(cdb(0x00), { nexus: other, lun: 1 }));
  t.same(senseOf(ua), { key: 0x06, asc: 0x2a, ascq: 0x01 }, 'the other nexus learns of it');
  t.equal((await f.run(cdb(0x00))).status, ScsiStatus.Good, 'not the nexus that changed it');

  page[4] &= ~0x08;
  t.equal((await select6(f, list6(page))).status, ScsiStatus.Good);
  t.equal((await f.run(WRITE1, { dataOut: Buffer.alloc(512) })).status, ScsiStatus.Good, 'writable again');
});

t.test('selecting the current values changes nothing and raises no unit attention', async (t) => {
  const f = await ScsiTargetFixture.create();
  const other = testNexus('iqn.2026-11.io.lunhost.test:other');
  f.target.nexusOpened(other);
  await f.target.execute(command(cdb(0x00), { nexus: other, lun: 1 }));
  t.equal((await select6(f, list6(await controlPage(f)))).status, ScsiStatus.Good);
  t.equal((await f.target.execute(command(cdb(0x00), { nexus: other, lun: 1 }))).status, ScsiStatus.Good);
});

t.test('MODE SELECT(10) with a block descriptor restating the geometry', async (t) => {
  const f = await ScsiTargetFixture.create();
  const page = await controlPage(f);
  page[4] |= 0x08;
  const header = Buffer.alloc(8);
  header.writeUInt16BE(8, 6);
  const bd = Buffer.alloc(8);
  bd.writeUIntBE(512, 5, 3);
  const data = Buffer.concat([header, bd, page]);
  const r = await f.run(cdb(0x55, 0x10, 0, 0, 0, 0, 0, 0, data.length, 0), { dataOut: data });
  t.equal(r.status, ScsiStatus.Good);
  t.equal(f.lu.modeParameters.softwareWriteProtect, true);
  bd.writeUIntBE(4096, 5, 3);
  const bad = await f.run(cdb(0x55, 0x10, 0, 0, 0, 0, 0, 0, data.length, 0), { dataOut: Buffer.concat([header, bd, page]) });
  t.same(senseOf(bad), INVALID_FIELD_IN_PARAMETER_LIST, 'another block length');
  t.equal((bad.sense as Buffer).readUInt16BE(16), 13, 'points at BLOCK LENGTH');
});

t.test('a non-changeable field that differs: INVALID FIELD IN PARAMETER LIST, nothing applied', async (t) => {
  const f = await ScsiTargetFixture.create();
  const page = await controlPage(f);
  page[4] |= 0x08; // SWP (fine) ...
  page[2] |= 0x04; // ... and D_SENSE (not changeable)
  const r = await select6(f, list6(page));
  t.same(senseOf(r), INVALID_FIELD_IN_PARAMETER_LIST);
  const s = r.sense as Buffer;
  t.equal(s[15] & 0x40, 0, 'C/D 0: in the parameter list');
  t.equal(s.readUInt16BE(16), 4 + 2, 'byte of D_SENSE');
  t.equal(s[15] & 0x0f, 0x08 | 2, 'bit pointer valid, bit 2');
  t.equal(f.lu.modeParameters.softwareWriteProtect, false, 'SWP not applied either');
});

t.test('caching page: WCE cannot be turned off', async (t) => {
  const f = await ScsiTargetFixture.create();
  const d = (await f.run(cdb(0x1a, 0x08, 0x08, 0, 255))).dataIn as Buffer;
  const page = Buffer.from(d.subarray(4));
  page[2] &= ~0x04;
  t.same(senseOf(await select6(f, list6(page))), INVALID_FIELD_IN_PARAMETER_LIST);
});

t.test('bad pages and lengths', async (t) => {
  const f = await ScsiTargetFixture.create();
  const page = await controlPage(f);
  const unknown = Buffer.from(page);
  unknown[0] = 0x1c;
  t.same(senseOf(await select6(f, list6(unknown))), INVALID_FIELD_IN_PARAMETER_LIST, 'page the LU does not have');
  const ps = Buffer.from(page);
  ps[0] |= 0x80;
  t.same(senseOf(await select6(f, list6(ps))), INVALID_FIELD_IN_PARAMETER_LIST, 'PS is reserved');
  const wrongLength = Buffer.from(page);
  wrongLength[1] = 0x08;
  t.same(senseOf(await select6(f, list6(wrongLength.subarray(0, 10)))), INVALID_FIELD_IN_PARAMETER_LIST, 'page length not the page\'s');
  t.same(senseOf(await select6(f, list6(page).subarray(0, 10))), PARAMETER_LIST_LENGTH_ERROR, 'page cut short');
  t.same(senseOf(await select6(f, Buffer.alloc(3))), PARAMETER_LIST_LENGTH_ERROR, 'shorter than the header');
  const medium = list6(page);
  medium[1] = 0x05;
  t.same(senseOf(await select6(f, medium)), INVALID_FIELD_IN_PARAMETER_LIST, 'medium type');
  const bdl = list6(page);
  bdl[3] = 4;
  t.same(senseOf(await select6(f, bdl)), INVALID_FIELD_IN_PARAMETER_LIST, 'block descriptor length');
  t.same(senseOf(await select6(f, list6(page), { length: 40 })), PARAMETER_LIST_LENGTH_ERROR, 'less data than announced');
});

t.test('CDB checks: SP, reserved bits; zero length is a no-op', async (t) => {
  const f = await ScsiTargetFixture.create();
  const page = await controlPage(f);
  const sp = await select6(f, list6(page), { sp: true });
  t.same(senseOf(sp), INVALID_FIELD_IN_CDB);
  t.equal((sp.sense as Buffer).readUInt16BE(16), 1);
  t.same(senseOf(await f.run(cdb(0x15, 0x12, 0, 0, 16, 0), { dataOut: list6(page) })), INVALID_FIELD_IN_CDB, 'reserved bit 1');
  t.equal((await f.run(cdb(0x15, 0x10, 0, 0, 0, 0))).status, ScsiStatus.Good);
});
