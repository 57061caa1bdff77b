import t from 'tap';
import { buildDescriptorSense, buildFixedSense, parseSense, SenseKey } from '../../../core/scsi/Sense.js';
import { senseForStoreFailure } from '../../../core/scsi/StoreErrorSense.js';
import { SenseCodes } from '../../../core/scsi/SenseCodes.js';
import { StoreError } from '../../../core/store/StoreError.js';

t.test('fixed format: byte-exact', async (t) => {
  const b = buildFixedSense({ key: SenseKey.IllegalRequest, asc: 0x24, ascq: 0x00, field: { inCdb: true, byte: 2 } });
  t.same([...b], [0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x24, 0x00, 0, 0xc0, 0x00, 0x02]);
  const bit = buildFixedSense({ key: SenseKey.IllegalRequest, asc: 0x24, ascq: 0, field: { inCdb: false, byte: 0x102, bit: 5 } });
  t.same([...bit.subarray(15)], [0x80 | 0x08 | 5, 0x01, 0x02], 'parameter list, bit pointer');
  const info = buildFixedSense({ key: SenseKey.MediumError, asc: 0x11, ascq: 0, information: 0x01020304 });
  t.same([...info.subarray(0, 8)], [0xf0, 0, 0x03, 1, 2, 3, 4, 10], 'VALID + INFORMATION');
});

t.test('descriptor format: byte-exact', async (t) => {
  const plain = buildDescriptorSense({ key: SenseKey.UnitAttention, asc: 0x29, ascq: 0x00 });
  t.same([...plain], [0x72, 0x06, 0x29, 0x00, 0, 0, 0, 0]);
  const full = buildDescriptorSense({ key: SenseKey.IllegalRequest, asc: 0x24, ascq: 0, information: 7, field: { inCdb: true, byte: 1, bit: 7 } });
  t.equal(full[7], 20);
  t.same([...full.subarray(8, 20)], [0x00, 0x0a, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 7]);
  t.same([...full.subarray(20)], [0x02, 0x06, 0, 0, 0xcf, 0x00, 0x01, 0]);
  t.same(parseSense(full), { key: 5, asc: 0x24, ascq: 0 });
});

t.test('store error kinds → sense', async (t) => {
  t.equal(senseForStoreFailure(new StoreError('medium', 'x'), false), SenseCodes.unrecoveredReadError);
  t.equal(senseForStoreFailure(new StoreError('medium', 'x'), true), SenseCodes.writeError);
  t.equal(senseForStoreFailure(new StoreError('not-ready', 'x'), false), SenseCodes.notReadyBecomingReady);
  t.equal(senseForStoreFailure(new StoreError('write-protected', 'x'), true), SenseCodes.writeProtected);
  t.equal(senseForStoreFailure(new StoreError('space-exhausted', 'x'), true), SenseCodes.spaceAllocationFailedWriteProtect);
  t.equal(senseForStoreFailure(new StoreError('gone', 'x'), true), SenseCodes.internalTargetFailure);
  t.equal(senseForStoreFailure(new Error('bug'), true), SenseCodes.internalTargetFailure);
});
