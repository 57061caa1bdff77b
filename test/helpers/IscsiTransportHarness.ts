/**
 * Starts the iscsi-tcp transport on 127.0.0.1 (a free port) serving one
 * target backed by core/scsi's ScsiTarget and in-memory LUNs, for unit and
 * end-to-end tests of the transport. `close()` stops it.
 */
import { ScsiTarget } from '../../core/scsi/ScsiTarget.js';
import type { PortalSpec, ServedTarget, SessionInfo, TargetAuth } from '../../core/transport/Transport.js';
import { IscsiTcpTransport } from '../../plugins/transport-iscsi-tcp/IscsiTcpTransport.js';
import { MemoryLogger } from './MemoryLogger.js';
import { MemoryStore, type MemoryStoreOptions } from './MemoryStore.js';
import { freePort } from './freePort.js';

export const HARNESS_IQN = 'iqn.2026-11.io.lunhost.test:iscsi';
export const HARNESS_INITIATOR = 'iqn.2026-11.io.lunhost.test:raw-initiator';

export interface HarnessLun {
  readonly lun: number;
  readonly size: number;
  readonly blockSize?: number;
  readonly capabilities?: MemoryStoreOptions['capabilities'];
}

export interface HarnessOptions {
  readonly luns?: readonly HarnessLun[];
  readonly targetName?: string;
  readonly alias?: string | null;
  readonly admits?: (initiatorName: string, remoteAddress: string) => boolean;
  readonly auth?: TargetAuth | null;
  readonly targetOptions?: Readonly<Record<string, unknown>>;
  readonly portalOptions?: Readonly<Record<string, unknown>>;
}

export class IscsiTransportHarness {
  readonly log = new MemoryLogger();
  readonly loggedIn: SessionInfo[] = [];
  readonly loggedOut: SessionInfo[] = [];
  readonly transport: IscsiTcpTransport;
  readonly stores = new Map<number, MemoryStore>();
  readonly scsi: ScsiTarget;
  portal!: PortalSpec;
  served!: ServedTarget;

  private constructor(readonly iqn: string, o: HarnessOptions) {
    this.transport = new IscsiTcpTransport({
      log: this.log,
      discoveryAuth: null,
      sessionLoggedIn: (s) => { this.loggedIn.push(s); },
      sessionLoggedOut: (s) => { this.loggedOut.push(s); },
    });
    this.scsi = new ScsiTarget({ name: iqn, log: this.log });
    for (const l of o.luns ?? [{ lun: 1, size: 64 << 20 }]) {
      const store = new MemoryStore({ size: l.size, capabilities: l.capabilities });
      this.stores.set(l.lun, store);
      this.scsi.attachLun({ lun: l.lun, store, blockSize: l.blockSize ?? 512, readOnly: false });
    }
  }

  static async start(o: HarnessOptions = {}): Promise<IscsiTransportHarness> {
    const h = new IscsiTransportHarness(o.targetName ?? HARNESS_IQN, o);
    const port = await freePort();
    h.portal = { name: 'default', host: '127.0.0.1', port, portalGroupTag: 1, options: o.portalOptions ?? {} };
    h.served = {
      name: h.iqn,
      alias: o.alias ?? null,
      portals: ['default'],
      admits: o.admits ?? (() => true),
      auth: o.auth ?? null,
      options: o.targetOptions ?? {},
      scsi: h.scsi,
    };
    await h.transport.configure([h.portal], [h.served]);
    return h;
  }

  get port(): number {
    return this.portal.port;
  }

  /** iscsi://127.0.0.1:PORT/ (append IQN/LUN for a LUN URL). */
  get url(): string {
    return `iscsi://127.0.0.1:${this.port}`;
  }

  lunUrl(lun = 1): string {
    return `${this.url}/${this.iqn}/${lun}`;
  }

  close(): Promise<void> {
    return this.transport.close(200);
  }
}
