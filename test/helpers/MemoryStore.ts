/**
 * An in-memory BackingStore for core/scsi tests: a Buffer as the medium,
 * counters for what core/scsi asked, failure injection and a gate that holds
 * I/O in flight (for abort and drain tests).
 */
import type { BackingStore, StoreCapabilities } from '../../core/store/BackingStore.js';
import { StoreError, type StoreErrorKind } from '../../core/store/StoreError.js';

export interface MemoryStoreOptions {
  readonly size: number;
  readonly capabilities?: Partial<StoreCapabilities>;
}

type Op = 'read' | 'write' | 'flush';

export class MemoryStore implements BackingStore {
  readonly capabilities: StoreCapabilities;
  data: Buffer;
  reads = 0;
  writes = 0;
  fuaWrites = 0;
  flushes = 0;
  closed = false;
  /** Every write as [offset, length, fua]. */
  readonly writeLog: Array<[number, number, boolean]> = [];
  private failures = new Map<Op, StoreErrorKind | Error>();
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;
  /** Resolves when an I/O reaches the closed gate. */
  private arrivals: Array<() => void> = [];

  constructor(o: MemoryStoreOptions) {
    this.data = Buffer.alloc(o.size);
    this.capabilities = {
      discard: false, discardZeroes: false, writeZeroes: false, allocationMap: false, resize: true, readOnly: false,
      ...o.capabilities,
    };
  }

  get size(): number {
    return this.data.length;
  }

  /** The next `op` throws StoreError(kind) (or the given Error). */
  failNext(op: Op, failure: StoreErrorKind | Error): void {
    this.failures.set(op, failure);
  }

  /** Hold every I/O until the returned function is called. */
  hold(): () => void {
    this.gate = new Promise((resolve) => {
      this.openGate = () => {
        this.gate = null;
        resolve();
      };
    });
    return () => this.openGate?.();
  }

  /** Resolves once an I/O is waiting at the gate. */
  arrived(): Promise<void> {
    return new Promise((resolve) => this.arrivals.push(resolve));
  }

  private async pass(op: Op): Promise<void> {
    if (this.gate !== null) {
      const a = this.arrivals;
      this.arrivals = [];
      for (const r of a) r();
      await this.gate;
    }
    const f = this.failures.get(op);
    if (f !== undefined) {
      this.failures.delete(op);
      throw typeof f === 'string' ? new StoreError(f, `injected ${f} failure`) : f;
    }
  }

  async read(dst: Buffer, offset: number): Promise<void> {
    this.reads++;
    await this.pass('read');
    if (offset + dst.length > this.data.length) throw new Error(`read beyond end: ${offset}+${dst.length} > ${this.data.length}`);
    this.data.copy(dst, 0, offset, offset + dst.length);
  }

  async write(src: Buffer, offset: number, fua: boolean): Promise<void> {
    this.writes++;
    if (fua) this.fuaWrites++;
    this.writeLog.push([offset, src.length, fua]);
    await this.pass('write');
    if (offset + src.length > this.data.length) throw new Error(`write beyond end: ${offset}+${src.length} > ${this.data.length}`);
    src.copy(this.data, offset);
  }

  async flush(): Promise<void> {
    this.flushes++;
    await this.pass('flush');
  }

  async resize(newSize: number): Promise<void> {
    const next = Buffer.alloc(newSize);
    this.data.copy(next, 0, 0, Math.min(newSize, this.data.length));
    this.data = next;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
