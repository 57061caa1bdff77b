/** Runs the `lunhost` command (dist/core/cli/main.js) as a user would, and waits for the daemon's socket. */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { CLI } from './LunhostDaemon.js';
import type { ToolResult } from './runTool.js';

export function lunhost(args: readonly string[], opts: { cwd?: string } = {}): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? process.cwd(), timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The management API starts just after the portals; wait until its socket exists (up to 10 s). */
export async function waitForSocket(socketPath: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      if (statSync(socketPath).isSocket()) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the management socket ${socketPath} did not appear within 10 s`);
}

/** Polls `check` every 200 ms until it returns true (up to `ms`); returns whether it did. */
export async function eventually(check: () => Promise<boolean>, ms = 15_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}
