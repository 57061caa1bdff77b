/**
 * Every logical unit of the host by its NAA designator (VPD 83h), so the
 * EXTENDED COPY copy manager can reach a copy target on any target of the
 * host. ScsiTarget adds a LU on attach and removes it on detach; the host
 * gives all its ScsiTargets one directory.
 */
import type { LogicalUnit } from './LogicalUnit.js';

export class LogicalUnitDirectory {
  private readonly byNaa = new Map<string, LogicalUnit>();

  add(lu: LogicalUnit): void {
    this.byNaa.set(lu.identity.naa.toString('hex'), lu);
  }

  remove(lu: LogicalUnit): void {
    const key = lu.identity.naa.toString('hex');
    if (this.byNaa.get(key) === lu) this.byNaa.delete(key);
  }

  /** The LU whose NAA designator is exactly `naa`, or undefined. */
  findByNaa(naa: Buffer): LogicalUnit | undefined {
    return this.byNaa.get(naa.toString('hex'));
  }
}
