/** The sheepdog store against the sheep test server: data path, COW, snapshots, clones, discard, size. */
import t, { type Test } from 'tap';
import { StoreError } from '../../../core/store/StoreError.js';
import { LockType, SheepFlag, SheepOpcode, SheepResult } from '../../../plugins/store-sheepdog/SheepProtocol.js';
import { vidToDataOid, vidToVdiOid } from '../../../plugins/store-sheepdog/SheepObjectId.js';
import { dataVdiIdOffset } from '../../../plugins/store-sheepdog/SheepInode.js';
import { pattern, startSheepHarness } from '../../fixtures/sheep-server/SheepStoreHarness.js';

const MiB = 1024 * 1024;

/** The promise rejects with a StoreError of `kind` (and a message matching `msg`). */
async function rejectsWith(t: Test, p: Promise<unknown>, kind: string, msg?: RegExp): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(err instanceof StoreError, `rejects with a StoreError (${String(err)})`);
  t.equal((err as StoreError).kind, kind, `kind ${kind}`);
  if (msg) t.match((err as Error).message, msg);
}
const OBJ = 4 * MiB;

t.test('read/write across object boundaries; never-written objects read as zeros', async (t) => {
  const h = await startSheepHarness('unix');
  t.teardown(() => h.close());
  const vid = h.server.cluster.createVdi('tgt0', 20 * MiB);
  const store = await h.open(':tgt0');
  t.equal(store.size, 20 * MiB);
  t.equal(store.capabilities.readOnly, false);
  t.equal(store.capabilities.discard, true);
  t.equal(store.capabilities.allocationMap, true);

  const zeros = Buffer.alloc(64 * 1024, 0xee);
  await store.read(zeros, OBJ - 32 * 1024);
  t.equal(zeros.every((b) => b === 0), true, 'unwritten range reads zeros');

  // 3 objects touched: end of 0, all of 1, start of 2.
  const data = pattern(OBJ + 64 * 1024, 1);
  const at = OBJ - 32 * 1024;
  await store.write(data, at, false);
  const back = Buffer.alloc(data.length);
  await store.read(back, at);
  t.same(back, data, 'read back what was written');
  t.same(h.server.cluster.readVdi(vid, at, data.length), data, 'the server holds the bytes where sheep would');
  for (const idx of [0, 1, 2]) t.equal(h.server.cluster.dataVdiId(vid, idx), vid, `inode entry ${idx} points at the VDI`);
  t.equal(h.server.cluster.dataVdiId(vid, 3), 0);

  const creates = h.server.requests.filter((r) => r.opcode === SheepOpcode.CREATE_AND_WRITE_OBJ);
  t.equal(creates.length, 3, 'one CREATE_AND_WRITE_OBJ per new object');
  t.equal(creates.every((r) => r.kind === 'obj' && (r.flags & SheepFlag.COW) === 0 && r.cowOid === 0n), true, 'no COW for never-written objects');
  const entryWrites = h.server.requests.filter((r) => r.opcode === SheepOpcode.WRITE_OBJ && r.kind === 'obj' && r.oid === vidToVdiOid(vid));
  t.same(entryWrites.map((r) => (r.kind === 'obj' ? r.offset : -1)).sort(), [dataVdiIdOffset(0), dataVdiIdOffset(1), dataVdiIdOffset(2)].sort());

  // A second write to an owned object is a plain WRITE_OBJ.
  const before = h.server.requests.length;
  await store.write(pattern(4096, 2), OBJ + 8192, true);
  const after = h.server.requests.slice(before);
  t.same(after.map((r) => r.opcode), [SheepOpcode.WRITE_OBJ]);
  t.equal(after[0]?.kind === 'obj' && after[0].oid, vidToDataOid(vid, 1));

  const lock = h.server.cluster.locks.get(vid);
  t.same(lock, { type: LockType.NORMAL, count: 1 }, 'VDI locked while open');
  await store.close();
  t.equal(h.server.cluster.locks.has(vid), false, 'lock released on close');
  await rejectsWith(t, store.read(Buffer.alloc(512), 0), 'gone');
});

