/**
 * A BackingStore over a regular file or a block device.
 *
 * Opening (FileStore.open):
 * - absent regular file: created sparse at the declared size (parent
 *   directories made, then ftruncate) — a size is then required;
 * - existing file smaller than the declared size: grown (sparse) to it — the
 *   declaration says the size, and growing never loses data;
 * - existing file larger than the declared size: NOT shrunk; the store keeps
 *   the file's size and a warning is logged, so the host sees size > declared
 *   and decides (shrinking needs the LUN's explicit allowShrink → resize());
 * - size 'auto': the existing file's (or device's) size;
 * - block device: its size comes from sysfs; a declared size larger than the
 *   device is refused, a smaller one exposes only that prefix.
 * - read-only LUNs open O_RDONLY and never create or grow anything.
 *
 * I/O goes straight between the caller's buffer and the descriptor (no
 * copies); short transfers are continued; reads beyond end of file return
 * zeros. FUA and flush use fdatasync. Small reads are first served from the
 * page cache on the calling thread (RWF_NOWAIT, ./CachedReadNative); what is
 * not cached goes through the libuv threadpool, so the event loop never
 * waits for the disk. Writes leave in batches, one batch in flight per file
 * (./WriteQueue).
 *
 * Thin provisioning (regular files only): discard punches holes (the space
 * is freed, the range reads as zeros), writeZeroes uses FALLOC_FL_ZERO_RANGE
 * (falling back to punching where the file system lacks it), getAllocation
 * walks SEEK_DATA/SEEK_HOLE. All three come from the sparse-file addon
 * (./SparseFileNative). At open, one hole is punched past the end of the
 * file (a no-op that fails with EOPNOTSUPP where holes are unsupported); if
 * that or loading the addon fails, a warning says why and the capabilities
 * stay off, so core/scsi advertises a fully provisioned LUN.
 *
 * WRITE ATOMIC (writable LUNs with a state directory): writeAtomic goes
 * through an intent journal in that directory (./AtomicJournal), replayed
 * at open when a crash interrupted it.
 */
import { constants, read as fsRead, type Stats } from 'node:fs';
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import type { Logger } from '../../core/log/Logger.js';
import type { AllocationExtent, BackingStore, StoreCapabilities } from '../../core/store/BackingStore.js';
import { StoreError, type StoreErrorKind } from '../../core/store/StoreError.js';
import { AtomicJournal } from './AtomicJournal.js';
import { blockDeviceSize } from './BlockDeviceSize.js';
import { loadSparseFileNative, type SparseFileNative } from './SparseFileNative.js';
import { loadCachedReadNative, type CachedReadNative } from './CachedReadNative.js';
import { loadWriteBatchNative } from './WriteBatchNative.js';
import { WriteQueue, writeEachWithFs } from './WriteQueue.js';
import { storeErrorKindOf } from './storeErrorKindOf.js';

export interface FileStoreOptions {
  /** Absolute path of the file or block device. */
  readonly path: string;
  /** Declared size in bytes, or 'auto' (the file's own size). */
  readonly size: number | 'auto';
  readonly readOnly: boolean;
  readonly blockSize: number;
  readonly log: Logger;
  /**
   * The LUN's state directory: holds the atomic write journal (./AtomicJournal).
   * Absent: no WRITE ATOMIC (capabilities.atomicWrite false).
   */
  readonly stateDir?: string;
}

type FileKind = 'file' | 'block-device';

/** `sparse`: the addon loaded and the file system punches holes (probed at open). */
function capabilitiesFor(kind: FileKind, readOnly: boolean, sparse: boolean, atomic: boolean): StoreCapabilities {
  // A read-only LUN on a thin file is still thin (LBPME, GET LBA STATUS); core/scsi refuses its UNMAPs as write-protected.
  const thin = sparse && kind === 'file';
  return Object.freeze({
    discard: thin,
    discardZeroes: thin,
    writeZeroes: thin && !readOnly,
    allocationMap: thin,
    resize: kind === 'file' && !readOnly,
    readOnly,
    // read() settles only after its pread returned; write() only after its batch (./WriteQueue) returned.
    buffersFreeOnSettle: true,
    // Only present when on, so the capabilities of a LUN without a journal read as before.
    ...(atomic && !readOnly ? { atomicWrite: true } : {}),
  });
}

const EOPNOTSUPP = osConstants.errno.EOPNOTSUPP;

