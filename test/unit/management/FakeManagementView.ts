/** A ManagementView with fixed data and recorded calls, for the API and CLI tests. */
import { IoKind, LunCounters } from '../../../core/management/LunCounters.js';
import {
  ManagementRequestError, type LunReport, type ManagementView, type ReloadResult, type ReloadTrigger,
  type RescanRequest, type RescanResult, type StatusReport, type TargetReport,
} from '../../../core/management/ManagementView.js';
import type { SessionInfo } from '../../../core/transport/Transport.js';

export const TARGET = 'iqn.2026-11.io.lunhost.test:disk';

export class FakeManagementView implements ManagementView {
  readonly reloads: ReloadTrigger[] = [];
  readonly rescans: RescanRequest[] = [];
  /** The next reload refuses the declaration with this issue. */
  refuseNextReload = false;
  private generation = 1;
  private last: ReloadResult = { ok: true, trigger: 'start', at: '2026-11-21T20:00:00.000Z', generation: 1, changes: 3, error: null, issues: [] };
  readonly counters = new LunCounters();

  constructor() {
    this.counters.record(IoKind.Read, 4096, 150, false);
    this.counters.record(IoKind.Write, 8192, 3000, false);
    this.counters.record(IoKind.Other, 0, 20, true);
  }

  status(): StatusReport {
    return {
      version: '0.1.0', pid: 4242, startedAt: '2026-11-21T20:00:00.000Z', uptimeSeconds: 3725,
      configFile: '/etc/lunhost/targets.yaml', generation: this.generation, lastReload: this.last,
      targets: 1, luns: 1, sessions: 1,
    };
  }

  targets(): TargetReport[] {
    return [{ name: TARGET, alias: 'disk "one"', portals: ['main'], luns: [1], bindings: ['ALL'], auth: 'chap', sessions: 1 }];
  }

  sessions(): SessionInfo[] {
    return [{
      id: 's1', transport: 'iscsi-tcp', targetName: TARGET, initiatorName: 'iqn.2026-11.org.example:host1', initiatorAlias: null,
      remoteAddress: '127.0.0.1:50000', discovery: false, connections: 1,
      parameters: { HeaderDigest: 'None', DataDigest: 'None', MaxRecvDataSegmentLength: '262144', ImmediateData: 'Yes' },
    }];
  }

  luns(): LunReport[] {
    return [{ target: TARGET, lun: 1, store: 'file', size: 64 * 2 ** 20, blockSize: 512, readOnly: false, counters: this.counters.snapshot() }];
  }

  async reload(trigger: ReloadTrigger): Promise<ReloadResult> {
    this.reloads.push(trigger);
    if (this.refuseNextReload) {
      this.refuseNextReload = false;
      const issue = { file: '/etc/lunhost/targets.yaml', line: 12, column: 9, field: 'targets[0].luns[1].size', message: "must be a size like 1GiB, got 'big'" };
      this.last = { ok: false, trigger, at: '2026-11-21T20:05:00.000Z', generation: this.generation, changes: 0, error: `targets.yaml:12:9 ${issue.field}: ${issue.message}`, issues: [issue] };
    } else {
      this.generation++;
      this.last = { ok: true, trigger, at: '2026-11-21T20:05:00.000Z', generation: this.generation, changes: 1, error: null, issues: [] };
    }
    return this.last;
  }

  async rescan(req: RescanRequest): Promise<RescanResult> {
    this.rescans.push(req);
    if (req.target !== null && req.target !== TARGET) throw new ManagementRequestError(404, `no target ${req.target}`);
    return { checked: 1, changed: [{ target: TARGET, lun: 1, previousSize: 64 * 2 ** 20, size: 128 * 2 ** 20 }] };
  }
}
