/** READ DEFECT DATA(10)/(12): an empty defect list echoing the request. */
import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { cdb } from '../../helpers/ScsiTargetFixture.js';
import { thinTarget } from '../../helpers/thinTarget.js';

t.test('READ DEFECT DATA(10) and (12) return a header with an empty list', async (t) => {
  const f = await thinTarget();
  const r10 = await f.run(cdb(0x37, 0, 0x18 | 0x05, 0, 0, 0, 0, 0, 32, 0));
  t.equal(r10.status, ScsiStatus.Good);
  t.same([...(r10.dataIn as Buffer)], [0, 0x1d, 0, 0], 'PLISTV, GLISTV, format 5, length 0');
  const r12 = await f.run(cdb(0xb7, 0x00, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0));
  t.same([...(r12.dataIn as Buffer)], [0, 0, 0, 0, 0, 0, 0, 0]);
  const cut = await f.run(cdb(0x37, 0, 0, 0, 0, 0, 0, 0, 2, 0));
  t.equal(cut.dataIn?.length, 2, 'cut to the allocation length');
});
