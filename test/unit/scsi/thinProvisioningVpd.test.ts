/** VPD B0h unmap/write same/compare and write fields, VPD B2h bits and READ CAPACITY(16) LBPME/LBPRZ follow the store. */
import t from 'tap';
import {
  MAX_COMPARE_AND_WRITE_BLOCKS, MAX_UNMAP_BLOCKS, MAX_UNMAP_DESCRIPTORS, maxWriteSameBlocks,
} from '../../../core/scsi/BlockLimits.js';
import { MemoryStore } from '../../helpers/MemoryStore.js';
import { cdb } from '../../helpers/ScsiTargetFixture.js';
import { thinTarget } from '../../helpers/thinTarget.js';

const inquiryVpd = (page: number) => cdb(0x12, 0x01, page, 0x00, 0xff, 0);
const rc16 = cdb(0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32);

t.test('a thin LUN: B0h unmap fields, B2h LBPU/LBPWS/LBPWS10/LBPRZ thin, LBPME/LBPRZ', async (t) => {
  const f = await thinTarget();
  const b0 = (await f.run(inquiryVpd(0xb0))).dataIn as Buffer;
  t.equal(b0.readUInt16BE(2), 0x3c);
  t.equal(b0[5], MAX_COMPARE_AND_WRITE_BLOCKS, 'MAXIMUM COMPARE AND WRITE LENGTH');
  t.equal(b0.readUInt32BE(20), MAX_UNMAP_BLOCKS, 'MAXIMUM UNMAP LBA COUNT');
  t.equal(b0.readUInt32BE(24), MAX_UNMAP_DESCRIPTORS, 'MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT');
  t.equal(b0.readUInt32BE(28), 8, 'OPTIMAL UNMAP GRANULARITY: 4 KiB of 512-byte blocks');
  t.equal(b0.readUInt32BE(32), 0x80000000, 'UGAVALID, alignment 0');
  t.equal(Number(b0.readBigUInt64BE(36)), maxWriteSameBlocks(f.lu), 'MAXIMUM WRITE SAME LENGTH');
  t.equal(b0[4] & 0x01, 0, 'WSNZ=0');
  const b2 = (await f.run(inquiryVpd(0xb2))).dataIn as Buffer;
  t.equal(b2[5], 0x80 | 0x40 | 0x20 | 0x04, 'LBPU, LBPWS, LBPWS10, LBPRZ; ANC_SUP=0');
  t.equal(b2[6] & 0x07, 2, 'thin');
  const pages = (await f.run(inquiryVpd(0x00))).dataIn as Buffer;
  t.ok(pages.subarray(4).includes(0xb2));
  t.equal(((await f.run(rc16)).dataIn as Buffer)[14] & 0xc0, 0xc0);
});

t.test('a fully provisioned LUN: no unmap fields, no B2h, LBPME=0; WRITE SAME and COMPARE AND WRITE limits stay', async (t) => {
  const f = await thinTarget({ store: new MemoryStore({ size: 1024 * 512 }) });
  const b0 = (await f.run(inquiryVpd(0xb0))).dataIn as Buffer;
  t.equal(b0.readUInt32BE(20), 0);
  t.equal(b0.readUInt32BE(24), 0);
  t.equal(b0[5], MAX_COMPARE_AND_WRITE_BLOCKS);
  t.ok(b0.readUInt32BE(40) > 0);
  const pages = (await f.run(inquiryVpd(0x00))).dataIn as Buffer;
  t.notOk(pages.subarray(4).includes(0xb2));
  t.equal(((await f.run(rc16)).dataIn as Buffer)[14] & 0xc0, 0);
});

t.test('physicalBlockSize: READ CAPACITY(16) LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT, unmap granularity at least one physical block', async (t) => {
  const { ScsiTarget } = await import('../../../core/scsi/ScsiTarget.js');
  const { MemoryLogger } = await import('../../helpers/MemoryLogger.js');
  const target = new ScsiTarget({ name: 'iqn.2026-11.io.lunhost.test:pbs', log: new MemoryLogger() });
  const lu = target.attachLun({ lun: 1, store: new MemoryStore({ size: 1024 * 512 }), blockSize: 512, readOnly: false, physicalBlockSize: 16384 });
  t.equal(lu.physicalBlockExponent, 5);
  t.throws(() => target.attachLun({ lun: 2, store: new MemoryStore({ size: 1024 * 512 }), blockSize: 512, readOnly: false, physicalBlockSize: 1536 }), /power of two/);
  const f = await thinTarget();
  t.equal(((await f.run(rc16)).dataIn as Buffer)[13], 0, 'default: physical = logical');
});
