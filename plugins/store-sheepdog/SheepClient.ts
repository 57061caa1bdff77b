/**
 * A small pool of connections to one sheep, used round-robin. A broken
 * connection is replaced on demand, retrying with exponential backoff until
 * reconnectTimeoutMs; requests caught by a break are sent again on the new
 * connection (the store only sends requests that are safe to repeat: reads,
 * writes of the same bytes to the same place, inode entry updates). A request
 * is never reported successful unless sheep answered it.
 */
import type { Logger } from '../../core/log/Logger.js';
import { StoreError } from '../../core/store/StoreError.js';
import type { SheepEndpoint } from './SheepBacking.js';
import { describeEndpoint, SheepConnection, SheepConnectionLost, type SheepReply, type SheepRequestWithoutId } from './SheepConnection.js';

export interface SheepClientOptions {
  readonly endpoint: SheepEndpoint;
  /** Sockets to sheep (requests are spread over them). */
  readonly connections: number;
  readonly connectTimeoutMs: number;
  /** A request unanswered this long breaks its connection (and is retried on a new one). */
  readonly requestTimeoutMs: number;
  /** How long to keep reconnecting before failing I/O as not ready. */
  readonly reconnectTimeoutMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly log: Logger;
}

interface Slot {
  conn: SheepConnection | null;
  connecting: Promise<SheepConnection> | null;
  /** The slot lost its connection; the next successful connect logs "reconnected". */
  lost: boolean;
}

export class SheepClient {
  private readonly slots: Slot[];
  private next = 0;
  private closed = false;
  readonly where: string;
  /** Called after a lost connection is re-established (e.g. to take the VDI lock again after a sheep restart). */
  onReconnect: (() => void) | null = null;

  constructor(private readonly opts: SheepClientOptions) {
    this.where = describeEndpoint(opts.endpoint);
    this.slots = Array.from({ length: Math.max(1, opts.connections) }, () => ({ conn: null, connecting: null, lost: false }));
  }

  /**
   * Send a request and wait for sheep's answer (whatever its result code).
   * Connection failures are retried until reconnectTimeoutMs passes, then
   * reported as StoreError 'not-ready'.
   */
  async execute(req: SheepRequestWithoutId, data?: Buffer, dst?: Buffer): Promise<SheepReply> {
    // The reconnect window of this request opens at its first failure.
    let deadline = 0;
    for (;;) {
      if (this.closed) throw new StoreError('gone', `sheep client for ${this.where} is closed`);
      let conn: SheepConnection;
      try {
        conn = await this.connection();
      } catch (err) {
        // A connect attempt that started before this request (and gave up) does not end its window.
        if (!(err instanceof StoreError) || err.kind !== 'not-ready') throw err;
        const now = Date.now();
        if (deadline === 0) deadline = now + this.opts.reconnectTimeoutMs;
        if (now >= deadline) throw err;
        continue;
      }
      try {
        return await conn.request(req, data, dst);
      } catch (err) {
        if (!(err instanceof SheepConnectionLost)) throw err;
        if (this.closed) throw new StoreError('gone', `sheep client for ${this.where} is closed`, { cause: err });
        const now = Date.now();
        if (deadline === 0) deadline = now + this.opts.reconnectTimeoutMs;
        else if (now > deadline) {
          throw new StoreError('not-ready', `sheep at ${this.where} kept dropping the connection for ${this.opts.reconnectTimeoutMs} ms: ${err.message}`, { cause: err });
        }
        // Loop: the request goes out again on a fresh connection.
      }
    }
  }

  /** Close every socket; requests in flight fail with 'gone'. */
  close(): void {
    this.closed = true;
    for (const s of this.slots) {
      s.conn?.close();
      s.conn = null;
    }
  }

  /** Connect every slot now (open time), so a wrong address is reported at attach. */
  async connectAll(): Promise<void> {
    await Promise.all(this.slots.map((s) => this.connectSlot(s, 0)));
  }

  private connection(): Promise<SheepConnection> {
    const slot = this.slots[this.next] as Slot;
    this.next = (this.next + 1) % this.slots.length;
    if (slot.conn && slot.conn.alive) return Promise.resolve(slot.conn);
    return this.connectSlot(slot, this.opts.reconnectTimeoutMs);
  }

  private connectSlot(slot: Slot, patienceMs: number): Promise<SheepConnection> {
    if (slot.conn && slot.conn.alive) return Promise.resolve(slot.conn);
    if (slot.connecting) return slot.connecting;
    const attempt = this.connectWithBackoff(patienceMs).then(
      (conn) => {
        slot.connecting = null;
        if (this.closed) {
          conn.close();
          throw new StoreError('gone', `sheep client for ${this.where} is closed`);
        }
        slot.conn = conn;
        if (slot.lost) {
          this.opts.log.info('reconnected to sheep', { sheep: this.where });
          this.onReconnect?.();
        }
        slot.lost = false;
        conn.onClose = (err) => {
          if (slot.conn === conn) slot.conn = null;
          if (!this.closed) {
            slot.lost = true;
            this.opts.log.warn('connection to sheep lost; will reconnect', { sheep: this.where, error: err.message, inFlight: conn.inFlight });
            // Reconnect now, not at the next I/O, so an idle LUN takes its lock back as soon as sheep returns.
            this.connectSlot(slot, this.opts.reconnectTimeoutMs).catch(() => undefined);
          }
        };
        return conn;
      },
      (err: unknown) => {
        slot.connecting = null;
        throw err;
      },
    );
    slot.connecting = attempt;
    return attempt;
  }

  private async connectWithBackoff(patienceMs: number): Promise<SheepConnection> {
    const deadline = Date.now() + patienceMs;
    let delay = this.opts.backoffInitialMs;
    for (;;) {
      if (this.closed) throw new StoreError('gone', `sheep client for ${this.where} is closed`);
      try {
        return await SheepConnection.connect(this.opts.endpoint, this.opts.connectTimeoutMs, this.opts.requestTimeoutMs);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new StoreError('not-ready', `${msg} (gave up after ${patienceMs} ms; is sheep running and is the backing address right?)`, { cause: err });
        }
        await new Promise((r) => setTimeout(r, Math.min(delay, left)));
        delay = Math.min(delay * 2, this.opts.backoffMaxMs);
      }
    }
  }
}
