/** The file store's atomic writes: journal record codec, writeAtomic, replay of a complete record after a crash, an incomplete one dropped. */
import t, { type Test } from 'tap';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJournalRecord, encodeJournalRecord, JOURNAL_HEADER_BYTES } from '../../../plugins/store-file/AtomicJournal.js';
import { ATOMIC_JOURNAL_FILE, FileStore } from '../../../plugins/store-file/FileStore.js';
import type { StoreError } from '../../../core/store/StoreError.js';
import { MemoryLogger } from '../../helpers/MemoryLogger.js';

const SIZE = 1024 * 1024;

function opts(dir: string, o: { readOnly?: boolean; stateDir?: string | null; log?: MemoryLogger } = {}) {
  const stateDir = o.stateDir === null ? {} : { stateDir: o.stateDir ?? join(dir, 'state') };
  return { path: join(dir, 'disk.img'), size: SIZE, readOnly: o.readOnly ?? false, blockSize: 512, log: o.log ?? new MemoryLogger(), ...stateDir };
}

async function setup(t: Test) {
  const dir = t.testdir({ state: {} });
  return { dir, journal: join(dir, 'state', ATOMIC_JOURNAL_FILE), disk: join(dir, 'disk.img') };
}

t.test('record codec: round trip; torn, corrupted or foreign records decode as null', async (t) => {
  const data = Buffer.alloc(1536, 0x3c);
  const rec = encodeJournalRecord(4096, data);
  t.equal(rec.length, JOURNAL_HEADER_BYTES + 1536);
  t.equal(rec.subarray(0, 8).toString('ascii'), 'LHATOMJ1');
  t.equal(Number(rec.readBigUInt64BE(8)), 4096);
  t.equal(rec.readUInt32BE(16), 1536);
  const back = decodeJournalRecord(rec);
  t.equal(back?.offset, 4096);
  t.same(back?.data, data);
  t.equal(decodeJournalRecord(rec.subarray(0, rec.length - 1)), null, 'torn data');
  t.equal(decodeJournalRecord(rec.subarray(0, 10)), null, 'torn header');
  const flipped = Buffer.from(rec);
  flipped[JOURNAL_HEADER_BYTES + 700] ^= 1;
  t.equal(decodeJournalRecord(flipped), null, 'a flipped data bit');
  const moved = Buffer.from(rec);
  moved[15] ^= 2;
  t.equal(decodeJournalRecord(moved), null, 'a changed offset');
  t.equal(decodeJournalRecord(Buffer.alloc(100)), null, 'zeros');
});

t.test('writeAtomic writes in place, leaves the journal empty; capability only with a state directory and write access', async (t) => {
  const { dir, journal, disk } = await setup(t);
  const store = await FileStore.open(opts(dir));
  t.equal(store.capabilities.atomicWrite, true);
  const data = Buffer.alloc(8192, 0x77);
  await store.writeAtomic(data, 4096, false);
  await Promise.all([store.writeAtomic(Buffer.alloc(512, 1), 0, true), store.writeAtomic(Buffer.alloc(512, 2), 0, false)]);
  const back = Buffer.alloc(8192);
  await store.read(back, 4096);
  t.same(back, data);
  const first = Buffer.alloc(512);
  await store.read(first, 0);
  t.ok(first.every((b) => b === 2), 'serialised in call order');
  t.equal((await stat(journal)).size, 0, 'journal cleared');
  await store.close();
  t.equal((await readFile(disk)).readUInt8(4096), 0x77);

  const noState = await FileStore.open(opts(dir, { stateDir: null }));
  t.notOk(noState.capabilities.atomicWrite, 'no state directory: no atomic writes');
  t.equal(await noState.writeAtomic(data, 0, false).then(() => 'written', (e: StoreError) => e.kind), 'unsupported');
  await noState.close();
  const ro = await FileStore.open(opts(dir, { readOnly: true }));
  t.notOk(ro.capabilities.atomicWrite, 'read-only: no atomic writes');
  t.equal(await ro.writeAtomic(data, 0, false).then(() => 'written', (e: StoreError) => e.kind), 'write-protected');
  await ro.close();
});

