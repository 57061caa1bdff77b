/** core/scsi's dispatch updates the LUN counters: medium READ/WRITE as reads/writes, the rest as other. */
import t from 'tap';
import { IoKind } from '../../../core/management/LunCounters.js';
import { ioKindOfOpcode } from '../../../core/scsi/ioKindOfOpcode.js';
import { ScsiTargetFixture, cdb } from '../../helpers/ScsiTargetFixture.js';

t.test('ioKindOfOpcode', async (t) => {
  for (const op of [0x08, 0x28, 0xa8, 0x88]) t.equal(ioKindOfOpcode(op), IoKind.Read, `0x${op.toString(16)} reads`);
  for (const op of [0x0a, 0x2a, 0xaa, 0x8a, 0x2e, 0x41, 0x93, 0x89]) t.equal(ioKindOfOpcode(op), IoKind.Write, `0x${op.toString(16)} writes`);
  for (const op of [0x00, 0x12, 0x25, 0x9e, 0x1a, 0x35, 0xa0]) t.equal(ioKindOfOpcode(op), IoKind.Other, `0x${op.toString(16)} is other`);
});

t.test('commands on a LUN update its counters', async (t) => {
  const f = await ScsiTargetFixture.create();
  const before = f.lu.counters.snapshot();
  t.equal(before.readOps + before.writeOps, 0, 'clearing the unit attention read and wrote nothing');
  await f.run(cdb(0x12, 0, 0, 0, 96, 0), { expectedDataLength: 96 }); // INQUIRY
  await f.run(cdb(0x2a, 0, 0, 0, 0, 4, 0, 0, 2, 0), { dataOut: Buffer.alloc(1024, 7), expectedDataLength: 1024 }); // WRITE(10) 2 blocks
  await f.run(cdb(0x28, 0, 0, 0, 0, 4, 0, 0, 2, 0), { expectedDataLength: 1024 }); // READ(10) 2 blocks
  await f.run(cdb(0x28, 0, 0, 0, 0, 4, 0, 0, 2, 0), { expectedDataLength: 512 }); // READ(10), initiator takes 512
  await f.run(cdb(0x28, 0, 0xff, 0xff, 0, 0, 0, 0, 1, 0), { expectedDataLength: 512 }); // out of range
  const s = f.lu.counters.snapshot();
  t.equal(s.writeOps, 1);
  t.equal(s.writeBytes, 1024);
  t.equal(s.readOps, 3);
  t.equal(s.readBytes, 1024 + 512, 'bytes the initiator received; none for the failed read');
  t.equal(s.errors, 1);
  t.equal(s.otherOps - before.otherOps, 1, 'INQUIRY is other');
  t.equal(s.latency.count - before.latency.count, 5);
});
