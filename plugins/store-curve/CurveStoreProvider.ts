/**
 * The `store: curve` provider. LUNs on the same nebd-server socket share one
 * NebdSession (one connection, one heartbeat listing all their files), as
 * one nebd-client process would.
 */
import type { Logger } from '../../core/log/Logger.js';
import type { BackingStore } from '../../core/store/BackingStore.js';
import type { StoreOpenRequest, StoreProvider } from '../../core/store/StoreProvider.js';
import { CurveStore } from './CurveStore.js';
import { curveOptionsSchema, DEFAULT_NEBD_SOCKET, normalizeCurveOptions } from './CurveStoreOptions.js';
import { NebdSession } from './NebdSession.js';

interface SessionEntry {
  readonly session: NebdSession;
  refs: number;
}

export class CurveStoreProvider implements StoreProvider {
  readonly type = 'curve';
  readonly optionsSchema = curveOptionsSchema;
  readonly defaultSize = 'auto' as const;
  private readonly sessions = new Map<string, SessionEntry>();

  constructor(
    private readonly log: Logger,
    private readonly clientVersion: string,
  ) {}

  describe(options: Readonly<Record<string, unknown>>): string {
    const socket = typeof options.socket === 'string' ? options.socket : DEFAULT_NEBD_SOCKET;
    return `curve ${String(options.backing)} via nebd ${socket}`;
  }

  async open(req: StoreOpenRequest): Promise<BackingStore> {
    const options = normalizeCurveOptions(req.options, req.baseDir);
    let entry = this.sessions.get(options.socketPath);
    if (!entry) {
      entry = {
        session: new NebdSession({
          socketPath: options.socketPath,
          heartbeatIntervalMs: options.heartbeatIntervalMs,
          heartbeatTimeoutMs: options.heartbeatTimeoutMs,
          clientVersion: this.clientVersion,
          log: this.log,
        }),
        refs: 0,
      };
      this.sessions.set(options.socketPath, entry);
    }
    const held = entry;
    held.refs += 1;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      held.refs -= 1;
      if (held.refs === 0) {
        held.session.close();
        if (this.sessions.get(options.socketPath) === held) this.sessions.delete(options.socketPath);
      }
    };
    return CurveStore.open(
      held.session,
      {
        name: options.backing,
        timeoutMs: options.timeoutMs,
        retry: options.retry,
        exclusive: options.exclusive,
        blockSize: req.blockSize,
        readOnly: req.readOnly,
        log: req.log,
      },
      req.size,
      release,
    );
  }
}