t.test('many concurrent writes to one new object create it once', async (t) => {
  const h = await startSheepHarness('tcp');
  t.teardown(() => h.close());
  const vid = h.server.cluster.createVdi('v', 8 * MiB);
  const store = await h.open(':v', { options: { connections: 3 } });
  const writes = [];
  for (let i = 0; i < 16; i++) writes.push(store.write(pattern(4096, i + 10), i * 4096, false));
  await Promise.all(writes);
  const creates = h.server.requests.filter((r) => r.opcode === SheepOpcode.CREATE_AND_WRITE_OBJ);
  t.equal(creates.length, 1);
  for (let i = 0; i < 16; i++) t.same(h.server.cluster.readVdi(vid, i * 4096, 4096), pattern(4096, i + 10), `block ${i}`);
});

t.test('snapshot: LUN on the snapshot is read-only and keeps old data; the working VDI copies-on-write', async (t) => {
  const h = await startSheepHarness('unix');
  t.teardown(() => h.close());
  const c = h.server.cluster;
  c.createVdi('tgt0', 12 * MiB);
  const cur = await h.open(':tgt0');
  const old = pattern(2 * OBJ, 3);
  await cur.write(old, 0, false);
  await cur.close();

  const { snapshotVid, workingVid } = c.snapshot('tgt0', 'snap1');
  const snapId = c.header(snapshotVid).snapId;
  const working = await h.open(':tgt0');
  const byTag = await h.open(':tgt0:snap1');
  const byId = await h.open(`:tgt0:${snapId}`);
  t.equal(byTag.capabilities.readOnly, true);
  t.equal(byTag.capabilities.discard, false);
  t.equal(byId.capabilities.readOnly, true);
  t.equal(c.locks.has(snapshotVid), false, 'snapshots are not locked');

  // Partial overwrite of object 0: COW from the snapshot's object.
  const fresh = pattern(8192, 4);
  await working.write(fresh, 4096, false);
  const cow = h.server.requests.find((r) => r.opcode === SheepOpcode.CREATE_AND_WRITE_OBJ && r.kind === 'obj' && r.oid === vidToDataOid(workingVid, 0));
  t.ok(cow, 'object 0 created for the working VDI');
  t.equal(cow?.kind === 'obj' && cow.cowOid, vidToDataOid(snapshotVid, 0), 'cow_oid is the snapshot object');
  t.equal(cow ? (cow.flags & SheepFlag.COW) !== 0 : false, true, 'SD_FLAG_CMD_COW set');
  t.equal(c.dataVdiId(workingVid, 0), workingVid);
  t.equal(c.dataVdiId(workingVid, 1), snapshotVid, 'object 1 still inherited');

  const expect = Buffer.from(old);
  fresh.copy(expect, 4096);
  const now = Buffer.alloc(2 * OBJ);
  await working.read(now, 0);
  t.same(now, expect, 'working VDI: new data over the inherited bytes');
  const then = Buffer.alloc(2 * OBJ);
  await byTag.read(then, 0);
  t.same(then, old, 'snapshot by tag: old data');
  await byId.read(then, 0);
  t.same(then, old, 'snapshot by id: old data');

  const mark = h.server.requests.length;
  await rejectsWith(t, byTag.write(Buffer.alloc(512), 0, false), 'write-protected');
  await rejectsWith(t, byTag.discard!(0, OBJ), 'write-protected');
  t.equal(h.server.requests.length, mark, 'refused before anything reached sheep');
});