/**
 * Reads up to this size are first tried from the page cache on the event
 * loop (./CachedReadNative): for them the threadpool round trip costs more
 * than the copy. Larger reads go to the threadpool, where their copy runs
 * beside the event loop.
 */
const CACHED_READ_MAX = 64 * 1024;
const RESOLVED: Promise<void> = Promise.resolve();

/** File name of the atomic write journal in the LUN's state directory. */
export const ATOMIC_JOURNAL_FILE = 'atomic-journal';

/** errno of an addon rejection ({ errno }) or an fs error. */
function errnoOf(err: unknown): number | undefined {
  const e = err as { errno?: unknown };
  return typeof e?.errno === 'number' ? Math.abs(e.errno) : undefined;
}

/** Node-style code ('ENOSPC') for an addon errno, so storeErrorKindOf can map it. */
function codeOfErrno(errno: number | undefined): string | undefined {
  if (errno === undefined) return undefined;
  for (const [name, value] of Object.entries(osConstants.errno)) if (value === errno) return name;
  return undefined;
}

/**
 * Whether holes can be punched in this file: the addon loads and punching a
 * range past the end of the file (which changes nothing) is accepted.
 */
async function probeSparse(fh: FileHandle, path: string, size: number, readOnly: boolean, log: Logger): Promise<SparseFileNative | null> {
  const native = loadSparseFileNative();
  if (native instanceof Error) {
    log.warn('thin provisioning is off for this LUN (UNMAP, WRITE SAME with UNMAP and GET LBA STATUS are not offered)', { path, reason: native.message });
    return null;
  }
  // A descriptor open for reading cannot punch; SEEK_DATA/SEEK_HOLE work on every file system.
  if (readOnly) return native;
  try {
    await native.punchHole(fh.fd, size, 4096);
    return native;
  } catch (err) {
    const errno = errnoOf(err);
    const why = errno === EOPNOTSUPP ? 'the file system cannot punch holes' : `probing hole punching failed (${(err as Error).message})`;
    log.warn(`thin provisioning is off for this LUN: ${why}; move the file to ext4, xfs, btrfs or tmpfs to get UNMAP`, { path });
    return null;
  }
}

