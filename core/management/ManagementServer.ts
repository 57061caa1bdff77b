/**
 * The management API: HTTP/1.1 on a Unix socket only (file mode 0600, so
 * only the daemon's user can reach it; no network listener).
 *
 *   GET  /status    StatusReport         GET /targets  TargetReport[]
 *   GET  /sessions  SessionInfo[]        GET /luns     LunReport[]
 *   GET  /metrics   Prometheus text
 *   POST /reload    ReloadResult (200 applied, 422 declaration refused)
 *   POST /rescan    body {"target"?: name, "lun"?: n} → RescanResult
 *   POST /plan, GET /plan/last, GET /reloads   see core/plan/PlanView.ts
 *
 * Errors are JSON `{ "error": "..." }` with a 4xx/5xx status.
 */
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import path from 'node:path';
import type { Logger } from '../log/Logger.js';
import { lastPlanReply, planReply, type PlanView } from '../plan/PlanView.js';
import { ManagementRequestError, type ManagementView, type RescanRequest } from './ManagementView.js';
import { METRICS_CONTENT_TYPE, renderMetrics } from './renderMetrics.js';

/** Request bodies are tiny (POST /rescan); anything larger is refused. */
const MAX_BODY_BYTES = 64 * 1024;

export interface ManagementServerOptions {
  readonly socketPath: string;
  readonly log: Logger;
  /** Planning and the reload history (POST /plan, GET /plan/last, GET /reloads); absent: those answer 404. */
  readonly plans?: PlanView;
}

type Handler = (req: IncomingMessage) => Promise<Reply>;

interface Reply {
  readonly status: number;
  readonly body: unknown;
  /** Send `body` as text with this content type instead of JSON. */
  readonly contentType?: string;
}

export class ManagementServer {
  readonly socketPath: string;
  private readonly log: Logger;
  private server: Server | null = null;
  private readonly routes: Map<string, ReadonlyMap<string, Handler>>;

  constructor(private readonly view: ManagementView, opts: ManagementServerOptions) {
    this.socketPath = opts.socketPath;
    this.log = opts.log;
    const ok = (body: unknown): Reply => ({ status: 200, body });
    this.routes = new Map<string, Map<string, Handler>>([
      ['/status', new Map([['GET', async () => ok(this.view.status())]])],
      ['/targets', new Map([['GET', async () => ok(this.view.targets())]])],
      ['/sessions', new Map([['GET', async () => ok(this.view.sessions())]])],
      ['/luns', new Map([['GET', async () => ok(this.view.luns())]])],
      ['/metrics', new Map([['GET', async () => ({
        status: 200,
        body: renderMetrics(this.view.status(), this.view.luns(), this.view.sessions()),
        contentType: METRICS_CONTENT_TYPE,
      })]])],
      ['/reload', new Map([['POST', async () => {
        const result = await this.view.reload('api');
        return { status: result.ok ? 200 : 422, body: result };
      }]])],
      ['/rescan', new Map([['POST', async (req) => ok(await this.view.rescan(parseRescan(await readBody(req))))]])],
    ]);
    const plans = opts.plans;
    if (plans) {
      this.routes.set('/plan', new Map([['POST', async (req) => planReply(plans, await readBody(req))]]));
      this.routes.set('/plan/last', new Map([['GET', async () => lastPlanReply(plans)]]));
      this.routes.set('/reloads', new Map([['GET', async () => ok(plans.reloadHistory())]]));
    }
  }

