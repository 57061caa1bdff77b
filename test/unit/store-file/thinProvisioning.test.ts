/**
 * Thin provisioning on the file store: discard frees space (stat blocks),
 * writeZeroes zeroes, getAllocation reports data and holes; and through
 * ScsiTarget, UNMAP frees space that GET LBA STATUS then reports deallocated.
 */
import t from 'tap';
import type { Test } from 'tap';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ScsiTarget } from '../../../core/scsi/ScsiTarget.js';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { FileStore } from '../../../plugins/store-file/FileStore.js';
import { MemoryLogger } from '../../helpers/MemoryLogger.js';
import { cdb, command, testNexus } from '../../helpers/ScsiTargetFixture.js';
import { unmapList } from '../../helpers/thinTarget.js';

const MiB = 1024 * 1024;

async function allocatedBytes(path: string): Promise<number> {
  return (await stat(path)).blocks * 512;
}

async function openStore(t: Test, size = 16 * MiB, readOnly = false) {
  const path = join(t.testdir(), 'thin.img');
  const log = new MemoryLogger();
  const store = await FileStore.open({ path, size, readOnly, blockSize: 512, log });
  t.teardown(() => store.close());
  return { path, store, log };
}

t.test('discard punches a hole: space is freed, zeros are read, the size is kept', async (t) => {
  const { path, store } = await openStore(t);
  await store.write(Buffer.alloc(4 * MiB, 0xab), 0, false);
  const before = await allocatedBytes(path);
  t.ok(before >= 4 * MiB);
  await store.discard(MiB, 2 * MiB);
  t.equal(await allocatedBytes(path), before - 2 * MiB, '2 MiB freed');
  const back = Buffer.alloc(3 * MiB);
  await store.read(back, 0);
  t.equal(back[0], 0xab);
  t.ok(back.subarray(MiB).every((b) => b === 0));
  t.equal((await stat(path)).size, 16 * MiB);
  t.same(await store.getAllocation(0, 8 * MiB), [
    { offset: 0, length: MiB, mapped: true },
    { offset: MiB, length: 2 * MiB, mapped: false },
    { offset: 3 * MiB, length: MiB, mapped: true },
    { offset: 4 * MiB, length: 4 * MiB, mapped: false },
  ]);
});

t.test('writeZeroes zeroes a range without a buffer', async (t) => {
  const { store } = await openStore(t);
  await store.write(Buffer.alloc(MiB, 0x11), 0, false);
  await store.writeZeroes(4096, 8192);
  const back = Buffer.alloc(16384);
  await store.read(back, 0);
  t.equal(back[4095], 0x11);
  t.ok(back.subarray(4096, 12288).every((b) => b === 0));
  t.equal(back[12288], 0x11);
});

t.test('getAllocation of a range inside one extent, and of a fresh file', async (t) => {
  const { store } = await openStore(t);
  t.same(await store.getAllocation(MiB, MiB), [{ offset: MiB, length: MiB, mapped: false }]);
  await store.write(Buffer.alloc(MiB, 1), 0, false);
  t.same(await store.getAllocation(4096, 8192), [{ offset: 4096, length: 8192, mapped: true }]);
});

t.test('a read-only thin file still reports its allocation but refuses to discard', async (t) => {
  const { path, store } = await openStore(t, MiB);
  await store.write(Buffer.alloc(4096, 1), 0, false);
  await store.close();
  const ro = await FileStore.open({ path, size: 'auto', readOnly: true, blockSize: 512, log: new MemoryLogger() });
  t.teardown(() => ro.close());
  t.equal(ro.capabilities.allocationMap, true);
  t.equal(ro.capabilities.writeZeroes, false);
  t.same((await ro.getAllocation(0, 8192))[0], { offset: 0, length: 4096, mapped: true });
  const err = await ro.discard(0, 4096).then(() => null, (e: unknown) => e as { kind?: string });
  t.equal(err?.kind, 'write-protected');
});

t.test('through ScsiTarget: UNMAP frees space on the file and GET LBA STATUS then reports it deallocated', async (t) => {
  const { path, store } = await openStore(t);
  const target = new ScsiTarget({ name: 'iqn.2026-11.io.lunhost.test:thin', log: new MemoryLogger() });
  target.attachLun({ lun: 1, store, blockSize: 512, readOnly: false });
  const nexus = testNexus();
  target.nexusOpened(nexus);
  const run = (c: Buffer, dataOut: Buffer | null = null) => target.execute(command(c, { nexus, lun: 1, dataOut }));
  await run(cdb(0x00));

  // READ CAPACITY(16): LBPME and LBPRZ.
  const rc = await run(cdb(0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32));
  t.equal((rc.dataIn as Buffer)[14] & 0xc0, 0xc0, 'LBPME, LBPRZ');

  // Write 2 MiB (4096 blocks) at LBA 0.
  for (let lba = 0; lba < 4096; lba += 1024) {
    const c = cdb(0x2a, 0, 0, 0, lba >> 8, lba & 0xff, 0, 0x04, 0x00, 0);
    t.equal((await run(c, Buffer.alloc(512 * 1024, 0x77))).status, ScsiStatus.Good);
  }
  const before = await allocatedBytes(path);
  t.ok(before >= 2 * MiB, `allocated ${before}`);

  // UNMAP blocks 1024..3071 (1 MiB).
  const list = unmapList([[1024, 2048]]);
  t.equal((await run(cdb(0x42, 0, 0, 0, 0, 0, 0, 0, list.length, 0), list)).status, ScsiStatus.Good);
  t.equal(await allocatedBytes(path), before - MiB, 'the file really lost 1 MiB of blocks');

  const g = cdb(0x9e, 0x12);
  g.writeUInt32BE(1024, 10);
  const status = await run(g);
  t.equal(status.status, ScsiStatus.Good);
  const d = status.dataIn as Buffer;
  const descriptors: Array<[number, number, number]> = [];
  for (let p = 8; p < d.length; p += 16) descriptors.push([Number(d.readBigUInt64BE(p)), d.readUInt32BE(p + 8), d[p + 12]]);
  t.same(descriptors, [[0, 1024, 0], [1024, 2048, 1], [3072, 1024, 0], [4096, 32768 - 4096, 1]]);

  const read = await run(cdb(0x28, 0, 0, 0, 0x04, 0x00, 0, 0, 1, 0));
  t.ok((read.dataIn as Buffer).every((b) => b === 0), 'unmapped blocks read back as zeros');
});
