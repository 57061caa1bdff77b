/**
 * A Curve volume as a BackingStore, through nebd-server's NebdFileService.
 *
 * Failure handling, following nebd-client: an RPC that fails (no reply,
 * broken connection, server stopping) is retried with backoff; a reply with
 * retCode kNoOK is final (MEDIUM ERROR). After a reconnect the file is opened
 * again (OpenFile) before any I/O is retried, and I/O only ever uses the
 * descriptor of the connection it is sent on. When the retry budget runs out
 * the I/O fails with not-ready. A write resolves only on nebd's kOK reply.
 */
import type { BackingStore, StoreCapabilities } from '../../core/store/BackingStore.js';
import { StoreError } from '../../core/store/StoreError.js';
import type { Logger } from '../../core/log/Logger.js';
import { copyAttachment } from './BaiduStdCodec.js';
import { callNebd } from './NebdCall.js';
import { NebdMethods, RetCode, type StatusResponse } from './NebdMessages.js';
import type { NebdOpenFile, NebdSession } from './NebdSession.js';
import { retryDelayMs, type RetryOptions } from './NebdRetryPolicy.js';
import { BrpcErrno, RpcError } from './RpcError.js';
import { toSafeNumber } from './ProtoCodec.js';

/** Largest Read/Write sent as one RPC; brpc servers refuse bodies over 64 MiB by default. */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

export interface CurveStoreConfig {
  /** The nebd file name, e.g. cbd:pool//iscsi_test_ */
  readonly name: string;
  readonly timeoutMs: number;
  readonly retry: RetryOptions;
  readonly exclusive: boolean | null;
  readonly blockSize: number;
  readonly readOnly: boolean;
  readonly log: Logger;
}

