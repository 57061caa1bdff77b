/**
 * Where a logical unit's persistent reservations live when an initiator set
 * APTPL (activate persist through power loss, SPC-4 5.12.5): one JSON file in
 * the LU's state directory, named from the LU's NAA identifier. Written
 * atomically (temp file + rename), one write at a time in call order;
 * removed when APTPL is turned off. Read once, synchronously, at attach.
 */
import { readFileSync, renameSync } from 'node:fs';
import { rm, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';

export interface AptplRegistrationRecord {
  /** Reservation key, hexadecimal. */
  readonly key: string;
  readonly initiatorName: string;
  readonly initiatorPort: string | null;
  readonly targetPort: string | null;
  readonly relativeTargetPortId: number;
}

export interface AptplSnapshot {
  readonly version: 1;
  readonly registrations: readonly AptplRegistrationRecord[];
  /** Index of the holder in `registrations`, and the type. */
  readonly reservation: { readonly holder: number; readonly type: number } | null;
}

export class AptplFile {
  readonly path: string;
  private queue: Promise<void> = Promise.resolve();

  constructor(stateDir: string, luIdentity: Buffer) {
    this.path = path.join(stateDir, `pr-${luIdentity.toString('hex')}.json`);
  }

  /**
   * What was wrong with the file at the last load(), for the host to log:
   * a damaged file is moved aside (`.invalid`) and the LU starts without
   * reservations rather than not at all.
   */
  problem: string | null = null;

  /** The saved state, or null when there is none (or it was damaged: see `problem`). */
  load(): AptplSnapshot | null {
    this.problem = null;
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new Error(`cannot read persistent reservation state ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
    if (!isSnapshot(data)) {
      renameSync(this.path, `${this.path}.invalid`);
      this.problem = `persistent reservation state ${this.path} is damaged; moved aside to ${this.path}.invalid, the LU starts without reservations`;
      return null;
    }
    return data;
  }

  /** Saves `snapshot`, or removes the file when null. Resolves when this write (and the ones before) are done. */
  save(snapshot: AptplSnapshot | null): Promise<void> {
    const text = snapshot === null ? null : `${JSON.stringify(snapshot, null, 2)}\n`;
    const next = this.queue.then(() => this.write(text));
    // A failed write must not block the ones after it; the caller sees its own failure.
    this.queue = next.catch(() => {});
    return next;
  }

  private async write(text: string | null): Promise<void> {
    if (text === null) {
      await rm(this.path, { force: true });
      return;
    }
    const tmp = `${this.path}.tmp`;
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, this.path);
  }
}

function isSnapshot(d: unknown): d is AptplSnapshot {
  if (typeof d !== 'object' || d === null) return false;
  const s = d as Record<string, unknown>;
  if (s.version !== 1 || !Array.isArray(s.registrations)) return false;
  for (const r of s.registrations as unknown[]) {
    if (typeof r !== 'object' || r === null) return false;
    const x = r as Record<string, unknown>;
    if (typeof x.key !== 'string' || !/^[0-9a-f]{1,16}$/.test(x.key)) return false;
    if (typeof x.initiatorName !== 'string') return false;
    if (x.initiatorPort !== null && typeof x.initiatorPort !== 'string') return false;
    if (x.targetPort !== null && typeof x.targetPort !== 'string') return false;
    if (typeof x.relativeTargetPortId !== 'number') return false;
  }
  if (s.reservation === null) return true;
  if (typeof s.reservation !== 'object') return false;
  const res = s.reservation as Record<string, unknown>;
  return typeof res.holder === 'number' && res.holder >= 0 && res.holder < s.registrations.length
    && typeof res.type === 'number' && [1, 3, 5, 6, 7, 8].includes(res.type);
}
