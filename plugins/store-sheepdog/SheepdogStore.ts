/**
 * A BackingStore on a Sheepdog VDI, speaking the sheep protocol.
 *
 * The VDI is an array of data objects (4 MiB by default). The inode's
 * data_vdi_id[idx] says which VDI owns object idx: 0 = never written (reads
 * as zeros), our vid = our own object, another vid = inherited from the
 * snapshot or clone source. The first write to an object we do not own
 * creates ours (CREATE_AND_WRITE_OBJ, with the source as cow_oid when there is
 * one) and then points data_vdi_id[idx] at us (WRITE_OBJ on the inode at that
 * entry), the same two steps QEMU's driver and tgt take, so `dog` and other
 * clients see the same VDI.
 */
import type { AllocationExtent, BackingStore, StoreCapabilities } from '../../core/store/BackingStore.js';
import { StoreError } from '../../core/store/StoreError.js';
import type { Logger } from '../../core/log/Logger.js';
import { formatBacking, isSnapshotSelector, type SheepBacking } from './SheepBacking.js';
import type { SheepClient } from './SheepClient.js';
import {
  dataVdiIdOffset,
  decodeDataVdiIds,
  encodeDataVdiId,
  isSnapshotInode,
  objectCountOf,
  objectSizeOf,
  type SheepInodeHeader,
} from './SheepInode.js';
import { formatOid, vidToDataOid, vidToVdiOid } from './SheepObjectId.js';
import { LockType, SheepFlag, SheepOpcode, SheepResult, sheepResultText } from './SheepProtocol.js';
import { sheepResultError } from './sheepResultError.js';
import { checkInode, lookupVdi, readHeader, readTable, releaseVdi, type SheepLockMode } from './SheepVdiControl.js';

export type { SheepLockMode } from './SheepVdiControl.js';

export interface SheepdogStoreOptions {
  readonly backing: SheepBacking;
  readonly client: SheepClient;
  /** Declared size, or 'auto' for the VDI's own size. */
  readonly size: number | 'auto';
  /** The LUN is declared read-only (no lock is taken, writes are refused). */
  readonly readOnly: boolean;
  readonly lock: SheepLockMode;
  readonly log: Logger;
}

export class SheepdogStore implements BackingStore {
  readonly capabilities: StoreCapabilities;
  private header: SheepInodeHeader;
  private vid: number;
  private table: Uint32Array;
  private objectSize: number;
  private currentSize: number;
  /** Objects being created (first write / COW): later writes to them wait. */
  private readonly creating = new Map<number, Promise<void>>();
  private reloading: Promise<void> | null = null;
  private locked = false;
  private relocking: Promise<void> | null = null;
  /**
   * Others may write this VDI too (lock: shared / none on a writable VDI), so
   * our copy of data_vdi_id[] can be stale: before treating an object as not
   * ours, ask sheep for our object (another gateway may have created it).
   */
  private coherent = false;
  /** sheep keeps a write cache that SD_OP_FLUSH_VDI must flush (old sheep with object cache). */
  private flushNeeded = false;
  private closed = false;
  private readonly what: string;

  private constructor(
    private readonly opts: SheepdogStoreOptions,
    vid: number,
    header: SheepInodeHeader,
    table: Uint32Array,
    readOnly: boolean,
  ) {
    this.vid = vid;
    this.header = header;
    this.table = table;
    this.objectSize = objectSizeOf(header);
    this.currentSize = opts.size === 'auto' ? Number(header.vdiSize) : opts.size;
    this.what = formatBacking(opts.backing);
    this.capabilities = {
      discard: !readOnly,
      discardZeroes: true,
      writeZeroes: false,
      allocationMap: true,
      resize: false,
      readOnly,
    };
  }