t.test('clone reads the source snapshot and diverges on write', async (t) => {
  const h = await startSheepHarness('unix');
  t.teardown(() => h.close());
  const c = h.server.cluster;
  const base = c.createVdi('golden', 8 * MiB);
  const s = await h.open(':golden');
  const img = pattern(OBJ + 4096, 5);
  await s.write(img, 0, false);
  await s.close();
  const { snapshotVid } = c.snapshot('golden', 'v1');
  t.equal(snapshotVid, base);
  const cloneVid = c.clone(snapshotVid, 'vm1');

  const clone = await h.open(':vm1');
  const got = Buffer.alloc(img.length);
  await clone.read(got, 0);
  t.same(got, img, 'clone starts as the snapshot');
  await clone.write(pattern(512, 6), OBJ, false);
  t.equal(c.dataVdiId(cloneVid, 1), cloneVid);
  t.equal(c.dataVdiId(cloneVid, 0), snapshotVid);
  const mine = Buffer.alloc(512);
  await clone.read(mine, OBJ);
  t.same(mine, pattern(512, 6));
  t.same(c.readVdi(snapshotVid, OBJ, 512), img.subarray(OBJ, OBJ + 512), 'snapshot untouched');
});

t.test('discard: whole objects deallocate, partial ranges read zeros, allocation map follows', async (t) => {
  const h = await startSheepHarness('unix');
  t.teardown(() => h.close());
  const c = h.server.cluster;
  const vid = c.createVdi('d', 16 * MiB);
  const store = await h.open(':d');
  await store.write(pattern(3 * OBJ, 7), 0, false);
  t.same(await store.getAllocation!(0, 16 * MiB), [
    { offset: 0, length: 3 * OBJ, mapped: true },
    { offset: 3 * OBJ, length: OBJ, mapped: false },
  ]);
  // all of object 1, first 1 MiB of object 2
  await store.discard!(OBJ, OBJ + MiB);
  t.equal(c.dataVdiId(vid, 1), 0, 'inode entry cleared');
  t.equal(c.objects.has(vidToDataOid(vid, 1)), false, 'object removed');
  t.ok(h.server.requests.some((r) => r.opcode === SheepOpcode.DISCARD_OBJ && r.kind === 'obj' && r.oid === vidToDataOid(vid, 1)));
  t.same(await store.getAllocation!(0, 16 * MiB), [
    { offset: 0, length: OBJ, mapped: true },
    { offset: OBJ, length: OBJ, mapped: false },
    { offset: 2 * OBJ, length: OBJ, mapped: true },
    { offset: 3 * OBJ, length: OBJ, mapped: false },
  ]);
  t.same(await store.getAllocation!(OBJ - 512, 1024), [
    { offset: OBJ - 512, length: 512, mapped: true },
    { offset: OBJ, length: 512, mapped: false },
  ]);
  const r = Buffer.alloc(OBJ + 2 * MiB);
  await store.read(r, OBJ);
  t.equal(r.subarray(0, OBJ + MiB).every((b) => b === 0), true, 'discarded range reads zeros');
  t.same(r.subarray(OBJ + MiB), pattern(3 * OBJ, 7).subarray(2 * OBJ + MiB, 2 * OBJ + 2 * MiB), 'the rest of object 2 kept');

  // Discarding an inherited object clears only our entry.
  await store.close();
  const { snapshotVid, workingVid } = c.snapshot('d');
  const w = await h.open(':d');
  await w.discard!(0, OBJ);
  t.equal(c.dataVdiId(workingVid, 0), 0);
  t.equal(c.dataVdiId(snapshotVid, 0), snapshotVid, 'snapshot keeps its object');
  t.ok(c.objects.has(vidToDataOid(snapshotVid, 0)));
});

t.test('refreshSize picks up dog vdi resize; declared sizes', async (t) => {
  const h = await startSheepHarness('unix');
  t.teardown(() => h.close());
  const c = h.server.cluster;
  const vid = c.createVdi('r', 8 * MiB);
  const store = await h.open(':r');
  t.equal(store.size, 8 * MiB);
  c.resize('r', 20 * MiB);
  t.equal(await store.refreshSize!(), 20 * MiB);
  t.equal(store.size, 20 * MiB);
  await store.write(pattern(4096, 8), 20 * MiB - 4096, false);
  t.equal(c.dataVdiId(vid, 4), vid, 'objects beyond the old size are writable');
  await store.close();

  const fixed = await h.open(':r', { size: 4 * MiB });
  t.equal(fixed.size, 4 * MiB, 'a smaller declared size is served');
  await fixed.close();
  await rejectsWith(t, h.open(':r', { size: 64 * MiB }), 'unsupported', /larger than the VDI.*dog vdi resize/);
});

