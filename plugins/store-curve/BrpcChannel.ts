/**
 * A baidu_std RPC channel over one Unix-socket connection to nebd-server.
 * Many calls are in flight at once, matched to replies by correlation id;
 * each call has its own timeout. The channel never retries: callers do (see
 * CurveStore), because after a reconnect the file must be re-opened first.
 *
 * Every successful connect gets a new `generation`. A call names the
 * generation its file descriptor belongs to and is refused if the connection
 * changed since, so a descriptor from before a nebd-server restart is never
 * sent to the restarted server.
 */
import net from 'node:net';
import { TurnCork } from '../../core/net/TurnCork.js';
import { encodeRequest, FrameReader, type Frame } from './BaiduStdCodec.js';
import { COMPRESS_TYPE_NONE } from './BaiduRpcMeta.js';
import { BrpcErrno, RpcError } from './RpcError.js';

export interface RpcReply {
  readonly message: Buffer;
  /** Slices of the received data; copy them out before the next I/O if kept. */
  readonly attachment: readonly Buffer[];
  readonly attachmentSize: number;
}

interface PendingCall {
  resolve(reply: RpcReply): void;
  reject(err: RpcError): void;
  timer: NodeJS.Timeout;
}

interface Connection {
  readonly socket: net.Socket;
  readonly generation: number;
  readonly reader: FrameReader;
  readonly pending: Map<number, PendingCall>;
  open: boolean;
  /** Holds the calls of one event-loop turn for one writev. */
  readonly output: TurnCork;
}

export class BrpcChannel {
  private connection: Connection | null = null;
  private connecting: Promise<number> | null = null;
  private generationCounter = 0;
  private nextCorrelationId = 1;
  private nextLogId = 1;
  private closed = false;
  private readonly disconnectListeners = new Set<(generation: number, reason: string) => void>();

  constructor(
    readonly socketPath: string,
    private readonly connectTimeoutMs = 3000,
  ) {}

  /** Generation of the live connection, or 0 when there is none. */
  get generation(): number {
    return this.connection?.open ? this.connection.generation : 0;
  }

  /** Called once per lost connection (control path: logging, metrics). */
  onDisconnect(listener: (generation: number, reason: string) => void): void {
    this.disconnectListeners.add(listener);
  }

  /** Connect if not connected; resolves the connection's generation. Rejects with RpcError EHOSTDOWN. */
  connect(): Promise<number> {
    if (this.closed) return Promise.reject(new RpcError(BrpcErrno.ECLOSE, 'the nebd channel is closed'));
    if (this.connection?.open) return Promise.resolve(this.connection.generation);
    this.connecting ??= this.openConnection().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  /**
   * Send one request on the connection of `generation` (0: whatever is
   * connected). Rejects with RpcError; never resolves a reply the server did
   * not send.
   */
  call(
    generation: number,
    service: string,
    method: string,
    message: Uint8Array,
    attachment: Buffer | null,
    timeoutMs: number,
  ): Promise<RpcReply> {
    const conn = this.connection;
    if (!conn?.open) {
      return Promise.reject(new RpcError(BrpcErrno.EFAILEDSOCKET, `not connected to nebd-server at ${this.socketPath}`));
    }
    if (generation !== 0 && conn.generation !== generation) {
      return Promise.reject(new RpcError(BrpcErrno.EFAILEDSOCKET, 'the connection to nebd-server was re-established; the file must be re-opened'));
    }
    const correlationId = this.nextCorrelationId++;
    const [head, data] = encodeRequest({ correlationId, service, method, logId: this.nextLogId++ }, message, attachment);
    return new Promise<RpcReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (conn.pending.delete(correlationId)) {
          reject(new RpcError(BrpcErrno.ERPCTIMEDOUT, `${method} got no reply from nebd-server within ${timeoutMs} ms`));
        }
      }, timeoutMs);
      conn.pending.set(correlationId, { resolve, reject, timer });
      // Every call of this event-loop turn leaves in one writev (header+meta+message and the
      // attachment, not copied).
      conn.output.hold();
      conn.socket.write(head);
      if (data) conn.socket.write(data);
    });
  }

  /** Fail every call in flight and stop. */
  close(): void {
    this.closed = true;
    const conn = this.connection;
    if (conn) this.drop(conn, new RpcError(BrpcErrno.ECLOSE, 'the nebd channel was closed'));
  }

  private openConnection(): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const socket = net.createConnection({ path: this.socketPath });
      const timer = setTimeout(() => {
        socket.destroy(new Error(`no answer within ${this.connectTimeoutMs} ms`));
      }, this.connectTimeoutMs);
      const onConnectError = (err: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        reject(
          new RpcError(
            BrpcErrno.EHOSTDOWN,
            `cannot connect to nebd-server at ${this.socketPath}: ${err.code ?? err.message} (is nebd-server running?)`,
            { cause: err },
          ),
        );
      };
      socket.once('error', onConnectError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onConnectError);
        if (this.closed) {
          socket.destroy();
          reject(new RpcError(BrpcErrno.ECLOSE, 'the nebd channel is closed'));
          return;
        }
        const conn: Connection = {
          socket,
          generation: ++this.generationCounter,
          reader: new FrameReader(),
          pending: new Map(),
          open: true,
          output: new TurnCork(socket),
        };
        this.connection = conn;
        socket.on('data', (chunk: Buffer) => this.receive(conn, chunk));
        socket.on('error', () => {
          /* 'close' follows and fails the calls */
        });
        socket.on('close', () => {
          this.drop(conn, new RpcError(BrpcErrno.EFAILEDSOCKET, `the connection to nebd-server at ${this.socketPath} was closed`));
        });
        resolve(conn.generation);
      });
    });
  }

  private receive(conn: Connection, chunk: Buffer): void {
    conn.reader.push(chunk);
    let frame: Frame | null;
    try {
      while ((frame = conn.reader.next()) !== null) this.dispatch(conn, frame);
    } catch (err) {
      this.drop(conn, new RpcError(BrpcErrno.EFAILEDSOCKET, `nebd-server sent bytes lunhost cannot parse: ${(err as Error).message}`));
    }
  }

  private dispatch(conn: Connection, frame: Frame): void {
    const call = conn.pending.get(frame.correlationId);
    // A reply to a call that timed out already: its caller has moved on.
    if (!call) return;
    conn.pending.delete(frame.correlationId);
    clearTimeout(call.timer);
    const errorCode = frame.response?.errorCode ?? 0;
    if (errorCode !== 0) {
      call.reject(new RpcError(errorCode, `nebd-server answered with brpc error ${errorCode}: ${frame.response?.errorText ?? ''}`));
    } else if (frame.compressType !== COMPRESS_TYPE_NONE) {
      call.reject(new RpcError(BrpcErrno.ERESPONSE, `nebd-server replied with compress_type ${frame.compressType}, which lunhost does not request`));
    } else {
      call.resolve({ message: frame.message, attachment: frame.attachment, attachmentSize: frame.attachmentSize });
    }
  }

  private drop(conn: Connection, reason: RpcError): void {
    if (!conn.open) return;
    conn.open = false;
    if (this.connection === conn) this.connection = null;
    conn.socket.destroy();
    for (const call of conn.pending.values()) {
      clearTimeout(call.timer);
      call.reject(reason);
    }
    conn.pending.clear();
    if (this.closed) return; // closed on purpose: nothing to report
    for (const listener of this.disconnectListeners) listener(conn.generation, reason.message);
  }
}