  static async open(opts: SheepdogStoreOptions): Promise<SheepdogStore> {
    const { backing, client, log } = opts;
    const what = formatBacking(backing);
    const snapshot = isSnapshotSelector(backing.vdi);
    const lockMode: SheepLockMode = snapshot || opts.readOnly ? 'none' : opts.lock;
    const vid = await lookupVdi(client, backing, lockMode);
    let locked = lockMode !== 'none';
    try {
      const header = await readHeader(client, vid, what);
      checkInode(header, what);
      const table = await readTable(client, vid, header, 0, objectCountOf(header), new Uint32Array(objectCountOf(header)), what);
      const readOnly = snapshot || opts.readOnly || isSnapshotInode(header);
      if (opts.size !== 'auto' && opts.size > Number(header.vdiSize)) {
        throw new StoreError(
          'unsupported',
          `${what}: declared size ${opts.size} bytes is larger than the VDI (${header.vdiSize} bytes); grow it with \`dog vdi resize ${backing.vdi.name} SIZE\` or use size: auto`,
        );
      }
      const store = new SheepdogStore(opts, vid, header, table, readOnly);
      store.locked = locked;
      if (locked) client.onReconnect = () => store.relock();
      store.coherent = lockMode !== 'normal' && !isSnapshotInode(header) && !snapshot;
      locked = false;
      if (!readOnly) await store.probeFlush();
      log.info('opened sheepdog VDI', {
        backing: what,
        vid: vid.toString(16),
        size: Number(header.vdiSize),
        objectSize: store.objectSize,
        snapshot: isSnapshotInode(header),
        readOnly,
        lock: store.locked ? lockMode : 'none',
        sharedWriters: store.coherent,
        flushVdi: store.flushNeeded,
      });
      return store;
    } finally {
      if (locked) await releaseVdi(client, vid, lockMode === 'shared' ? LockType.SHARED : LockType.NORMAL).catch(() => undefined);
    }
  }

  get size(): number {
    return this.currentSize;
  }

  /** The VDI id in use (changes when the VDI is snapshotted under us). */
  get vdiId(): number {
    return this.vid;
  }

  async read(dst: Buffer, offset: number): Promise<void> {
    this.checkOpen();
    const os = this.objectSize;
    const first = Math.floor(offset / os);
    const last = Math.floor((offset + dst.length - 1) / os);
    if (first === last) return this.readChunk(dst, first, offset - first * os);
    const ops: Promise<void>[] = [];
    let pos = 0;
    for (let idx = first; idx <= last; idx++) {
      const objOff = idx === first ? offset - first * os : 0;
      const len = Math.min(os - objOff, dst.length - pos);
      ops.push(this.readChunk(dst.subarray(pos, pos + len), idx, objOff));
      pos += len;
    }
    await Promise.all(ops);
  }

  async write(src: Buffer, offset: number, fua: boolean): Promise<void> {
    this.checkWritable();
    const os = this.objectSize;
    const first = Math.floor(offset / os);
    const last = Math.floor((offset + src.length - 1) / os);
    if (first === last) {
      await this.writeChunk(src, first, offset - first * os);
    } else {
      const ops: Promise<void>[] = [];
      let pos = 0;
      for (let idx = first; idx <= last; idx++) {
        const objOff = idx === first ? offset - first * os : 0;
        const len = Math.min(os - objOff, src.length - pos);
        ops.push(this.writeChunk(src.subarray(pos, pos + len), idx, objOff));
        pos += len;
      }
      await Promise.all(ops);
    }
    // sheep acknowledges a write once its replicas have it; only a server with a write cache needs a flush.
    if (fua && this.flushNeeded) await this.flush();
  }

  async flush(): Promise<void> {
    this.checkOpen();
    if (!this.flushNeeded) return;
    const { rsp } = await this.opts.client.execute(this.objRequest(SheepOpcode.FLUSH_VDI, vidToVdiOid(this.vid), 0, 0));
    if (rsp.result === SheepResult.INVALID_PARMS) {
      this.flushNeeded = false;
      return;
    }
    if (rsp.result !== SheepResult.SUCCESS) throw this.fail(rsp.result, 'SD_OP_FLUSH_VDI');
  }

  async discard(offset: number, length: number): Promise<void> {
    this.checkWritable();
    const os = this.objectSize;
    const end = offset + length;
    const ops: Promise<void>[] = [];
    for (let idx = Math.floor(offset / os); idx * os < end; idx++) {
      const from = Math.max(offset, idx * os);
      const to = Math.min(end, (idx + 1) * os);
      if (to - from === os) ops.push(this.discardObject(idx));
      else ops.push(this.zeroPartial(idx, from - idx * os, to - from));
    }
    await Promise.all(ops);
  }

  async getAllocation(offset: number, length: number): Promise<AllocationExtent[]> {
    this.checkOpen();
    const os = this.objectSize;
    const end = offset + length;
    const extents: { offset: number; length: number; mapped: boolean }[] = [];
    for (let idx = Math.floor(offset / os); idx * os < end; idx++) {
      const from = Math.max(offset, idx * os);
      const to = Math.min(end, (idx + 1) * os);
      const mapped = (this.table[idx] ?? 0) !== 0;
      const prev = extents[extents.length - 1];
      if (prev && prev.mapped === mapped) prev.length += to - from;
      else extents.push({ offset: from, length: to - from, mapped });
    }
    return extents;
  }