export class FileStore implements BackingStore {
  private caps: StoreCapabilities;
  /** The atomic write journal, when a state directory was given and the LUN is writable. */
  private journal: AtomicJournal | null = null;
  private currentSize: number;
  private closed = false;
  /** FALLOC_FL_ZERO_RANGE failed with EOPNOTSUPP once: writeZeroes punches holes instead. */
  private zeroRangeUnsupported = false;
  /** Page-cache reads on the event loop; null when the addon or RWF_NOWAIT is missing. */
  private cached: CachedReadNative | null = loadCachedReadNative();
  /** Writes go to the threadpool in batches, one batch in flight (./WriteQueue). */
  private readonly writes: WriteQueue;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    readonly kind: FileKind,
    size: number,
    readonly readOnly: boolean,
    /** The sparse-file addon when this file supports holes, else null (thin provisioning off). */
    private readonly sparse: SparseFileNative | null = null,
  ) {
    this.currentSize = size;
    this.caps = capabilitiesFor(kind, readOnly, sparse !== null, false);
    const batch = loadWriteBatchNative();
    this.writes = new WriteQueue(
      () => this.fh.fd,
      batch?.writeBatch ?? writeEachWithFs,
      (cause, offset, length) => this.writeError(cause, offset, length),
    );
  }

  get capabilities(): StoreCapabilities {
    return this.caps;
  }

  get size(): number {
    return this.currentSize;
  }

  static async open(o: FileStoreOptions): Promise<FileStore> {
    if (o.size !== 'auto' && (!Number.isSafeInteger(o.size) || o.size <= 0 || o.size % o.blockSize !== 0)) {
      throw new Error(`file LUN ${o.path}: size ${o.size} must be a positive multiple of the block size ${o.blockSize}`);
    }
    const store = await FileStore.openStore(o);
    if (o.stateDir === undefined || o.readOnly) return store;
    try {
      // Replays an atomic write a crash interrupted before anyone reads.
      store.journal = await AtomicJournal.open(join(o.stateDir, ATOMIC_JOURNAL_FILE), store.fh, store.size, o.log);
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    }
    store.caps = capabilitiesFor(store.kind, false, store.sparse !== null, true);
    return store;
  }

  private static async openStore(o: FileStoreOptions): Promise<FileStore> {
    const existing = await statOrNull(o.path);
    if (existing === null) return FileStore.create(o);
    if (existing.isDirectory()) throw new Error(`file LUN ${o.path} is a directory; give the path of a file (it is created when absent) or a block device`);
    if (!existing.isFile() && !existing.isBlockDevice()) {
      throw new Error(`file LUN ${o.path} is neither a regular file nor a block device; give the path of one`);
    }
    const fh = await openFile(o.path, o.readOnly ? constants.O_RDONLY : constants.O_RDWR, o.readOnly);
    try {
      if (existing.isBlockDevice()) return await FileStore.openBlockDevice(o, fh);
      return await FileStore.openRegularFile(o, fh);
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
  }

  private static async create(o: FileStoreOptions): Promise<FileStore> {
    if (o.size === 'auto') {
      throw new Error(`file LUN ${o.path} does not exist and no size is declared; add size: (e.g. size: 10GiB) to create it, or fix the path`);
    }
    if (o.readOnly) {
      throw new Error(`file LUN ${o.path} does not exist and the LUN is read-only, so lunhost will not create it; fix the path or drop readOnly`);
    }
    try {
      await mkdir(dirname(o.path), { recursive: true });
    } catch (err) {
      throw new Error(`file LUN ${o.path}: cannot create directory ${dirname(o.path)} (${(err as Error).message}); create it or fix the path`, { cause: err });
    }
    const fh = await openFile(o.path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, false);
    try {
      await fh.truncate(o.size); // sparse: no blocks are allocated
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw new Error(`file LUN ${o.path}: cannot size the new file to ${o.size} bytes (${(err as Error).message}); check free space and the file system's maximum file size`, { cause: err });
    }
    o.log.info('created sparse backing file', { path: o.path, size: o.size });
    return new FileStore(o.path, fh, 'file', o.size, false, await probeSparse(fh, o.path, o.size, false, o.log));
  }

  private static async openRegularFile(o: FileStoreOptions, fh: FileHandle): Promise<FileStore> {
    const actual = (await fh.stat()).size;
    let size = actual;
    if (o.size === 'auto') {
      if (actual === 0) throw new Error(`file LUN ${o.path} is empty and no size is declared; add size: to give it one`);
    } else if (actual < o.size) {
      if (o.readOnly) {
        throw new Error(`file LUN ${o.path} holds ${actual} bytes but the LUN declares ${o.size}; it is read-only so lunhost will not grow it: fix size: (or use size: auto) or grow the file`);
      }
      await truncateOrExplain(fh, o.path, o.size);
      o.log.info('grew backing file to the declared size', { path: o.path, from: actual, to: o.size });
      size = o.size;
    } else if (actual > o.size) {
      o.log.warn('backing file is larger than the declared size; keeping its size (shrinking needs allowShrink)', { path: o.path, fileSize: actual, declared: o.size });
    }
    if (size % o.blockSize !== 0) {
      o.log.warn('backing file size is not a multiple of the block size; the last partial block is not visible', { path: o.path, size, blockSize: o.blockSize });
    }
    const sparse = await probeSparse(fh, o.path, size, o.readOnly, o.log);
    return new FileStore(o.path, fh, 'file', size, o.readOnly, sparse);
  }

  private static async openBlockDevice(o: FileStoreOptions, fh: FileHandle): Promise<FileStore> {
    const st = await fh.stat({ bigint: true });
    const deviceSize = await blockDeviceSize(st.rdev, o.path);
    if (o.size !== 'auto' && o.size > deviceSize) {
      throw new Error(`block device ${o.path} holds ${deviceSize} bytes but the LUN declares ${o.size}; declare size: auto or at most ${deviceSize}`);
    }
    return new FileStore(o.path, fh, 'block-device', o.size === 'auto' ? deviceSize : o.size, o.readOnly);
  }

  // ---- hot path -----------------------------------------------------------

  // fs.read/fs.write with callbacks on the raw descriptor: several times less
  // CPU per call than FileHandle's promise methods (measured with bench/).
  read(dst: Buffer, offset: number): Promise<void> {
    const length = dst.length;
    let done = 0;
    const fd = this.fh.fd; // -1 once closed: the threadpool read below then reports it
    if (this.cached !== null && fd >= 0 && length <= CACHED_READ_MAX && length > 0) {
      const n = this.cached.readCached(fd, dst, 0, length, offset);
      if (n === length) return RESOLVED;
      if (n > 0) done = n; // the rest is not cached
      else if (n === -EOPNOTSUPP) this.cached = null;
      // Otherwise (not cached, end of file, an error) the threadpool read below does it, or reports it.
    }
    return new Promise((resolve, reject) => {
      const step = (err: NodeJS.ErrnoException | null, n: number): void => {
        if (err) { reject(this.storeError(err, 'read', offset, length)); return; }
        if (n === 0) { dst.fill(0, done); resolve(); return; } // beyond end of file: the medium reads as zeros
        done += n;
        if (done < length) next();
        else resolve();
      };
      const next = (): void => {
        try {
          fsRead(fd, dst, done, length - done, offset + done, step);
        } catch (err) {
          reject(this.storeError(err, 'read', offset, length)); // e.g. the descriptor is closed
        }
      };
      if (length === 0) resolve();
      else next();
    });
  }

  write(src: Buffer, offset: number, fua: boolean): Promise<void> {
    if (this.readOnly) return Promise.reject(new StoreError('write-protected', `${this.path} is open read-only`));
    if (this.journal !== null && this.journal.blocked !== null) return Promise.reject(this.blockedError());
    return this.writes.write(src, offset, fua);
  }

  /** No write may be acknowledged while a journaled atomic write waits for its replay (it would overwrite it). */
  private blockedError(): StoreError {
    return new StoreError('medium', `${this.path}: ${this.journal?.blocked?.message ?? 'writes are refused'}`);
  }

  /** All-or-nothing through the journal; always durable when it resolves (so `fua` changes nothing). */
  async writeAtomic(src: Buffer, offset: number, _fua: boolean): Promise<void> {
    if (this.journal === null) throw new StoreError(this.readOnly ? 'write-protected' : 'unsupported', `${this.path}: atomic writes need a writable LUN with a state directory`);
    try {
      await this.journal.write(src, offset);
    } catch (err) {
      throw this.storeError(err, 'atomic write', offset, src.length);
    }
  }

  async flush(): Promise<void> {
    if (this.readOnly) return;
    try {
      await this.fh.datasync();
    } catch (err) {
      throw this.storeError(err, 'flush', 0, 0);
    }
  }

  // ---- thin provisioning (only called when the capabilities say so) -------

  /** Punches a hole: the blocks are freed and read back as zeros; the file keeps its size. */
  async discard(offset: number, length: number): Promise<void> {
    if (this.journal !== null && this.journal.blocked !== null) throw this.blockedError();
    const native = this.thinOrThrow('discard');
    try {
      await native.punchHole(this.fh.fd, offset, length);
    } catch (err) {
      throw this.nativeError(err, 'discard', offset, length);
    }
  }

  /** Zeroes without sending data: FALLOC_FL_ZERO_RANGE, or a punched hole where that is unsupported. */
  async writeZeroes(offset: number, length: number): Promise<void> {
    if (this.journal !== null && this.journal.blocked !== null) throw this.blockedError();
    const native = this.thinOrThrow('write zeroes');
    try {
      if (!this.zeroRangeUnsupported) {
        try {
          await native.zeroRange(this.fh.fd, offset, length);
          return;
        } catch (err) {
          if (errnoOf(err) !== EOPNOTSUPP) throw err;
          this.zeroRangeUnsupported = true; // e.g. tmpfs: holes read as zeros too
        }
      }
      await native.punchHole(this.fh.fd, offset, length);
    } catch (err) {
      throw this.nativeError(err, 'write zeroes', offset, length);
    }
  }

  /** Data and holes of [offset, offset+length), from SEEK_DATA/SEEK_HOLE. */
  async getAllocation(offset: number, length: number): Promise<AllocationExtent[]> {
    const native = this.thinOrThrow('allocation map', false);
    const end = offset + length;
    const extents: AllocationExtent[] = [];
    let pos = offset;
    try {
      while (pos < end) {
        const data = await native.seekData(this.fh.fd, pos);
        if (data < 0 || data >= end) {
          extents.push({ offset: pos, length: end - pos, mapped: false });
          break;
        }
        if (data > pos) extents.push({ offset: pos, length: data - pos, mapped: false });
        const hole = await native.seekHole(this.fh.fd, data);
        const dataEnd = hole < 0 || hole > end ? end : hole;
        extents.push({ offset: data, length: dataEnd - data, mapped: true });
        pos = dataEnd;
      }
    } catch (err) {
      throw this.nativeError(err, 'allocation map', offset, length);
    }
    return extents;
  }

  private thinOrThrow(op: string, writing = true): SparseFileNative {
    if (writing && this.readOnly) throw new StoreError('write-protected', `${this.path} is open read-only; ${op} is refused`);
    if (this.sparse === null) throw new StoreError('unsupported', `${this.path}: ${op} needs hole punching, which is off for this file`);
    return this.sparse;
  }

  private nativeError(err: unknown, op: string, offset: number, length: number): StoreError {
    const kind = storeErrorKindOf(codeOfErrno(errnoOf(err)), this.closed);
    return new StoreError(kind, `${op} of ${length} bytes at ${offset} in ${this.path} failed: ${(err as Error).message}`, { cause: err });
  }

  // ---- control path -------------------------------------------------------

  /** Grows (or, when the host allowed it, shrinks) a regular file with ftruncate. */
  async resize(newSize: number): Promise<void> {
    if (this.kind !== 'file') throw new StoreError('unsupported', `${this.path} is a block device; resize the device itself, then reload`);
    if (this.readOnly) throw new StoreError('write-protected', `${this.path} is open read-only; it cannot be resized`);
    await truncateOrExplain(this.fh, this.path, newSize);
    this.currentSize = newSize;
  }

  async refreshSize(): Promise<number> {
    if (this.kind === 'file') {
      this.currentSize = (await this.fh.stat()).size;
    } else {
      this.currentSize = await blockDeviceSize((await this.fh.stat({ bigint: true })).rdev, this.path);
    }
    return this.currentSize;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.writes.idle();
      await this.journal?.close();
      if (!this.readOnly) await this.fh.datasync();
    } finally {
      await this.fh.close();
    }
  }

  /** A failed batched write: an errno from the addon, or an fs error (fdatasync, a closed descriptor). */
  private writeError(cause: number | Error, offset: number, length: number): StoreError {
    if (typeof cause !== 'number') return this.storeError(cause, 'write', offset, length);
    return this.nativeError(Object.assign(new Error(codeOfErrno(cause) ?? `errno ${cause}`), { errno: cause }), 'write', offset, length);
  }

  private storeError(err: unknown, op: string, offset: number, length: number): StoreError {
    const code = (err as NodeJS.ErrnoException).code;
    const kind = storeErrorKindOf(code, this.closed);
    const what = op === 'flush' ? `flush of ${this.path}` : `${op} of ${length} bytes at ${offset} in ${this.path}`;
    return new StoreError(kind, `${what} failed: ${(err as Error).message}`, { cause: err });
  }
}

