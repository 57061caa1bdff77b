/** PRE-FETCH(10)/(16): range checks, GOOD, IMMED accepted. */
import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { MemoryStore } from '../../helpers/MemoryStore.js';
import { cdb, senseOf } from '../../helpers/ScsiTargetFixture.js';
import { thinTarget } from '../../helpers/thinTarget.js';

t.test('PRE-FETCH checks the range and answers GOOD', async (t) => {
  const f = await thinTarget({ store: new MemoryStore({ size: 1024 * 512 }) });
  t.equal((await f.run(cdb(0x34, 0x02, 0, 0, 0, 0, 3, 1, 0, 0))).status, ScsiStatus.Good, 'IMMED, group 3, 256 blocks');
  t.equal((await f.run(cdb(0x34, 0, 0, 0, 3, 0xff, 0, 0, 1, 0))).status, ScsiStatus.Good, 'last block');
  t.equal((await f.run(cdb(0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))).status, ScsiStatus.Good, '16, 0 blocks');
  const oob = { key: 0x05, asc: 0x21, ascq: 0 };
  t.same(senseOf(await f.run(cdb(0x34, 0, 0, 0, 3, 0xff, 0, 0, 2, 0))), oob);
  t.same(senseOf(await f.run(cdb(0x34, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0))), oob, 'LBA -1, 0 blocks');
  t.same(senseOf(await f.run(cdb(0x90, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1))), oob, 'LBA 2^63');
  t.equal(f.store.reads, 0);
});