t.test('crash after the journal was synced: the record is replayed at open, then cleared', async (t) => {
  const { dir, journal, disk } = await setup(t);
  await (await FileStore.open(opts(dir))).close();
  // The state a crash leaves between "journal synced" and "written in place": a
  // complete record, and the target range torn (half new, half old).
  const data = Buffer.alloc(4096, 0xab);
  await writeFile(journal, encodeJournalRecord(8192, data));
  const torn = await readFile(disk);
  torn.fill(0xab, 8192, 8192 + 1024);
  await writeFile(disk, torn);
  const log = new MemoryLogger();
  const store = await FileStore.open(opts(dir, { log }));
  t.teardown(() => store.close());
  const back = Buffer.alloc(4096 + 512);
  await store.read(back, 8192);
  t.ok(back.subarray(0, 4096).every((b) => b === 0xab), 'the whole range holds the new data');
  t.ok(back.subarray(4096).every((b) => b === 0), 'nothing beyond it changed');
  t.equal((await stat(journal)).size, 0, 'journal cleared after the replay');
  t.ok(log.entries.some((e) => /replayed/.test(e.msg)), 'the replay is logged');
});

t.test('crash while the journal was being written: the torn record is dropped, the data is untouched', async (t) => {
  const { dir, journal, disk } = await setup(t);
  const first = await FileStore.open(opts(dir));
  await first.write(Buffer.alloc(4096, 0x11), 8192, true);
  await first.close();
  const rec = encodeJournalRecord(8192, Buffer.alloc(4096, 0xcd));
  await writeFile(journal, rec.subarray(0, rec.length - 100));
  const log = new MemoryLogger();
  const store = await FileStore.open(opts(dir, { log }));
  const back = Buffer.alloc(4096);
  await store.read(back, 8192);
  t.ok(back.every((b) => b === 0x11), 'old data stays');
  t.equal((await stat(journal)).size, 0, 'the torn record is gone');
  t.ok(log.entries.some((e) => /incomplete/.test(e.msg)), 'dropping it is logged');
  await store.close();
  t.equal((await readFile(disk)).readUInt8(8192), 0x11);
});

t.test('a record beyond the end of the file refuses to open (no silent loss of an acknowledged write)', async (t) => {
  const { dir, journal } = await setup(t);
  await (await FileStore.open(opts(dir))).close();
  await writeFile(journal, encodeJournalRecord(SIZE, Buffer.alloc(512, 1)));
  await t.rejects(FileStore.open(opts(dir)), /beyond the backing file/);
});

/** A target file whose in-place writes fail the first `failures` times (EIO), then work. */
function flakyTarget(failures: number) {
  let left = failures;
  const written: Array<[number, number]> = [];
  const fh = {
    async write(_b: Buffer, _o: number, len: number, pos: number) {
      if (left > 0) { left--; throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }); }
      written.push([pos, len]);
      return { bytesWritten: len };
    },
    async datasync() {},
  };
  return { fh: fh as unknown as import('node:fs/promises').FileHandle, written };
}

t.test('an in-place failure after the journal sync is repaired at once from the record', async (t) => {
  const { dir } = await setup(t);
  const { AtomicJournal } = await import('../../../plugins/store-file/AtomicJournal.js');
  const target = flakyTarget(1);
  const j = await AtomicJournal.open(join(dir, 'state', 'j1'), target.fh, SIZE, new MemoryLogger());
  await t.rejects(j.write(Buffer.alloc(4096, 1), 8192), /EIO/, 'the command still fails');
  t.same(target.written, [[8192, 4096]], 'the repair wrote the whole record in place');
  t.equal(j.blocked, null, 'nothing waits for a replay');
  t.equal((await stat(join(dir, 'state', 'j1'))).size, 0, 'journal cleared');
  await j.close();
});

t.test('when the repair fails too, every write is refused until the replay at the next open', async (t) => {
  const { dir, disk } = await setup(t);
  const { AtomicJournal } = await import('../../../plugins/store-file/AtomicJournal.js');
  const target = flakyTarget(2);
  const j = await AtomicJournal.open(join(dir, 'state', 'j2'), target.fh, SIZE, new MemoryLogger());
  await t.rejects(j.write(Buffer.alloc(4096, 1), 8192), /EIO/);
  t.match(j.blocked?.message ?? '', /writes are refused until the LUN is opened again/);
  t.ok((await stat(join(dir, 'state', 'j2'))).size > 0, 'the record stays for the replay');
  await t.rejects(j.write(Buffer.alloc(512, 2), 0), /writes are refused/, 'a later atomic write is refused');
  await j.close();
  // The file store refuses plain writes, discards and zeroing while its journal is blocked.
  const store = await FileStore.open(opts(dir));
  (store as unknown as { journal: { blocked: Error | null } }).journal = { ...(store as unknown as { journal: object }).journal, blocked: new Error('writes are refused until the LUN is opened again') } as never;
  const refused = await store.write(Buffer.alloc(512, 3), 0, false).then(() => null, (e: StoreError) => e);
  t.equal(refused?.kind, 'medium', 'plain write refused with a medium error');
  t.equal((await readFile(disk)).subarray(0, 512).every((b) => b === 0), true, 'nothing was written');
});