async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'EACCES') throw new Error(`file LUN ${path}: permission denied looking it up; give the lunhost user access to its directory`, { cause: err });
    if (code === 'ENOTDIR') throw new Error(`file LUN ${path}: a parent of this path is not a directory; fix the path`, { cause: err });
    throw new Error(`file LUN ${path}: ${(err as Error).message}`, { cause: err });
  }
}

async function openFile(path: string, flags: number, readOnly: boolean): Promise<FileHandle> {
  try {
    return await open(path, flags, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new Error(readOnly
        ? `file LUN ${path}: permission denied opening it for reading; give the lunhost user read access`
        : `file LUN ${path}: permission denied opening it for reading and writing; give the lunhost user write access or declare the LUN readOnly: true`, { cause: err });
    }
    if (code === 'EROFS') throw new Error(`file LUN ${path} is on a read-only file system; declare the LUN readOnly: true or move the file`, { cause: err });
    if (code === 'EBUSY') throw new Error(`file LUN ${path} is busy (mounted or in use); unmount it or stop its user first`, { cause: err });
    throw new Error(`file LUN ${path}: cannot open it (${(err as Error).message})`, { cause: err });
  }
}

async function truncateOrExplain(fh: FileHandle, path: string, size: number): Promise<void> {
  try {
    await fh.truncate(size);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const kind: StoreErrorKind = code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG' ? 'space-exhausted' : 'medium';
    throw new StoreError(kind, `cannot set ${path} to ${size} bytes (${(err as Error).message}); check free space and the file system's maximum file size`, { cause: err });
  }
}
