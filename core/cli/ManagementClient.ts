/**
 * The CLI side of the management API: undici over the daemon's Unix socket.
 * A daemon that is not there becomes a DaemonNotRunning error carrying the
 * socket path, which the commands print as one line.
 */
import { Client } from 'undici';
import type { SessionInfo } from '../transport/Transport.js';
import type {
  LunReport, ReloadResult, RescanRequest, RescanResult, StatusReport, TargetReport,
} from '../management/ManagementView.js';
import type { AppliedPlan, PlanReport } from '../plan/PlanReport.js';
import type { ReloadIssue } from '../management/ManagementView.js';

/** POST /plan: the plan, or why the declaration was refused. */
export type PlanAnswer =
  | { readonly ok: true; readonly report: PlanReport }
  | { readonly ok: false; readonly error: string; readonly issues: readonly ReloadIssue[] };

/** Connecting to the socket failed: no daemon, or one this user may not reach. */
export class DaemonNotRunning extends Error {
  constructor(readonly socketPath: string, readonly code: string) {
    super(code === 'EACCES'
      ? `permission denied on the management socket ${socketPath}; run as the user lunhost runs as`
      : `cannot reach lunhost at ${socketPath} (${code}); is lunhost running? (start it with \`lunhost start\`, or pass --socket/--config)`);
    this.name = 'DaemonNotRunning';
  }
}

/** The daemon answered with an error status (unknown target, bad request). */
export class ManagementApiError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
    this.name = 'ManagementApiError';
  }
}

const CONNECT_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ENOTSOCK', 'ECONNRESET', 'EPERM']);

export class ManagementClient {
  private readonly client: Client;

  constructor(readonly socketPath: string) {
    // The host part is never resolved: the connection is the Unix socket.
    this.client = new Client('http://lunhost', { connect: { socketPath } });
  }

  status(): Promise<StatusReport> { return this.getJson('/status'); }
  targets(): Promise<TargetReport[]> { return this.getJson('/targets'); }
  sessions(): Promise<SessionInfo[]> { return this.getJson('/sessions'); }
  luns(): Promise<LunReport[]> { return this.getJson('/luns'); }

  async metrics(): Promise<string> {
    const { statusCode, text } = await this.request('GET', '/metrics');
    if (statusCode !== 200) throw apiError(statusCode, text);
    return text;
  }

  /** Resolves with the result whether the declaration was applied (ok) or refused. */
  async reload(): Promise<ReloadResult> {
    const { statusCode, text } = await this.request('POST', '/reload');
    if (statusCode !== 200 && statusCode !== 422) throw apiError(statusCode, text);
    return JSON.parse(text) as ReloadResult;
  }

  async rescan(req: RescanRequest): Promise<RescanResult> {
    const body: Record<string, unknown> = {};
    if (req.target !== null) body.target = req.target;
    if (req.lun !== null) body.lun = req.lun;
    const { statusCode, text } = await this.request('POST', '/rescan', JSON.stringify(body));
    if (statusCode !== 200) throw apiError(statusCode, text);
    return JSON.parse(text) as RescanResult;
  }

  /** Plan `file` (absolute; null: the daemon's own declaration) against what runs. */
  async plan(file: string | null): Promise<PlanAnswer> {
    const { statusCode, text } = await this.request('POST', '/plan', JSON.stringify(file === null ? {} : { file }));
    if (statusCode === 200) return { ok: true, report: JSON.parse(text) as PlanReport };
    if (statusCode === 422) {
      const body = JSON.parse(text) as { error: string; issues: ReloadIssue[] };
      return { ok: false, error: body.error, issues: body.issues };
    }
    throw apiError(statusCode, text);
  }

  /** The last plan applied with its per-action outcome, or null before any. */
  async lastPlan(): Promise<AppliedPlan | null> {
    const { statusCode, text } = await this.request('GET', '/plan/last');
    if (statusCode === 404) return null;
    if (statusCode !== 200) throw apiError(statusCode, text);
    return JSON.parse(text) as AppliedPlan;
  }

  /** The last reloads, newest first. */
  reloadHistory(): Promise<AppliedPlan[]> { return this.getJson('/reloads'); }

  close(): Promise<void> {
    return this.client.close();
  }

  private async getJson<T>(path: string): Promise<T> {
    const { statusCode, text } = await this.request('GET', path);
    if (statusCode !== 200) throw apiError(statusCode, text);
    return JSON.parse(text) as T;
  }

  private async request(method: 'GET' | 'POST', path: string, body?: string): Promise<{ statusCode: number; text: string }> {
    try {
      const res = await this.client.request({
        method,
        path,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body ?? null,
      });
      return { statusCode: res.statusCode, text: await res.body.text() };
    } catch (err) {
      const code = errorCode(err);
      if (code !== null && CONNECT_CODES.has(code)) throw new DaemonNotRunning(this.socketPath, code);
      throw err;
    }
  }
}

function errorCode(err: unknown): string | null {
  for (let e: unknown = err; e !== null && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECT_CODES.has(code)) return code;
  }
  return null;
}

function apiError(statusCode: number, text: string): ManagementApiError {
  let message = text.trim();
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') message = parsed.error;
  } catch { /* not JSON: keep the text */ }
  return new ManagementApiError(statusCode, `lunhost answered ${statusCode}: ${message}`);
}
