/**
 * The daemon's signals. SIGHUP reloads the declaration. SIGTERM and SIGINT
 * shut down gracefully (stop accepting, ask initiators to log out, wait a
 * bounded time for in-flight I/O, flush stores, close); a second one while
 * that runs exits at once, for a person who does not want to wait.
 */
import type { Logger } from '../log/Logger.js';

export interface SignalActions {
  reload(): void;
  /** Graceful shutdown; resolves when everything is closed. */
  shutdown(signal: NodeJS.Signals): Promise<void>;
  readonly log: Logger;
  /** Default process.exit; replaced in tests. */
  readonly exit?: (code: number) => void;
  /** Default process; replaced in tests by an EventEmitter. */
  readonly process?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/** Exit status of a process ended by signal `n`, as shells report it. */
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/** Installs the handlers; returns a function that removes them. */
export function installProcessSignals(actions: SignalActions): () => void {
  const proc = actions.process ?? process;
  const exit = actions.exit ?? ((code: number) => process.exit(code));
  let stopping = false;

  const onHup = (): void => {
    if (stopping) return;
    actions.log.info('SIGHUP: reloading the declaration');
    actions.reload();
  };
  const onStop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      actions.log.warn(`${signal} again: exiting now without waiting`);
      exit(SIGNAL_EXIT[signal] ?? 1);
      return;
    }
    stopping = true;
    actions.log.info(`${signal}: shutting down (send it again to exit at once)`);
    actions.shutdown(signal).then(
      () => exit(0),
      (err: unknown) => {
        actions.log.error('shutdown failed', { err });
        exit(1);
      },
    );
  };
  proc.on('SIGHUP', onHup);
  proc.on('SIGTERM', onStop);
  proc.on('SIGINT', onStop);
  return () => {
    proc.off('SIGHUP', onHup);
    proc.off('SIGTERM', onStop);
    proc.off('SIGINT', onStop);
  };
}