  async refreshSize(): Promise<number> {
    this.checkOpen();
    const header = await readHeader(this.opts.client, this.vid, this.what);
    checkInode(header, this.what);
    const count = objectCountOf(header);
    if (count > this.table.length) {
      const grown = new Uint32Array(count);
      grown.set(this.table);
      this.table = await readTable(this.opts.client, this.vid, header, this.table.length, count, grown, this.what);
    }
    const previous = Number(this.header.vdiSize);
    this.header = header;
    if (this.opts.size === 'auto') this.currentSize = Number(header.vdiSize);
    if (previous !== Number(header.vdiSize)) {
      this.opts.log.info('sheepdog VDI size changed', { backing: this.what, previous, size: Number(header.vdiSize) });
    }
    return this.currentSize;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.allSettled([...this.creating.values(), this.relocking]);
    try {
      if (this.flushNeeded) await this.flush().catch(() => undefined);
      if (this.locked) {
        const type = this.opts.lock === 'shared' ? LockType.SHARED : LockType.NORMAL;
        await releaseVdi(this.opts.client, this.vid, type).catch((err: unknown) => {
          this.opts.log.warn('releasing the sheepdog VDI lock failed', { backing: this.what, error: String(err) });
        });
        this.locked = false;
      }
    } finally {
      this.closed = true;
      this.opts.client.close();
      this.opts.log.info('closed sheepdog VDI', { backing: this.what });
    }
  }

  // ---- data path ----