  /**
   * Listen on the socket. A stale socket file (left by a daemon that died)
   * is replaced; one another daemon still answers on is an error.
   */
  async listen(): Promise<void> {
    await mkdir(path.dirname(this.socketPath), { recursive: true, mode: 0o700 });
    await removeStaleSocket(this.socketPath);
    const server = createServer((req, res) => { void this.handle(req, res); });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(this.socketPath, err)));
      server.listen(this.socketPath, () => resolve());
    });
    // Sockets are created with the umask applied; tighten before anyone is told the path.
    await chmod(this.socketPath, 0o600);
    this.server = server;
    this.log.info('management API listening', { socket: this.socketPath });
  }

  /** Stop listening, drop idle keep-alive connections, remove the socket file. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    // node removes the socket file on close; this is for the case it could not.
    await unlink(this.socketPath).catch(() => undefined);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://lunhost');
    const methods = this.routes.get(url.pathname.replace(/\/+$/, '') || '/');
    let reply: Reply;
    if (!methods) {
      reply = { status: 404, body: { error: `no such endpoint ${url.pathname}; try /status, /targets, /sessions, /luns, /metrics, POST /reload, POST /rescan, POST /plan, /plan/last, /reloads` } };
    } else {
      const handler = methods.get(req.method ?? 'GET');
      if (!handler) {
        res.setHeader('Allow', [...methods.keys()].join(', '));
        reply = { status: 405, body: { error: `${url.pathname} accepts ${[...methods.keys()].join(', ')}, not ${req.method}` } };
      } else {
        try {
          reply = await handler(req);
        } catch (err) {
          if (err instanceof ManagementRequestError) {
            reply = { status: err.statusCode, body: { error: err.message } };
          } else {
            this.log.error('management request failed', { method: req.method, path: url.pathname, err });
            reply = { status: 500, body: { error: err instanceof Error ? err.message : String(err) } };
          }
        }
      }
    }
    // Drain whatever the client sent that a handler did not read.
    req.resume();
    const text = reply.contentType ? String(reply.body) : JSON.stringify(reply.body, null, 2) + '\n';
    res.writeHead(reply.status, {
      'Content-Type': reply.contentType ?? 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ManagementRequestError(413, `request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `{}` or empty = everything; `{"target": "iqn..."}`; `{"target": "iqn...", "lun": 1}`. */
export function parseRescan(body: string): RescanRequest {
  if (body.trim() === '') return { target: null, lun: null };
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw new ManagementRequestError(400, 'the body of POST /rescan must be JSON, e.g. {"target": "iqn...", "lun": 1}');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ManagementRequestError(400, 'the body of POST /rescan must be a JSON object');
  }
  const o = data as Record<string, unknown>;
  const target = o.target ?? null;
  const lun = o.lun ?? null;
  if (target !== null && typeof target !== 'string') throw new ManagementRequestError(400, '"target" must be a target name');
  if (lun !== null && !(typeof lun === 'number' && Number.isInteger(lun) && lun >= 0 && lun < 16384)) {
    throw new ManagementRequestError(400, '"lun" must be a LUN number (0-16383)');
  }
  if (lun !== null && target === null) throw new ManagementRequestError(400, '"lun" needs "target" (LUN numbers are per target)');
  return { target, lun };
}

async function removeStaleSocket(socketPath: string): Promise<void> {
  const answered = await new Promise<boolean | 'absent'>((resolve) => {
    const s = connect(socketPath);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ENOENT' ? 'absent' : false));
  });
  if (answered === true) {
    throw new Error(`management socket ${socketPath} is in use: another lunhost runs with this declaration; stop it or set management.socket to another path`);
  }
  if (answered === false) {
    // Only ever remove a socket: a regular file at this path is a mistake in the declaration.
    const st = await lstat(socketPath);
    if (!st.isSocket()) throw new Error(`management socket path ${socketPath} exists and is not a socket; set management.socket to another path`);
    await unlink(socketPath);
  }
}

function listenError(socketPath: string, err: NodeJS.ErrnoException): Error {
  if (err.code === 'EACCES') return new Error(`cannot create the management socket ${socketPath}: permission denied; set management.socket to a writable path`);
  if (Buffer.byteLength(socketPath) > 107) return new Error(`management socket path ${socketPath} is too long for a Unix socket (107 bytes); set management.socket to a shorter path`);
  return new Error(`cannot listen on the management socket ${socketPath}: ${err.message}`);
}
