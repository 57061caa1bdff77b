/**
 * One socket to sheep carrying many requests at once. Each request gets an id;
 * sheep answers in any order and the id says which request a response belongs
 * to. Response data is copied once, from the socket chunk into the caller's
 * buffer.
 *
 * A connection that breaks (socket error, close, a request outliving
 * requestTimeoutMs) fails every request in flight with SheepConnectionLost and
 * is never used again; SheepClient decides whether to retry on a new one.
 */
import net from 'node:net';
import { TurnCork } from '../../core/net/TurnCork.js';
import type { SheepEndpoint } from './SheepBacking.js';
import { decodeResponse, encodeRequest, SD_REQ_SIZE, SD_RSP_SIZE, type SheepRequestFields, type SheepResponse } from './SheepProtocol.js';

export interface SheepReply {
  readonly rsp: SheepResponse;
  /** The response data, when the request gave no destination buffer (control path). */
  readonly data?: Buffer;
}

/** The connection broke before the response arrived: the request may or may not have been executed. */
export class SheepConnectionLost extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SheepConnectionLost';
  }
}

/** A request header without the id (the connection assigns it). */
export type SheepRequestWithoutId = SheepRequestFields;

interface Pending {
  readonly startedAt: number;
  readonly dst: Buffer | undefined;
  readonly resolve: (reply: SheepReply) => void;
  readonly reject: (err: Error) => void;
}

export function describeEndpoint(ep: SheepEndpoint): string {
  return ep.kind === 'unix' ? `unix:${ep.path}` : `tcp:${ep.host}:${ep.port}`;
}

export class SheepConnection {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failed: Error | null = null;
  private readonly header = Buffer.alloc(SD_RSP_SIZE);
  private headerFill = 0;
  /** The response whose data is being received. */
  private body: { pending: Pending | undefined; rsp: SheepResponse; remaining: number; dst: Buffer; pos: number } | null = null;
  private readonly sweep: NodeJS.Timeout;
  /** Called once when the connection breaks or is closed. */
  onClose: ((err: Error) => void) | null = null;
  private readonly output: TurnCork;

  private constructor(
    private readonly socket: net.Socket,
    private readonly requestTimeoutMs: number,
    readonly where: string,
  ) {
    socket.setNoDelay?.(true);
    this.output = new TurnCork(socket);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new SheepConnectionLost(`connection to sheep at ${where} failed: ${err.message}`, { cause: err })));
    socket.on('close', () => this.fail(new SheepConnectionLost(`connection to sheep at ${where} closed`)));
    // One timer per connection, not per request: a request older than the timeout breaks the connection.
    this.sweep = setInterval(() => this.checkTimeouts(), Math.min(1000, Math.max(50, requestTimeoutMs / 4)));
    this.sweep.unref();
  }

  static connect(endpoint: SheepEndpoint, connectTimeoutMs: number, requestTimeoutMs: number): Promise<SheepConnection> {
    const where = describeEndpoint(endpoint);
    return new Promise((resolve, reject) => {
      const socket = endpoint.kind === 'unix' ? net.createConnection({ path: endpoint.path }) : net.createConnection({ host: endpoint.host, port: endpoint.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new SheepConnectionLost(`connecting to sheep at ${where} timed out after ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      const onError = (err: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(new SheepConnectionLost(`cannot connect to sheep at ${where}: ${err.message}`, { cause: err }));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new SheepConnection(socket, requestTimeoutMs, where));
      });
    });
  }

  get alive(): boolean {
    return this.failed === null;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Send one request. `data` is the payload (writes); `dst` receives response
   * data (reads) — without it the data comes back in the reply.
   */
  request(req: SheepRequestWithoutId, data?: Buffer, dst?: Buffer): Promise<SheepReply> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    const header = encodeRequest(req, Buffer.allocUnsafe(SD_REQ_SIZE), id);
    return new Promise<SheepReply>((resolve, reject) => {
      this.pending.set(id, { startedAt: Date.now(), dst, resolve, reject });
      // Every request of this event-loop turn leaves in one writev.
      this.output.hold();
      this.socket.write(header);
      if (data && data.length > 0) this.socket.write(data);
    });
  }

  close(): void {
    this.fail(new SheepConnectionLost(`connection to sheep at ${this.where} closed by lunhost`));
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    clearInterval(this.sweep);
    this.socket.destroy();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(err);
    this.onClose?.(err);
  }

  private checkTimeouts(): void {
    const now = Date.now();
    for (const p of this.pending.values()) {
      if (now - p.startedAt > this.requestTimeoutMs) {
        this.fail(new SheepConnectionLost(`sheep at ${this.where} did not answer within ${this.requestTimeoutMs} ms`));
        return;
      }
    }
  }

  private onData(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length && !this.failed) {
      if (this.body) {
        const b = this.body;
        const take = Math.min(b.remaining, chunk.length - pos);
        const room = b.dst.length - b.pos;
        if (room > 0) chunk.copy(b.dst, b.pos, pos, pos + Math.min(take, room));
        b.pos += take;
        b.remaining -= take;
        pos += take;
        if (b.remaining === 0) this.finishBody();
        continue;
      }
      const take = Math.min(SD_RSP_SIZE - this.headerFill, chunk.length - pos);
      chunk.copy(this.header, this.headerFill, pos, pos + take);
      this.headerFill += take;
      pos += take;
      if (this.headerFill < SD_RSP_SIZE) break;
      this.headerFill = 0;
      const rsp = decodeResponse(this.header);
      const pending = this.pending.get(rsp.id);
      if (pending) this.pending.delete(rsp.id);
      if (rsp.dataLength === 0) {
        pending?.resolve(pending.dst ? { rsp } : { rsp, data: Buffer.alloc(0) });
        continue;
      }
      // Data of a response nobody waits for (a late answer) is read and dropped.
      const dst = pending?.dst ?? (pending ? Buffer.allocUnsafe(rsp.dataLength) : Buffer.alloc(0));
      this.body = { pending, rsp, remaining: rsp.dataLength, dst, pos: 0 };
    }
  }

  private finishBody(): void {
    const b = this.body;
    this.body = null;
    if (!b || !b.pending) return;
    if (b.pending.dst) b.pending.resolve({ rsp: b.rsp });
    else b.pending.resolve({ rsp: b.rsp, data: b.dst });
  }
}