  private async readChunk(dst: Buffer, idx: number, objOff: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      let owner = this.table[idx] ?? 0;
      if (this.coherent && owner !== this.vid) {
        // Our own object first: another gateway may have created it since we read the inode.
        const own = await this.readObject(dst, vidToDataOid(this.vid, idx), objOff);
        if (own === SheepResult.SUCCESS) {
          this.table[idx] = this.vid;
          return;
        }
        if (own !== SheepResult.NO_OBJ) throw this.fail(own, `SD_OP_READ_OBJ ${formatOid(vidToDataOid(this.vid, idx))}`);
        owner = this.table[idx] ?? 0;
        if (owner === this.vid) continue;
      }
      if (owner === 0) {
        dst.fill(0);
        return;
      }
      const oid = vidToDataOid(owner, idx);
      const result = await this.readObject(dst, oid, objOff);
      if (result === SheepResult.SUCCESS) return;
      if (result === SheepResult.INODE_INVALIDATED && attempt === 0) {
        await this.reloadInode();
        continue;
      }
      if (result === SheepResult.NO_OBJ && this.coherent && attempt === 0) {
        // Another gateway discarded it: our table entry is stale.
        await this.refreshEntry(idx);
        continue;
      }
      throw this.fail(result, `SD_OP_READ_OBJ ${formatOid(oid)}`);
    }
  }

  /** READ_OBJ into dst; a short answer is padded with zeros. */
  private async readObject(dst: Buffer, oid: bigint, objOff: number): Promise<number> {
    const { rsp } = await this.opts.client.execute(this.objRequest(SheepOpcode.READ_OBJ, oid, dst.length, objOff), undefined, dst);
    if (rsp.result === SheepResult.SUCCESS && rsp.dataLength < dst.length) dst.fill(0, rsp.dataLength);
    return rsp.result;
  }

  private async writeChunk(src: Buffer, idx: number, objOff: number): Promise<void> {
    let reloaded = false;
    let checkedOwn = false;
    for (;;) {
      const busy = this.creating.get(idx);
      if (busy) {
        await busy.catch(() => undefined);
        continue;
      }
      const vid = this.vid;
      const owner = this.table[idx] ?? 0;
      let result: number;
      let what: string;
      if (this.coherent && owner !== vid && !checkedOwn) {
        // Another gateway may have created our object; look, then decide again (the look awaits).
        checkedOwn = true;
        await this.ownObjectExists(idx);
        continue;
      }
      if (owner === vid) {
        const oid = vidToDataOid(vid, idx);
        what = `SD_OP_WRITE_OBJ ${formatOid(oid)}`;
        const { rsp } = await this.opts.client.execute(this.objRequest(SheepOpcode.WRITE_OBJ, oid, src.length, objOff, SheepFlag.WRITE), src);
        result = rsp.result;
      } else {
        what = `creating object ${idx} of ${this.what}`;
        const creation = this.createObject(idx, owner, src, objOff);
        const done = creation.then(() => undefined, () => undefined);
        this.creating.set(idx, done);
        try {
          result = await creation;
        } finally {
          if (this.creating.get(idx) === done) this.creating.delete(idx);
        }
      }
      if (result === SheepResult.SUCCESS) return;
      if (result === SheepResult.NO_OBJ && this.coherent && owner === vid && !reloaded) {
        // Another gateway discarded our object: re-read the entry and write again (creating it).
        reloaded = true;
        checkedOwn = true;
        await this.refreshEntry(idx);
        continue;
      }
      // READONLY: the VDI was snapshotted (dog vdi snapshot) and our vid is now the snapshot;
      // INODE_INVALIDATED: another gateway changed the inode. Re-read it and write again, once.
      if ((result === SheepResult.READONLY || result === SheepResult.INODE_INVALIDATED) && !reloaded) {
        reloaded = true;
        await this.reloadInode();
        continue;
      }
      throw this.fail(result, what);
    }
  }

  /** First write to an object we do not own: create ours (COW from the owner if any), then point the inode at it. */
  private async createObject(idx: number, owner: number, src: Buffer, objOff: number): Promise<number> {
    const vid = this.vid;
    const oid = vidToDataOid(vid, idx);
    const cowOid = owner === 0 ? 0n : vidToDataOid(owner, idx);
    const flags = SheepFlag.WRITE | (owner === 0 ? 0 : SheepFlag.COW);
    const created = await this.opts.client.execute(
      { ...this.objRequest(SheepOpcode.CREATE_AND_WRITE_OBJ, oid, src.length, objOff, flags), cowOid },
      src,
    );
    if (created.rsp.result !== SheepResult.SUCCESS) return created.rsp.result;
    const entry = await this.setTableEntry(vid, idx, vid);
    if (entry === SheepResult.SUCCESS && this.vid === vid) this.table[idx] = vid;
    return entry;
  }

  /**
   * Does our VDI's object idx exist on sheep though our table says otherwise?
   * (Shared writers only.) A one-sector read answers it; the table is updated.
   */
  private async ownObjectExists(idx: number): Promise<boolean> {
    const oid = vidToDataOid(this.vid, idx);
    const result = await this.readObject(Buffer.allocUnsafe(512), oid, 0);
    if (result === SheepResult.NO_OBJ) return false;
    if (result !== SheepResult.SUCCESS) throw this.fail(result, `SD_OP_READ_OBJ ${formatOid(oid)}`);
    this.table[idx] = this.vid;
    return true;
  }

  /** Re-read data_vdi_id[idx] of our inode (shared writers). */
  private async refreshEntry(idx: number): Promise<void> {
    const vid = this.vid;
    const entry = Buffer.alloc(4);
    const { rsp } = await this.opts.client.execute(this.objRequest(SheepOpcode.READ_OBJ, vidToVdiOid(vid), 4, dataVdiIdOffset(idx)), undefined, entry);
    if (rsp.result !== SheepResult.SUCCESS) throw this.fail(rsp.result, `reading data_vdi_id[${idx}] of ${this.what}`);
    if (this.vid === vid) this.table[idx] = decodeDataVdiIds(entry, 1)[0] ?? 0;
  }

  /** WRITE_OBJ of one data_vdi_id entry of VDI `vid`'s inode. */
  private async setTableEntry(vid: number, idx: number, value: number): Promise<number> {
    const { rsp } = await this.opts.client.execute(
      this.objRequest(SheepOpcode.WRITE_OBJ, vidToVdiOid(vid), 4, dataVdiIdOffset(idx), SheepFlag.WRITE),
      encodeDataVdiId(value),
    );
    return rsp.result;
  }

  private async discardObject(idx: number): Promise<void> {
    const busy = this.creating.get(idx);
    if (busy) await busy;
    const owner = this.table[idx] ?? 0;
    if (owner === 0 && !this.coherent) return;
    let result: number;
    if (owner === this.vid || (this.coherent && (await this.ownObjectExists(idx)))) {
      // sheep clears our inode entry and removes the object.
      const oid = vidToDataOid(owner, idx);
      const { rsp } = await this.opts.client.execute(this.objRequest(SheepOpcode.DISCARD_OBJ, oid, 0, 0));
      result = rsp.result;
    } else if (owner !== 0) {
      // Inherited object: only our entry goes (DISCARD_OBJ would edit the owner's inode).
      result = await this.setTableEntry(this.vid, idx, 0);
    } else {
      result = SheepResult.SUCCESS;
    }
    if (result !== SheepResult.SUCCESS) throw this.fail(result, `discarding object ${idx} of ${this.what}`);
    this.table[idx] = 0;
  }

  /** Part of an object: it cannot be deallocated, so make it read as zeros (if it holds data at all). */
  private async zeroPartial(idx: number, objOff: number, length: number): Promise<void> {
    const busy = this.creating.get(idx);
    if (busy) await busy;
    if ((this.table[idx] ?? 0) === 0 && !(this.coherent && (await this.ownObjectExists(idx)))) return;
    await this.writeChunk(Buffer.alloc(length), idx, objOff);
  }

  /** Re-read the inode of the current VDI by name (its vid changes when it is snapshotted). */
  private reloadInode(): Promise<void> {
    if (!this.reloading) {
      this.reloading = this.doReload().finally(() => {
        this.reloading = null;
      });
    }
    return this.reloading;
  }

  private async doReload(): Promise<void> {
    const { client, backing, log } = this.opts;
    const snapshot = isSnapshotSelector(backing.vdi);
    const oldVid = this.vid;
    const lockMode: SheepLockMode = this.locked ? this.opts.lock : 'none';
    const vid = snapshot ? oldVid : await lookupVdi(client, backing, lockMode);
    const header = await readHeader(client, vid, this.what);
    checkInode(header, this.what);
    const table = await readTable(client, vid, header, 0, objectCountOf(header), new Uint32Array(objectCountOf(header)), this.what);
    this.vid = vid;
    this.header = header;
    this.table = table;
    if (vid !== oldVid) {
      log.info('sheepdog VDI was snapshotted; now writing to the new working VDI', { backing: this.what, oldVid: oldVid.toString(16), vid: vid.toString(16) });
      if (this.locked) await releaseVdi(client, oldVid, this.opts.lock === 'shared' ? LockType.SHARED : LockType.NORMAL).catch(() => undefined);
    }
  }

  /**
   * After a reconnect: sheep forgets its locks when it restarts, so take ours
   * again. VDI_LOCKED means sheep still has it (the owner is the sheep node,
   * which is us) — or another gateway on the same node took it meanwhile,
   * which sheep cannot tell apart (left as is).
   */
  private relock(): void {
    if (this.closed || !this.locked || this.relocking) return;
    this.relocking = lookupVdi(this.opts.client, this.opts.backing, this.opts.lock)
      .then(
        () => this.opts.log.info('VDI lock taken again after reconnecting (sheep had restarted)', { backing: this.what }),
        (err: unknown) => {
          if (err instanceof StoreError && /SD_RES_VDI_LOCKED/.test(err.message)) return;
          this.opts.log.warn('could not take the VDI lock again after reconnecting', { backing: this.what, error: String(err) });
        },
      )
      .finally(() => {
        this.relocking = null;
      });
  }

  private async probeFlush(): Promise<void> {
    const { rsp } = await this.opts.client.execute(this.objRequest(SheepOpcode.FLUSH_VDI, vidToVdiOid(this.vid), 0, 0));
    this.flushNeeded = rsp.result === SheepResult.SUCCESS;
  }

  private objRequest(opcode: number, oid: bigint, dataLength: number, offset: number, flags = 0) {
    return {
      kind: 'obj' as const,
      opcode,
      flags,
      dataLength,
      oid,
      cowOid: 0n,
      copies: this.header.nrCopies,
      copyPolicy: this.header.copyPolicy,
      offset,
    };
  }

  private fail(result: number, what: string): StoreError {
    const err = sheepResultError(result, `${this.what}: ${what}`);
    this.opts.log.error('sheep request failed', { backing: this.what, request: what, result: sheepResultText(result), kind: err.kind });
    return err;
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError('gone', `${this.what} is closed`);
  }

  private checkWritable(): void {
    this.checkOpen();
    if (this.capabilities.readOnly) {
      throw new StoreError('write-protected', `${this.what} is ${isSnapshotInode(this.header) ? 'a snapshot' : 'read-only'}; writes are refused`);
    }
  }
}
