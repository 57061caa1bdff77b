/**
 * Runs the real lunhost daemon (dist/core/cli/main.js) on a declaration
 * written into a temporary directory, on a free 127.0.0.1 port, the way a
 * user runs it. Ready means the portal accepts TCP connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './freePort.js';

export const REPO_ROOT = resolve(new URL('../../..', import.meta.url).pathname);
export const CLI = join(REPO_ROOT, 'dist/core/cli/main.js');

export interface DaemonOptions {
  /** Builds the YAML text from the chosen port and the temp dir. */
  readonly yaml: (port: number, dir: string) => string;
  /** Reuse a directory (e.g. to restart on the same data); default: a new temp dir. */
  readonly dir?: string;
  readonly port?: number;
  /** Runs before the daemon starts, e.g. to create backing files a read-only LUN needs. */
  readonly setup?: (dir: string) => void;
}

export class LunhostDaemon {
  readonly dir: string;
  readonly port: number;
  readonly configFile: string;
  private child: ChildProcess | null = null;
  private output = '';
  private exitCode: number | null = null;

  private constructor(dir: string, port: number, yaml: string) {
    this.dir = dir;
    this.port = port;
    this.configFile = join(dir, 'targets.yaml');
    writeFileSync(this.configFile, yaml);
  }

  static async start(opts: DaemonOptions): Promise<LunhostDaemon> {
    const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'lunhost-e2e-'));
    const port = opts.port ?? await freePort();
    opts.setup?.(dir);
    const d = new LunhostDaemon(dir, port, opts.yaml(port, dir));
    await d.launch();
    return d;
  }

  /** Everything the daemon printed so far (stdout + stderr). */
  get log(): string { return this.output; }

  /** The portal URL prefix for libiscsi/QEMU: iscsi://127.0.0.1:PORT */
  get url(): string { return `iscsi://127.0.0.1:${this.port}`; }

  private async launch(): Promise<void> {
    this.output = '';
    this.exitCode = null;
    const child = spawn(process.execPath, [CLI, 'start', '--config', this.configFile], {
      cwd: this.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LUNHOST_LOG_LEVEL: process.env.LUNHOST_LOG_LEVEL ?? 'info' },
    });
    this.child = child;
    child.stdout!.on('data', (b: Buffer) => { this.output += b.toString(); });
    child.stderr!.on('data', (b: Buffer) => { this.output += b.toString(); });
    child.on('exit', (code, signal) => { this.exitCode = code ?? (signal ? 128 : 1); });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (this.exitCode !== null) throw new Error(`lunhost exited with ${this.exitCode} before listening:\n${this.output}`);
      if (await portAccepts(this.port)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`lunhost did not listen on 127.0.0.1:${this.port} within 20 s:\n${this.output}`);
  }

  /** SIGTERM and wait for exit (SIGKILL after `graceMs`). Returns the exit code. */
  async stop(graceMs = 10_000): Promise<number> {
    const child = this.child;
    if (!child || this.exitCode !== null) return this.exitCode ?? 0;
    const exited = new Promise<number>((r) => child.once('exit', (code, signal) => r(code ?? (signal ? 128 : 1))));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    this.child = null;
    return code;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Stop and delete the temporary directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}
