/**
 * What one lunhost process shares per nebd-server socket: the channel and the
 * heartbeat. nebd-server closes files that no KeepAlive mentioned for
 * heartbeat.timeout.sec (30 s), so every heartbeatIntervalMs (nebd-client:
 * 5 s) the session sends NebdHeartbeatService.KeepAlive with this process id
 * and every open file (fd + name). A tick also re-opens files whose
 * connection was lost, so they come back without waiting for I/O.
 */
import type { Logger } from '../../core/log/Logger.js';
import { BrpcChannel } from './BrpcChannel.js';
import { callNebd } from './NebdCall.js';
import { NebdMethods, RetCode, type HeartbeatFileInfo } from './NebdMessages.js';

/** A file a store keeps open through this session. */
export interface NebdOpenFile {
  readonly name: string;
  /** The descriptor valid on connection `generation`, or null while not open. */
  openDescriptor(): { readonly fd: number; readonly generation: number } | null;
  /** Re-open after a reconnect (errors are the store's to report on I/O). */
  refresh(): Promise<void>;
}

export interface NebdSessionOptions {
  readonly socketPath: string;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  /** HeartbeatRequest.nebdVersion: what nebd-server records for this client. */
  readonly clientVersion: string;
  readonly log: Logger;
}

export class NebdSession {
  readonly channel: BrpcChannel;
  private readonly files = new Set<NebdOpenFile>();
  private timer: NodeJS.Timeout | null = null;
  private heartbeatFailing = false;
  private ticking = false;

  constructor(private readonly options: NebdSessionOptions) {
    this.channel = new BrpcChannel(options.socketPath);
    this.channel.onDisconnect((generation, reason) => {
      options.log.warn('lost the connection to nebd-server; files will be re-opened on reconnect', {
        socket: options.socketPath,
        generation,
        reason,
      });
    });
  }

  get socketPath(): string {
    return this.options.socketPath;
  }

  get fileCount(): number {
    return this.files.size;
  }

  add(file: NebdOpenFile): void {
    this.files.add(file);
    if (!this.timer) {
      this.timer = setInterval(() => void this.heartbeat(), this.options.heartbeatIntervalMs);
      this.timer.unref();
    }
  }

  /** Returns the number of files still registered. */
  remove(file: NebdOpenFile): number {
    this.files.delete(file);
    if (this.files.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    return this.files.size;
  }

  /** One heartbeat tick (also called by tests). Never throws. */
  async heartbeat(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const generation = this.channel.generation;
      for (const file of this.files) {
        const open = file.openDescriptor();
        if (!open || open.generation !== generation || generation === 0) await file.refresh().catch(() => undefined);
      }
      const current = this.channel.generation;
      const info: HeartbeatFileInfo[] = [];
      for (const file of this.files) {
        const open = file.openDescriptor();
        if (open && open.generation === current) info.push({ fd: open.fd, name: file.name });
      }
      if (info.length === 0 || current === 0) return;
      const { response } = await callNebd(
        this.channel,
        NebdMethods.KeepAlive,
        current,
        { pid: process.pid, nebdVersion: this.options.clientVersion, info },
        null,
        this.options.heartbeatTimeoutMs,
      );
      if (response.retCode !== RetCode.kOK) throw new Error('nebd-server did not know every file listed (retCode kNoOK)');
      if (this.heartbeatFailing) this.options.log.info('nebd heartbeat works again', { socket: this.options.socketPath });
      this.heartbeatFailing = false;
    } catch (err) {
      if (!this.heartbeatFailing) {
        this.options.log.warn('nebd heartbeat failed; nebd-server closes files it hears nothing about for 30 s', {
          socket: this.options.socketPath,
          error: (err as Error).message,
        });
      }
      this.heartbeatFailing = true;
    } finally {
      this.ticking = false;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.channel.close();
  }
}
