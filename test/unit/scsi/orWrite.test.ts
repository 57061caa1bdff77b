/** ORWRITE(16): the Data-Out is ORed into the medium under the range lock. */
import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { MemoryStore } from '../../helpers/MemoryStore.js';
import { cdb, senseOf } from '../../helpers/ScsiTargetFixture.js';
import { thinTarget } from '../../helpers/thinTarget.js';

function orWrite(flags: number, lba: number, blocks: number): Buffer {
  const c = cdb(0x8b, flags);
  c.writeBigUInt64BE(BigInt(lba), 2);
  c.writeUInt32BE(blocks, 10);
  return c;
}

t.test('each byte is ORed into the medium; FUA passed on', async (t) => {
  const f = await thinTarget({ store: new MemoryStore({ size: 1024 * 512 }) });
  f.store.data.fill(0xa5, 512, 1536);
  t.equal((await f.run(orWrite(0x18, 1, 2), { dataOut: Buffer.alloc(1024, 0x5a) })).status, ScsiStatus.Good);
  t.ok(f.store.data.subarray(512, 1536).every((b) => b === 0xff));
  t.equal(f.store.data[1536], 0);
  t.same(f.store.writeLog, [[512, 1024, true]]);
  t.equal(f.lu.lbaLocks.size, 0);
});

t.test('0 blocks, range, ORPROTECT, read-only', async (t) => {
  const f = await thinTarget({ store: new MemoryStore({ size: 1024 * 512 }) });
  t.equal((await f.run(orWrite(0, 0, 0))).status, ScsiStatus.Good);
  t.same(senseOf(await f.run(orWrite(0, 1025, 0))), { key: 0x05, asc: 0x21, ascq: 0 });
  t.same(senseOf(await f.run(orWrite(0, 1023, 2), { dataOut: Buffer.alloc(1024) })), { key: 0x05, asc: 0x21, ascq: 0 });
  t.same(senseOf(await f.run(orWrite(0x40, 0, 1), { dataOut: Buffer.alloc(512) })), { key: 0x05, asc: 0x24, ascq: 0 });
  const ro = await thinTarget({ store: new MemoryStore({ size: 1024 * 512 }), readOnly: true });
  t.same(senseOf(await ro.run(orWrite(0, 0, 1), { dataOut: Buffer.alloc(512) })), { key: 0x07, asc: 0x27, ascq: 0 });
  t.equal(f.store.writes + ro.store.writes, 0);
});
