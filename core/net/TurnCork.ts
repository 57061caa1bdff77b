/**
 * Holds a socket's writes until the end of the current event-loop turn, so
 * everything written in that turn (responses of every command that finished,
 * requests of every I/O that started) leaves in one writev: at queue depth,
 * one send and one wake-up of the peer instead of one per message. Used by
 * the iSCSI transport and by the Sheepdog and Curve stores' connections.
 */
import type { Writable } from 'node:stream';

export class TurnCork {
  private corked = false;

  /** `afterUncork`: called once the held writes went out (e.g. to recycle what they sent). */
  constructor(private readonly socket: Writable, private readonly afterUncork: (() => void) | null = null) {}

  /** Whether writes are being held for the end of this turn. */
  get holding(): boolean {
    return this.corked;
  }

  /** Holds from now until the end of this turn (no-op when already holding). */
  hold(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    setImmediate(this.uncork);
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
    this.afterUncork?.();
  };
}