t.test('open errors say what is wrong', async (t) => {
  const h = await startSheepHarness('unix');
  t.teardown(() => h.close());
  const c = h.server.cluster;
  c.createVdi('a', 8 * MiB);
  await rejectsWith(t, h.open(':nope'), 'gone', /VDI "nope".*SD_RES_NO_VDI.*dog vdi create nope/);
  await rejectsWith(t, h.open(':a:notag'), 'gone', /SD_RES_NO_TAG/);
  const first = await h.open(':a');
  await rejectsWith(t, h.open(':a'), 'not-ready', /SD_RES_VDI_LOCKED.*lock: shared/);
  await first.close();

  const s1 = await h.open(':a', { options: { lock: 'shared' } });
  const vid = c.currentVid('a') as number;
  t.same(c.locks.get(vid), { type: LockType.SHARED, count: 1 }, 'shared lock (multipath)');
  const lockReq = h.server.requests.filter((r) => r.opcode === SheepOpcode.LOCK_VDI).at(-1);
  t.equal(lockReq?.kind === 'vdi' && lockReq.type, LockType.SHARED);
  await rejectsWith(t, h.open(':a'), 'not-ready', /SD_RES_VDI_LOCKED.*dog vdi lock unlock a/);
  await s1.close();
  t.equal(c.locks.has(vid), false);

  const ro = await h.open(':a', { readOnly: true });
  t.equal(ro.capabilities.readOnly, true);
  t.equal(c.locks.has(vid), false, 'read-only LUN takes no lock');
  await rejectsWith(t, ro.write(Buffer.alloc(512), 0, false), 'write-protected');
  await ro.close();

  c.createVdi('hyper', 8 * MiB, { storePolicy: 1 });
  await rejectsWith(t, h.open(':hyper'), 'unsupported', /hyper volume/);
  t.equal(c.locks.has(c.currentVid('hyper') as number), false, 'lock released after a refused open');

  const dead = await startSheepHarness('unix');
  await dead.server.stop();
  await rejectsWith(t, dead.open(':a', { options: { reconnectTimeoutMs: 300 } }), 'not-ready', /cannot connect to sheep/);
  await dead.close();
});

t.test('sheep result codes become store errors and log lines', async (t) => {
  const h = await startSheepHarness('unix');
  t.teardown(() => h.close());
  const c = h.server.cluster;
  c.createVdi('e', 8 * MiB);
  const store = await h.open(':e');
  await store.write(pattern(4096, 9), 0, false);

  h.server.inject(SheepOpcode.READ_OBJ, SheepResult.EIO);
  await rejectsWith(t, store.read(Buffer.alloc(4096), 0), 'medium', /SD_RES_EIO/);
  h.server.inject(SheepOpcode.CREATE_AND_WRITE_OBJ, SheepResult.NO_SPACE);
  await rejectsWith(t, store.write(Buffer.alloc(4096), OBJ, false), 'space-exhausted');
  t.equal(c.dataVdiId(c.currentVid('e') as number, 1), 0, 'failed create leaves the inode alone');
  h.server.inject(SheepOpcode.WRITE_OBJ, SheepResult.HALT);
  await rejectsWith(t, store.write(Buffer.alloc(4096), 0, false), 'not-ready', /SD_RES_HALT/);
  const errors = h.log.at('error');
  t.equal(errors.length, 3, 'one log line per failed request');
  t.match(errors[0]?.fields, { result: /SD_RES_EIO/ });
  // After the failures the store still works.
  await store.write(pattern(4096, 10), OBJ, false);
  const back = Buffer.alloc(4096);
  await store.read(back, OBJ);
  t.same(back, pattern(4096, 10));
});

