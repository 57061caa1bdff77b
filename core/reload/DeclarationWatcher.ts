/**
 * Watches the declaration file and calls `onChange` once its content really
 * changed. It watches the file's directory, not the file: editors that save
 * by writing a new file and renaming it over the old one (vim, most IDEs)
 * replace the inode a file watch would follow. Events are debounced (an
 * editor's save is several events) and the content hash is compared, so a
 * touch or a save without edits reloads nothing.
 */
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log/Logger.js';

export const DEFAULT_DEBOUNCE_MS = 300;

export interface DeclarationWatcherOptions {
  readonly file: string;
  readonly onChange: () => void;
  readonly log: Logger;
  readonly debounceMs?: number;
}

export class DeclarationWatcher {
  readonly file: string;
  private readonly dir: string;
  private readonly base: string;
  private readonly debounceMs: number;
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastHash: string | null = null;
  /** A check is running; events meanwhile schedule another one after it. */
  private checking: Promise<void> | null = null;

  constructor(private readonly opts: DeclarationWatcherOptions) {
    this.file = path.resolve(opts.file);
    this.dir = path.dirname(this.file);
    this.base = path.basename(this.file);
    this.debounceMs = opts.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  }

  /** Start watching; the content now on disk is the baseline (it is what was just applied). */
  async start(): Promise<void> {
    this.lastHash = await hashOf(this.file);
    this.watcher = watch(this.dir, { persistent: false }, (_event, name) => {
      // Some platforms give no file name; then any event in the directory counts.
      if (name === null || name === undefined || name.toString() === this.base) this.schedule();
    });
    this.watcher.on('error', (err) => {
      this.opts.log.warn('cannot watch the declaration any more; use SIGHUP or `lunhost reload`', { file: this.file, err });
      this.stop();
    });
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.watcher?.close();
    this.watcher = null;
  }

  private schedule(): void {
    if (!this.watcher) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.checking = (this.checking ?? Promise.resolve()).then(() => this.check());
    }, this.debounceMs);
  }

  private async check(): Promise<void> {
    const hash = await hashOf(this.file);
    // Missing: between an editor's delete and its rename; the rename brings another event.
    if (hash === null || hash === this.lastHash || !this.watcher) return;
    this.lastHash = hash;
    this.opts.log.info('declaration changed on disk, reloading', { file: this.file });
    this.opts.onChange();
  }
}

async function hashOf(file: string): Promise<string | null> {
  try {
    return createHash('sha256').update(await readFile(file)).digest('hex');
  } catch {
    return null;
  }
}
