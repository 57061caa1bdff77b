/**
 * A thin-provisioned MemoryStore for core/scsi tests: it tracks which
 * 512-byte sectors hold data, so discard really deallocates (and zeroes)
 * and getAllocation reports real mapped/deallocated extents. Every
 * discard and writeZeroes call is logged.
 */
import type { AllocationExtent, StoreCapabilities } from '../../core/store/BackingStore.js';
import { MemoryStore } from './MemoryStore.js';

const SECTOR = 512;

export class ThinMemoryStore extends MemoryStore {
  /** One flag per 512-byte sector: 1 = mapped. */
  private mapped: Uint8Array;
  readonly discardLog: Array<[number, number]> = [];
  readonly zeroLog: Array<[number, number]> = [];

  constructor(size: number, capabilities: Partial<StoreCapabilities> = {}) {
    super({ size, capabilities: { discard: true, discardZeroes: true, writeZeroes: true, allocationMap: true, ...capabilities } });
    this.mapped = new Uint8Array(Math.ceil(size / SECTOR));
  }

  /** Number of mapped bytes (what `du` would show). */
  get mappedBytes(): number {
    let n = 0;
    for (const m of this.mapped) n += m;
    return n * SECTOR;
  }

  override async write(src: Buffer, offset: number, fua: boolean): Promise<void> {
    await super.write(src, offset, fua);
    this.mark(offset, src.length, 1);
  }

  async discard(offset: number, length: number): Promise<void> {
    this.discardLog.push([offset, length]);
    this.data.fill(0, offset, offset + length);
    this.mark(offset, length, 0);
  }

  async writeZeroes(offset: number, length: number): Promise<void> {
    this.zeroLog.push([offset, length]);
    this.data.fill(0, offset, offset + length);
    this.mark(offset, length, 1);
  }

  async getAllocation(offset: number, length: number): Promise<AllocationExtent[]> {
    const out: AllocationExtent[] = [];
    for (let s = offset; s < offset + length; s += SECTOR) {
      const mapped = this.mapped[Math.floor(s / SECTOR)] === 1;
      const last = out[out.length - 1];
      const len = Math.min(SECTOR, offset + length - s);
      if (last !== undefined && last.mapped === mapped) out[out.length - 1] = { ...last, length: last.length + len };
      else out.push({ offset: s, length: len, mapped });
    }
    return out;
  }

  override async resize(newSize: number): Promise<void> {
    await super.resize(newSize);
    const next = new Uint8Array(Math.ceil(newSize / SECTOR));
    next.set(this.mapped.subarray(0, next.length));
    this.mapped = next;
  }

  private mark(offset: number, length: number, value: 0 | 1): void {
    // Only whole sectors change state (like a file system's blocks).
    const first = Math.ceil(offset / SECTOR);
    const end = Math.floor((offset + length) / SECTOR);
    if (value === 1) this.mapped.fill(1, Math.floor(offset / SECTOR), Math.ceil((offset + length) / SECTOR));
    else if (end > first) this.mapped.fill(0, first, end);
  }
}