t.test('writes after the VDI is snapshotted underneath go to the new working VDI (SD_RES_READONLY → reload)', async (t) => {
  const h = await startSheepHarness('unix');
  t.teardown(() => h.close());
  const c = h.server.cluster;
  c.createVdi('live', 8 * MiB);
  const store = await h.open(':live', { options: { lock: 'none' } });
  const first = pattern(4096, 11);
  await store.write(first, 0, false);
  const { snapshotVid, workingVid } = c.snapshot('live', 'online');
  const second = pattern(4096, 12);
  await store.write(second, 0, false);
  t.same(c.readVdi(snapshotVid, 0, 4096), first, 'snapshot keeps the data from before');
  t.same(c.readVdi(workingVid, 0, 4096), second, 'new write landed in the working VDI');
  t.ok(h.log.entries.some((e) => /snapshotted/.test(e.msg)));
});

t.test('flush: FLUSH_VDI only where sheep needs it', async (t) => {
  const plain = await startSheepHarness('unix');
  t.teardown(() => plain.close());
  plain.server.cluster.createVdi('f', 8 * MiB);
  const a = await plain.open(':f');
  const probes = plain.server.requests.filter((r) => r.opcode === SheepOpcode.FLUSH_VDI).length;
  await a.write(pattern(512, 1), 0, true);
  await a.flush();
  t.equal(plain.server.requests.filter((r) => r.opcode === SheepOpcode.FLUSH_VDI).length, probes, 'no flushes to a sheep that writes through');

  const cached = await startSheepHarness('unix', { flushSupported: true });
  t.teardown(() => cached.close());
  cached.server.cluster.createVdi('f', 8 * MiB);
  const b = await cached.open(':f');
  const base = cached.server.flushCount;
  await b.write(pattern(512, 1), 0, true);
  t.equal(cached.server.flushCount, base + 1, 'FUA write flushed');
  await b.flush();
  t.equal(cached.server.flushCount, base + 2, 'SYNCHRONIZE CACHE flushed');
});

t.test('shared writers (lock: none / shared): each sees objects the other created, nothing is clobbered', async (t) => {
  const h = await startSheepHarness('unix');
  t.teardown(() => h.close());
  const c = h.server.cluster;
  c.createVdi('base', 12 * MiB);
  const seed = await h.open(':base');
  await seed.write(pattern(OBJ, 20), 0, false); // object 0 lives in the snapshot below
  await seed.close();
  const { snapshotVid, workingVid } = c.snapshot('base');
  const a = await h.open(':base', { options: { lock: 'none' } });
  const b = await h.open(':base', { options: { lock: 'none' } });

  // A creates object 1; B's table still says "never written", yet B reads A's data.
  await a.write(pattern(4096, 21), OBJ, false);
  const seen = Buffer.alloc(4096);
  await b.read(seen, OBJ);
  t.same(seen, pattern(4096, 21), 'B reads the object A created');

  // A copies object 0 on write; B then writes another part of it: B must not COW again over A's bytes.
  await a.write(pattern(4096, 22), 0, false);
  await b.write(pattern(4096, 23), 8192, false);
  const creates = h.server.requests.filter((r) => r.opcode === SheepOpcode.CREATE_AND_WRITE_OBJ && r.kind === 'obj' && r.oid === vidToDataOid(workingVid, 0));
  t.equal(creates.length, 1, 'object 0 created once');
  const expect = Buffer.from(pattern(OBJ, 20));
  pattern(4096, 22).copy(expect, 0);
  pattern(4096, 23).copy(expect, 8192);
  t.same(c.readVdi(workingVid, 0, OBJ), expect, 'both writes kept, the rest inherited');
  t.same(c.readVdi(snapshotVid, 0, 4096), pattern(OBJ, 20).subarray(0, 4096), 'snapshot untouched');

  // B discards object 1 (created by A): sheep clears the entry and the object.
  await b.discard!(OBJ, OBJ);
  t.equal(c.dataVdiId(workingVid, 1), 0);
  t.equal(c.objects.has(vidToDataOid(workingVid, 1)), false);
  const after = Buffer.alloc(4096, 1);
  await a.read(after, OBJ);
  t.equal(after.every((x) => x === 0), true, 'A reads zeros after B discarded');
});
