/**
 * An intent journal that makes a write to the backing file all-or-nothing
 * across a crash or a power loss (WRITE ATOMIC(16)).
 *
 * One write at a time: the record (offset, length, CRC32C, data) is written
 * to the journal file and fdatasync'ed; only then is the data written in
 * place and fdatasync'ed; then the journal is truncated (fdatasync'ed). At
 * open, a complete record whose checksum matches is replayed (the write may
 * have been cut short in place) and cleared; anything else in the journal is
 * a record whose write never started, so it is dropped.
 *
 * Record layout (big-endian):
 *   0  magic 'LHATOMJ1'   8  byte offset (u64)   16  length (u32)
 *   20 CRC32C of bytes 0-19 and the data          24  data
 */
import { crc32c } from '@node-rs/crc32';
import { constants } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../../core/log/Logger.js';

const MAGIC = Buffer.from('LHATOMJ1', 'ascii');
export const JOURNAL_HEADER_BYTES = 24;

/** The journal record of a write of `data` at byte `offset`. */
export function encodeJournalRecord(offset: number, data: Buffer): Buffer {
  const record = Buffer.allocUnsafe(JOURNAL_HEADER_BYTES + data.length);
  MAGIC.copy(record, 0);
  record.writeBigUInt64BE(BigInt(offset), 8);
  record.writeUInt32BE(data.length, 16);
  data.copy(record, JOURNAL_HEADER_BYTES);
  record.writeUInt32BE(checksum(record), 20);
  return record;
}

function checksum(record: Buffer): number {
  return crc32c(record.subarray(JOURNAL_HEADER_BYTES), crc32c(record.subarray(0, 20)));
}

/** The write a journal holds, or null when it holds no complete, intact record. */
export function decodeJournalRecord(journal: Buffer): { offset: number; data: Buffer } | null {
  if (journal.length < JOURNAL_HEADER_BYTES || !journal.subarray(0, 8).equals(MAGIC)) return null;
  const offset = Number(journal.readBigUInt64BE(8));
  const length = journal.readUInt32BE(16);
  if (journal.length < JOURNAL_HEADER_BYTES + length) return null; // torn: cut short before its sync
  const record = journal.subarray(0, JOURNAL_HEADER_BYTES + length);
  if (record.readUInt32BE(20) !== checksum(record)) return null;
  return { offset, data: record.subarray(JOURNAL_HEADER_BYTES) };
}

export class AtomicJournal {
  /** Atomic writes run one after the other: the journal holds one record. */
  private tail: Promise<void> = Promise.resolve();
  /**
   * Set when a write failed after its record was synced and the immediate
   * repair failed too: the range may be torn and only the replay at the next
   * open repairs it. Until then EVERY write to the file is refused (see
   * `blocked`): a write acknowledged now would be overwritten by that replay.
   */
  private broken: Error | null = null;

  /** Non-null while the file must not be written at all (a journaled write awaits its replay). */
  get blocked(): Error | null {
    return this.broken;
  }

  private constructor(
    readonly path: string,
    private readonly journal: FileHandle,
    private readonly target: FileHandle,
  ) {}

  /**
   * Opens (creating) the journal at `path` for writes to `target`, whose
   * size is `targetSize`, and replays a complete record left by a crash.
   */
  static async open(path: string, target: FileHandle, targetSize: number, log: Logger): Promise<AtomicJournal> {
    let journal: FileHandle;
    try {
      await mkdir(dirname(path), { recursive: true }); // the host makes it; a direct caller may not have
      journal = await open(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    } catch (err) {
      throw new Error(`atomic write journal ${path}: cannot open it (${(err as Error).message}); check the LUN's state directory`, { cause: err });
    }
    try {
      // The journal's directory entry must survive a power loss too.
      await syncDirectory(dirname(path));
      const j = new AtomicJournal(path, journal, target);
      await j.recover(targetSize, log);
      return j;
    } catch (err) {
      await journal.close().catch(() => undefined);
      throw err;
    }
  }

  private async recover(targetSize: number, log: Logger): Promise<void> {
    const content = await this.journal.readFile();
    if (content.length === 0) return;
    const record = decodeJournalRecord(content);
    if (record === null) {
      log.warn('dropping an incomplete atomic write journal record (that write was never acknowledged)', { path: this.path });
    } else if (record.offset + record.data.length > targetSize) {
      throw new Error(`atomic write journal ${this.path} holds a write at ${record.offset}+${record.data.length} beyond the backing file's ${targetSize} bytes; restore the file's size, or delete the journal to lose that write`);
    } else {
      await this.writeInPlace(record.data, record.offset);
      log.info('replayed an interrupted atomic write from the journal', { path: this.path, offset: record.offset, length: record.data.length });
    }
    await this.clear();
  }

  /** Writes `data` at `offset` of the target all-or-nothing; durable when it resolves. */
  write(data: Buffer, offset: number): Promise<void> {
    const run = this.tail.then(() => this.writeNow(data, offset));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async writeNow(data: Buffer, offset: number): Promise<void> {
    if (this.broken !== null) throw this.broken;
    await writeFully(this.journal, encodeJournalRecord(offset, data), 0);
    await this.journal.datasync();
    try {
      await this.writeInPlace(data, offset);
      await this.clear();
    } catch (err) {
      // Repair at once from the synced record ("all" of the failed write): then nothing waits for a replay.
      try {
        await this.writeInPlace(data, offset);
        await this.clear();
      } catch {
        this.broken = new Error(`atomic write journal ${this.path}: an atomic write failed after it was journaled (${(err as Error).message}); writes are refused until the LUN is opened again, which replays it`, { cause: err });
      }
      throw err;
    }
  }

  private async writeInPlace(data: Buffer, offset: number): Promise<void> {
    await writeFully(this.target, data, offset);
    await this.target.datasync();
  }

  private async clear(): Promise<void> {
    await this.journal.truncate(0);
    await this.journal.datasync();
  }

  async close(): Promise<void> {
    await this.tail;
    await this.journal.close();
  }
}

async function writeFully(fh: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const d = await open(dir, constants.O_RDONLY);
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