type Attempt<T> = (fd: number, generation: number) => Promise<T>;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class CurveStore implements BackingStore, NebdOpenFile {
  readonly capabilities: StoreCapabilities;
  private currentSize = 0;
  private fd = -1;
  private fdGeneration = 0;
  private reopening: Promise<number> | null = null;
  private closed = false;

  private constructor(
    private readonly session: NebdSession,
    private readonly config: CurveStoreConfig,
    private readonly release: () => void,
  ) {
    this.capabilities = {
      discard: true,
      // Curve frees space only for whole segments, later, in the background
      // (src/client/discard_task.cpp): discarded blocks may still read old data.
      discardZeroes: false,
      writeZeroes: false,
      allocationMap: false,
      resize: true,
      readOnly: config.readOnly,
    };
  }

  /**
   * Open the volume (retrying while nebd-server is unreachable, within the
   * retry budget) and settle its size: 'auto' takes the volume's size; a
   * declared size larger than the volume grows it with ResizeFile.
   */
  static async open(session: NebdSession, config: CurveStoreConfig, size: number | 'auto', release: () => void): Promise<CurveStore> {
    const store = new CurveStore(session, config, release);
    try {
      await store.run('OpenFile', async () => store.ensureOpen());
      const volumeSize = await store.fetchSize();
      if (size === 'auto' || size === volumeSize) {
        store.currentSize = volumeSize;
      } else if (size > volumeSize) {
        await store.resize(size);
      } else {
        config.log.warn('the declared size is smaller than the Curve volume; only the declared size is served', {
          volume: config.name,
          declared: size,
          volumeSize,
        });
        store.currentSize = size;
      }
      session.add(store);
      return store;
    } catch (err) {
      store.closed = true;
      await store.closeDescriptor();
      release();
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(
        `cannot open Curve volume ${config.name} through nebd-server at ${session.socketPath}: ${why}. ` +
          'Check that nebd-server runs, listens on that socket and can open the volume (name, pool, user).',
        { cause: err },
      );
    }
  }

  get size(): number {
    return this.currentSize;
  }

  get name(): string {
    return this.config.name;
  }

  openDescriptor(): { fd: number; generation: number } | null {
    return this.fdGeneration !== 0 && !this.closed ? { fd: this.fd, generation: this.fdGeneration } : null;
  }

  async refresh(): Promise<void> {
    if (!this.closed) await this.ensureOpen();
  }

  async read(dst: Buffer, offset: number): Promise<void> {
    if (dst.length <= MAX_REQUEST_BYTES) return this.readPiece(dst, offset);
    await Promise.all(this.pieces(dst, offset).map(([part, at]) => this.readPiece(part, at)));
  }

  async write(src: Buffer, offset: number, fua: boolean): Promise<void> {
    if (this.config.readOnly) throw new StoreError('write-protected', `Curve volume ${this.config.name} is served read-only`);
    if (src.length <= MAX_REQUEST_BYTES) await this.writePiece(src, offset);
    else await Promise.all(this.pieces(src, offset).map(([part, at]) => this.writePiece(part, at)));
    // nebd has no FUA flag: a forced-unit-access write is a write then a Flush.
    if (fua) await this.flush();
  }

  async flush(): Promise<void> {
    await this.run('Flush', async (fd, generation) => {
      const { response } = await callNebd(this.session.channel, NebdMethods.Flush, generation, { fd }, null, this.config.timeoutMs);
      this.check('Flush', response, 0, 0);
    });
  }

  async discard(offset: number, length: number): Promise<void> {
    if (this.config.readOnly) throw new StoreError('write-protected', `Curve volume ${this.config.name} is served read-only`);
    await this.run('Discard', async (fd, generation) => {
      const { response } = await callNebd(
        this.session.channel,
        NebdMethods.Discard,
        generation,
        { fd, offset, size: length },
        null,
        this.config.timeoutMs,
      );
      this.check('Discard', response, offset, length);
    });
  }

  async resize(newSize: number): Promise<void> {
    if (newSize < this.currentSize) {
      throw new StoreError('unsupported', `Curve volume ${this.config.name} cannot shrink (from ${this.currentSize} to ${newSize} bytes); Curve only extends volumes`);
    }
    await this.run('ResizeFile', async (fd, generation) => {
      const { response } = await callNebd(
        this.session.channel,
        NebdMethods.ResizeFile,
        generation,
        { fd, newSize },
        null,
        this.config.timeoutMs,
      );
      if (response.retCode !== RetCode.kOK) {
        throw new StoreError('medium', `nebd-server could not resize Curve volume ${this.config.name} to ${newSize} bytes: ${response.retMsg ?? 'kNoOK'}`);
      }
    });
    this.currentSize = this.floorToBlock(newSize);
  }

  async refreshSize(): Promise<number> {
    this.currentSize = await this.fetchSize();
    return this.currentSize;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.closeDescriptor();
    } finally {
      this.session.remove(this);
      this.release();
    }
  }

  private async fetchSize(): Promise<number> {
    return this.run('GetInfo', async (fd, generation) => {
      const { response } = await callNebd(this.session.channel, NebdMethods.GetInfo, generation, { fd }, null, this.config.timeoutMs);
      if (response.retCode !== RetCode.kOK || !response.info) {
        throw new StoreError('medium', `nebd-server could not tell the size of Curve volume ${this.config.name}: ${response.retMsg ?? 'kNoOK'}`);
      }
      return this.floorToBlock(toSafeNumber(response.info.size));
    });
  }

  private floorToBlock(bytes: number): number {
    return bytes - (bytes % this.config.blockSize);
  }

  private async readPiece(dst: Buffer, offset: number): Promise<void> {
    await this.run('Read', async (fd, generation) => {
      const { response, reply } = await callNebd(
        this.session.channel,
        NebdMethods.Read,
        generation,
        { fd, offset, size: dst.length },
        null,
        this.config.timeoutMs,
      );
      this.check('Read', response, offset, dst.length);
      if (reply.attachmentSize !== dst.length) {
        throw new StoreError('medium', `nebd-server returned ${reply.attachmentSize} bytes for a Read of ${dst.length} at ${offset} on ${this.config.name}`);
      }
      copyAttachment(reply, dst);
    });
  }

  private async writePiece(src: Buffer, offset: number): Promise<void> {
    await this.run('Write', async (fd, generation) => {
      const { response } = await callNebd(
        this.session.channel,
        NebdMethods.Write,
        generation,
        { fd, offset, size: src.length },
        src,
        this.config.timeoutMs,
      );
      this.check('Write', response, offset, src.length);
    });
  }

  private pieces(buf: Buffer, offset: number): Array<[Buffer, number]> {
    const out: Array<[Buffer, number]> = [];
    for (let at = 0; at < buf.length; at += MAX_REQUEST_BYTES) {
      out.push([buf.subarray(at, Math.min(buf.length, at + MAX_REQUEST_BYTES)), offset + at]);
    }
    return out;
  }

  /** nebd's kNoOK on I/O is final: nebd-client reports it as EIO without retrying. */
  private check(op: string, response: StatusResponse, offset: number, length: number): void {
    if (response.retCode === RetCode.kOK) return;
    throw new StoreError(
      'medium',
      `nebd-server failed ${op} of ${length} bytes at ${offset} on Curve volume ${this.config.name}: ${response.retMsg || 'kNoOK'}`,
    );
  }

  /**
   * Run one RPC with retries. `attempt` gets the descriptor and the
   * connection generation it is valid on.
   */
  private async run<T>(op: string, attempt: Attempt<T>): Promise<T> {
    const started = Date.now();
    let retries = 0;
    let failures = 0;
    for (;;) {
      if (this.closed && op !== 'OpenFile') throw new StoreError('gone', `Curve volume ${this.config.name} is closed`);
      let error: RpcError;
      try {
        const fd = this.fdGeneration !== 0 && this.fdGeneration === this.session.channel.generation ? this.fd : await this.ensureOpen();
        return await attempt(fd, this.fdGeneration);
      } catch (err) {
        if (!(err instanceof RpcError)) throw err;
        if (!err.retryable) {
          throw new StoreError('medium', `${op} on Curve volume ${this.config.name} failed: ${err.message}`, { cause: err });
        }
        error = err;
      }
      retries += 1;
      if (error.code !== BrpcErrno.EHOSTDOWN) failures += 1;
      const wait = retryDelayMs(this.config.retry, retries, error.code);
      if (failures > this.config.retry.maxRetries || Date.now() - started + wait > this.config.retry.budgetMs) {
        throw new StoreError(
          'not-ready',
          `${op} on Curve volume ${this.config.name} did not succeed within ${Date.now() - started} ms and ${retries} retries: ${error.message}`,
          { cause: error },
        );
      }
      await sleep(wait);
    }
  }

  /** The descriptor valid on the live connection, opening the file (again) if needed. */
  private ensureOpen(): Promise<number> {
    const generation = this.session.channel.generation;
    if (generation !== 0 && generation === this.fdGeneration) return Promise.resolve(this.fd);
    this.reopening ??= this.openOnce().finally(() => {
      this.reopening = null;
    });
    return this.reopening;
  }

  private async openOnce(): Promise<number> {
    const reopen = this.fdGeneration !== 0;
    const generation = await this.session.channel.connect();
    const flags = this.config.exclusive === null ? null : { exclusive: this.config.exclusive };
    const { response } = await callNebd(
      this.session.channel,
      NebdMethods.OpenFile,
      generation,
      flags ? { fileName: this.config.name, flags } : { fileName: this.config.name },
      null,
      this.config.timeoutMs,
    );
    if (response.retCode !== RetCode.kOK || response.fd === undefined || response.fd === null) {
      throw new StoreError(
        'gone',
        `nebd-server refused to open Curve volume ${this.config.name}: ${response.retMsg || 'kNoOK'} (does the volume exist, and may this user open it?)`,
      );
    }
    this.fd = response.fd;
    this.fdGeneration = generation;
    if (reopen) this.config.log.info('re-opened Curve volume after reconnecting to nebd-server', { volume: this.config.name, fd: this.fd });
    return this.fd;
  }

  /** CloseFile once, briefly: nebd-server also closes files whose heartbeats stop. */
  private async closeDescriptor(): Promise<void> {
    const generation = this.fdGeneration;
    if (generation === 0 || generation !== this.session.channel.generation) return;
    this.fdGeneration = 0;
    try {
      await callNebd(this.session.channel, NebdMethods.CloseFile, generation, { fd: this.fd }, null, this.config.timeoutMs);
    } catch (err) {
      this.config.log.warn('CloseFile failed; nebd-server will close the file when heartbeats stop', {
        volume: this.config.name,
        error: (err as Error).message,
      });
    }
  }
}
