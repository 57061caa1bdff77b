/**
 * The management API's view of a running Host: reports built from what runs
 * (RunningState, the transports' sessions, the LUN counters), reload through
 * the ReloadCoordinator (so API, SIGHUP and the file watcher share one
 * serialized path), rescan by re-reading store sizes.
 */
import type { BindingDecl } from '../config/Declaration.js';
import { emptyCounterSnapshot, type LunCounters } from '../management/LunCounters.js';
import {
  ManagementRequestError, type LunReport, type ManagementView, type ReloadResult, type ReloadTrigger,
  type RescanChange, type RescanRequest, type RescanResult, type StatusReport, type TargetReport,
} from '../management/ManagementView.js';
import type { NotApplied } from '../plan/NotApplied.js';
import type { PlanHistory } from '../plan/PlanHistory.js';
import type { ReloadCoordinator } from '../reload/ReloadCoordinator.js';
import type { SessionInfo } from '../transport/Transport.js';
import type { Host } from './Host.js';
import { lunhostVersion } from './packageInfo.js';
import type { RunningLun, RunningTarget } from './RunningState.js';

export class HostManagementView implements ManagementView {
  private readonly startedAt: Date;

  constructor(private readonly host: Host, private readonly reloads: ReloadCoordinator, startedAt = new Date(), private readonly history: PlanHistory | null = null) {
    this.startedAt = startedAt;
  }

  /**
   * The serving declaration planned against what runs: exactly what did not
   * apply (what applied is no longer a difference), with the last error of each.
   */
  notApplied(): NotApplied[] {
    const decl = this.host.current();
    if (!decl) return [];
    const { actions } = this.host.describe(this.host.planAgainst(decl), decl, this.reloads.generation);
    return actions.map((a) => {
      const last = this.history?.lastOutcome(a.id) ?? null;
      const error = a.reason ?? (last && last.action.outcome === 'failed' ? last.action.error : null);
      return { id: a.id, action: `${a.sign} ${a.object === 'lun' ? `${a.text} of ${a.target}` : a.text}`, error, at: last?.at ?? null };
    });
  }

  status(): StatusReport {
    const targets = [...this.host.state.targets.values()];
    return {
      version: lunhostVersion(),
      pid: process.pid,
      startedAt: this.startedAt.toISOString(),
      uptimeSeconds: Math.max(0, Math.round((Date.now() - this.startedAt.getTime()) / 1000)),
      configFile: this.host.current()?.file ?? null,
      generation: this.reloads.generation,
      lastReload: this.reloads.lastResult,
      targets: targets.length,
      luns: targets.reduce((n, t) => n + t.luns.size, 0),
      sessions: this.sessions().filter((s) => !s.discovery).length,
      notApplied: this.notApplied(),
    };
  }

  targets(): TargetReport[] {
    const sessions = this.sessions();
    return [...this.host.state.targets.values()].map((t) => ({
      name: t.decl.name,
      alias: t.decl.alias,
      portals: t.decl.portals,
      luns: [...t.luns.keys()].sort((a, b) => a - b),
      bindings: t.decl.bindings.map(describeBinding),
      auth: t.decl.auth?.mutualChap ? 'mutual-chap' : t.decl.auth?.chap ? 'chap' : 'none',
      sessions: sessions.filter((s) => !s.discovery && s.targetName === t.decl.name).length,
    }));
  }

  sessions(): SessionInfo[] {
    return [...this.host.state.transports.values()].flatMap((t) => t.sessions());
  }

  luns(): LunReport[] {
    const out: LunReport[] = [];
    for (const t of this.host.state.targets.values()) {
      for (const lun of [...t.luns.values()].sort((a, b) => a.decl.lun - b.decl.lun)) {
        out.push({
          target: t.decl.name,
          lun: lun.decl.lun,
          store: lun.decl.store,
          size: lun.store.size,
          blockSize: lun.decl.blockSize,
          readOnly: lun.decl.readOnly || lun.store.capabilities.readOnly,
          counters: countersOf(lun)?.snapshot() ?? emptyCounterSnapshot(),
        });
      }
    }
    return out;
  }

  reload(trigger: ReloadTrigger): Promise<ReloadResult> {
    return this.reloads.reload(trigger);
  }

  /**
   * Re-read the size of stores that can (size: auto, external volumes). A
   * changed size raises CAPACITY DATA HAS CHANGED on the LUN and the
   * lunResized hook. Stores without refreshSize are not counted as checked.
   */
  async rescan(req: RescanRequest): Promise<RescanResult> {
    const selected: [RunningTarget, RunningLun][] = [];
    if (req.target !== null) {
      const t = this.host.state.targets.get(req.target);
      if (!t) throw new ManagementRequestError(404, `no target ${req.target} is served; \`lunhost show targets\` lists them`);
      if (req.lun !== null) {
        const lun = t.luns.get(req.lun);
        if (!lun) throw new ManagementRequestError(404, `target ${req.target} has no LUN ${req.lun}; it has ${[...t.luns.keys()].join(', ') || 'none'}`);
        selected.push([t, lun]);
      } else {
        for (const lun of t.luns.values()) selected.push([t, lun]);
      }
    } else {
      for (const t of this.host.state.targets.values()) for (const lun of t.luns.values()) selected.push([t, lun]);
    }
    let checked = 0;
    const changed: RescanChange[] = [];
    for (const [t, lun] of selected) {
      if (!lun.store.refreshSize) continue;
      checked++;
      const previousSize = lun.store.size;
      const size = await lun.store.refreshSize();
      if (size === previousSize) continue;
      lun.unit.capacityChanged();
      changed.push({ target: t.decl.name, lun: lun.decl.lun, previousSize, size });
      this.host.hooks.lunResized.call({ targetName: t.decl.name, lun: lun.decl.lun, store: lun.decl.store, size, previousSize });
      this.host.log.info('LUN size changed on rescan', { target: t.decl.name, lun: lun.decl.lun, previousSize, size });
    }
    // What failed to apply (a store that did not open...) is retried on rescan, through the one reload path.
    const retried = this.notApplied().some((a) => !a.action.startsWith('!'))
      ? await this.reloads.reload('rescan') : null;
    return retried ? { checked, changed, retried } : { checked, changed };
  }
}

/** ALL, an initiator name, an address/CIDR, or `initiator@address`. */
export function describeBinding(b: BindingDecl): string {
  if (b.kind === 'all') return 'ALL';
  if (b.initiator !== null && b.address !== null) return `${b.initiator}@${b.address}`;
  return b.initiator ?? b.address ?? 'ALL';
}

/** core/scsi's LogicalUnit keeps counters; a stand-in unit (tests) may not. */
function countersOf(lun: RunningLun): LunCounters | undefined {
  return (lun.unit as { readonly counters?: LunCounters }).counters;
}
