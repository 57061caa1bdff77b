/** WRITE AND VERIFY(10)/(12)/(16): written with FUA, WRITE's residual rules, field checks. */
import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { MemoryStore } from '../../helpers/MemoryStore.js';
import { cdb, senseOf } from '../../helpers/ScsiTargetFixture.js';
import { thinTarget } from '../../helpers/thinTarget.js';

const wv10 = (flags: number, lba: number, blocks: number) => cdb(0x2e, flags, 0, 0, lba >> 8, lba & 0xff, 0, blocks >> 8, blocks & 0xff, 0);
const store = () => new MemoryStore({ size: 1024 * 512 });

t.test('the data is written with FUA for 10, 12 and 16', async (t) => {
  const f = await thinTarget({ store: store() });
  t.equal((await f.run(wv10(0x12, 3, 2), { dataOut: Buffer.alloc(1024, 0xa6) })).status, ScsiStatus.Good, 'DPO and BYTCHK=1');
  t.equal((await f.run(cdb(0xae, 0, 0, 0, 0, 8, 0, 0, 0, 1), { dataOut: Buffer.alloc(512, 1) })).status, ScsiStatus.Good);
  t.equal((await f.run(cdb(0x8e, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 1), { dataOut: Buffer.alloc(512, 2) })).status, ScsiStatus.Good);
  t.same(f.store.writeLog, [[1536, 1024, true], [4096, 512, true], [4608, 512, true]]);
  t.equal(f.store.data[1536], 0xa6);
});

t.test('residuals: more Data-Out than asked writes only the CDB amount; whole blocks short writes what came', async (t) => {
  const f = await thinTarget({ store: store() });
  const over = await f.run(wv10(0x02, 0, 1), { dataOut: Buffer.alloc(10000, 0x62) });
  t.equal(over.status, ScsiStatus.Good);
  t.equal(over.commandDataLength, 512);
  t.same(f.store.writeLog[0], [0, 512, true]);
  const under = await f.run(wv10(0x02, 0, 2), { dataOut: Buffer.alloc(512, 0x63) });
  t.equal(under.commandDataLength, 1024);
  t.same(f.store.writeLog[1], [0, 512, true]);
  t.same(senseOf(await f.run(wv10(0x02, 0, 1), { dataOut: Buffer.alloc(200) })), { key: 0x05, asc: 0x0e, ascq: 0x03 });
  t.equal((await f.run(wv10(0, 0, 0))).status, ScsiStatus.Good, '0 blocks');
});

t.test('WRPROTECT, BYTCHK 1xb, range and read-only', async (t) => {
  const f = await thinTarget({ store: store() });
  t.same(senseOf(await f.run(wv10(0x20, 0, 1), { dataOut: Buffer.alloc(512) })), { key: 0x05, asc: 0x24, ascq: 0 });
  t.same(senseOf(await f.run(wv10(0x04, 0, 1), { dataOut: Buffer.alloc(512) })), { key: 0x05, asc: 0x24, ascq: 0 });
  t.same(senseOf(await f.run(wv10(0, 1023, 2), { dataOut: Buffer.alloc(1024) })), { key: 0x05, asc: 0x21, ascq: 0 });
  const ro = await thinTarget({ store: store(), readOnly: true });
  t.same(senseOf(await ro.run(wv10(0x02, 0, 1), { dataOut: Buffer.alloc(512) })), { key: 0x07, asc: 0x27, ascq: 0 });
  t.equal(f.store.writes + ro.store.writes, 0);
});
