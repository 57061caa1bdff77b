/** Stops a daemon the harness started: sends `signal`, resolves when it has exited. */
import type { ChildProcess } from 'node:child_process';

export function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
