/** Inode layout and object ids against include/sheepdog_proto.h (offsets derived by hand in the comments). */
import t from 'tap';
import {
  dataVdiIdOffset,
  decodeDataVdiIds,
  decodeInodeHeader,
  encodeInodeHeader,
  isSnapshotInode,
  objectCountOf,
  objectSizeOf,
  SD_INODE_HEADER_SIZE,
  SD_INODE_SIZE,
} from '../../../plugins/store-sheepdog/SheepInode.js';
import { dataOidToIdx, isDataObj, isVdiObj, oidToVid, vidToDataOid, vidToVdiOid } from '../../../plugins/store-sheepdog/SheepObjectId.js';
import { hashVdiName } from '../../fixtures/sheep-server/SheepTestCluster.js';

t.test('inode sizes', async (t) => {
  // name 256 + tag 256 + 5 x u64 (40) + 4 x u8 (4) + 3 x u32 (12) + btree_counter and __unused[1023] (4096) = 4664
  t.equal(SD_INODE_HEADER_SIZE, 4664);
  t.equal(dataVdiIdOffset(0), 4664);
  t.equal(dataVdiIdOffset(5), 4684);
  // + data_vdi_id[1M] (4 MiB) + gref[1M] (8 MiB)
  t.equal(SD_INODE_SIZE, 4664 + 4194304 + 8388608);
});

t.test('decode an inode header laid out by hand', async (t) => {
  const buf = Buffer.alloc(SD_INODE_HEADER_SIZE + 16);
  buf.write('tgt0', 0, 'latin1');
  buf.write('snap1', 256, 'latin1');
  Buffer.from('0500000000000000', 'hex').copy(buf, 520); // snap_ctime 5
  Buffer.from('0000400100000000', 'hex').copy(buf, 536); // vdi_size 0x01400000 = 20 MiB
  Buffer.from('00010316', 'hex').copy(buf, 552); // copy_policy 0, store_policy 1, nr_copies 3, block_size_shift 22
  Buffer.from('02000000080b2a00070b2a00', 'hex').copy(buf, 556); // snap_id 2, vdi_id 0x2a0b08, parent 0x2a0b07
  Buffer.from('080b2a0000000000', 'hex').copy(buf, 4664); // data_vdi_id[0] = 0x2a0b08, [1] = 0
  const h = decodeInodeHeader(buf);
  t.equal(h.name, 'tgt0');
  t.equal(h.tag, 'snap1');
  t.equal(h.snapCtime, 5n);
  t.equal(h.vdiSize, 20n * 1024n * 1024n);
  t.equal(h.storePolicy, 1);
  t.equal(h.nrCopies, 3);
  t.equal(h.blockSizeShift, 22);
  t.equal(h.snapId, 2);
  t.equal(h.vdiId, 0x2a0b08);
  t.equal(h.parentVdiId, 0x2a0b07);
  t.equal(isSnapshotInode(h), true);
  t.equal(objectSizeOf(h), 4 * 1024 * 1024);
  t.equal(objectCountOf(h), 5);
  t.same([...decodeDataVdiIds(buf.subarray(4664), 2)], [0x2a0b08, 0]);
  // encode writes the same bytes back
  const again = encodeInodeHeader(h, Buffer.alloc(SD_INODE_HEADER_SIZE));
  t.same(again, buf.subarray(0, SD_INODE_HEADER_SIZE));
});

t.test('block_size_shift 0 means the 4 MiB default; object count rounds up', async (t) => {
  t.equal(objectSizeOf({ blockSizeShift: 0 }), 4194304);
  t.equal(objectCountOf({ blockSizeShift: 20, vdiSize: 1048577n }), 2);
});

t.test('object ids', async (t) => {
  t.equal(vidToVdiOid(0x2a0b08), 0x802a0b0800000000n);
  t.equal(vidToDataOid(0x2a0b08, 3), 0x002a0b0800000003n);
  t.equal(oidToVid(0x802a0b0800000000n), 0x2a0b08);
  t.equal(dataOidToIdx(0x002a0b08000fffffn), 0xfffff);
  t.equal(isVdiObj(0x802a0b0800000000n), true);
  t.equal(isDataObj(0x002a0b0800000003n), true);
  t.equal(isDataObj(0x402a0b0800000003n), false); // vmstate
});

t.test('test cluster hashes VDI names like sheep (tgt0 got vid 0x2a0b08 on a real sheep)', async (t) => {
  t.equal(hashVdiName('tgt0'), 0x2a0b08);
});
