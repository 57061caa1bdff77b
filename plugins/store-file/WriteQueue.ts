/**
 * The writes of one file, sent to the threadpool in batches: one batch in
 * flight per file, and every write that arrives meanwhile leaves with the
 * next one (./WriteBatchNative does a batch as a single threadpool job).
 * At queue depth this replaces a worker wake-up, a completion wake-up and a
 * contended inode lock per write with one of each per batch; a lone write
 * leaves at once, as before. The FUA writes of a batch share one fdatasync.
 *
 * Writes are done in arrival order. Nothing is acknowledged before its
 * pwrite (and, for FUA, the fdatasync after it) returned.
 */
import { fdatasync, write as fsWrite } from 'node:fs';

/** Writes every buffer whole at its position, in order; null when all succeeded, else an errno per buffer (0 = written). */
export type WriteBatch = (fd: number, buffers: Buffer[], positions: number[]) => Promise<number[] | null>;

/** What a failed write or sync becomes for the caller: an errno, or the error thrown. */
export type WriteErrorOf = (cause: number | Error, offset: number, length: number) => Error;

/**
 * Bytes one batch takes at most (a larger write goes alone): a batch is
 * acknowledged as a whole, so large writes batched together would hold back
 * the first one's acknowledgement until the last is written.
 */
const MAX_BATCH_BYTES = 256 * 1024;

interface PendingWrite {
  readonly src: Buffer;
  readonly offset: number;
  readonly fua: boolean;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export class WriteQueue {
  private waiting: PendingWrite[] = [];
  private sending = false;
  private syncs = 0;
  private idleWaiters: Array<() => void> = [];

  /** `fd` is read at each batch, so a closed file fails its writes instead of writing to a reused descriptor. */
  constructor(
    private readonly fd: () => number,
    private readonly writeBatch: WriteBatch,
    private readonly errorOf: WriteErrorOf,
  ) {}

  write(src: Buffer, offset: number, fua: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ src, offset, fua, resolve, reject });
      if (!this.sending) this.send();
    });
  }

  /** Resolves once nothing is queued, being written or being synced. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private get busy(): boolean {
    return this.sending || this.syncs > 0;
  }

  private send(): void {
    // At least one write; more while they fit in MAX_BATCH_BYTES.
    let n = 1;
    let bytes = this.waiting[0]!.src.length;
    while (n < this.waiting.length && bytes + this.waiting[n]!.src.length <= MAX_BATCH_BYTES) bytes += this.waiting[n++]!.src.length;
    const batch = n === this.waiting.length ? this.waiting : this.waiting.slice(0, n);
    this.waiting = n === this.waiting.length ? [] : this.waiting.slice(n);
    this.sending = true;
    const buffers = new Array<Buffer>(batch.length);
    const positions = new Array<number>(batch.length);
    for (let i = 0; i < batch.length; i++) {
      buffers[i] = batch[i]!.src;
      positions[i] = batch[i]!.offset;
    }
    let done: Promise<number[] | null>;
    try {
      done = this.writeBatch(this.fd(), buffers, positions);
    } catch (err) {
      done = Promise.reject(err); // e.g. the descriptor is closed
    }
    done.then((errnos) => this.written(batch, errnos), (err: unknown) => this.written(batch, asError(err)));
  }

  private written(batch: PendingWrite[], result: number[] | null | Error): void {
    let durable: PendingWrite[] | null = null;
    for (let i = 0; i < batch.length; i++) {
      const w = batch[i]!;
      const failure = result === null ? 0 : result instanceof Error ? result : result[i] ?? 0;
      if (failure !== 0) w.reject(this.errorOf(failure, w.offset, w.src.length));
      else if (w.fua) (durable ??= []).push(w);
      else w.resolve();
    }
    if (durable !== null) this.sync(durable);
    this.sending = false;
    if (this.waiting.length > 0) this.send();
    else this.wakeIfIdle();
  }

  /** One fdatasync after the batch makes every FUA write in it durable. */
  private sync(writes: PendingWrite[]): void {
    this.syncs++;
    const settle = (err: Error | null): void => {
      for (const w of writes) {
        if (err) w.reject(this.errorOf(err, w.offset, w.src.length));
        else w.resolve();
      }
      this.syncs--;
      this.wakeIfIdle();
    };
    try {
      fdatasync(this.fd(), settle);
    } catch (err) {
      settle(asError(err));
    }
  }

  private wakeIfIdle(): void {
    if (this.busy || this.idleWaiters.length === 0) return;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** The batch with Node's fs, one write after the other: for when the write-batch addon is not built. */
export async function writeEachWithFs(fd: number, buffers: Buffer[], positions: number[]): Promise<number[] | null> {
  let errnos: number[] | null = null;
  for (let i = 0; i < buffers.length; i++) {
    const errno = await writeWhole(fd, buffers[i]!, positions[i]!);
    if (errno !== 0) (errnos ??= new Array<number>(buffers.length).fill(0))[i] = errno;
  }
  return errnos;
}

function writeWhole(fd: number, src: Buffer, position: number): Promise<number> {
  return new Promise((resolve) => {
    let done = 0;
    const next = (): void => {
      if (done >= src.length) { resolve(0); return; }
      fsWrite(fd, src, done, src.length - done, position + done, (err, n) => {
        if (err) { resolve(Math.abs(err.errno ?? 5)); return; }
        if (n === 0) { resolve(5); return; } // EIO: no progress
        done += n;
        next();
      });
    };
    try {
      next();
    } catch (err) {
      resolve(Math.abs((err as NodeJS.ErrnoException).errno ?? 9)); // EBADF: closed
    }
  });
}
