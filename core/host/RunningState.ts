/**
 * What runs: the portals that listen, one Transport per transport name, and
 * the targets with their ScsiTarget, ServedTarget and attached LUNs (store +
 * declaration). apply() changes it object by object; plan() reads view().
 */
import type { AuthDecl, LunDecl, PortalDecl, TargetDecl } from '../config/Declaration.js';
import type { RunningView } from '../plan/RunningView.js';
import type { BackingStore } from '../store/BackingStore.js';
import type { ServedTarget, TargetAuth, Transport } from '../transport/Transport.js';
import type { AttachedLun, ScsiTargetHandle } from './ScsiTargetHandle.js';

export interface RunningLun {
  readonly decl: LunDecl;
  readonly store: BackingStore;
  readonly unit: AttachedLun;
}

export interface RunningTarget {
  /** The declaration it runs with; its `luns` are not used (see `luns`). */
  decl: TargetDecl;
  readonly scsi: ScsiTargetHandle;
  served: ServedTarget;
  readonly luns: Map<number, RunningLun>;
}

export class RunningState {
  readonly portals = new Map<string, PortalDecl>();
  readonly targets = new Map<string, RunningTarget>();
  readonly transports = new Map<string, Transport>();
  discoveryAuth: TargetAuth | null = null;
  /** The declaration of discoveryAuth (what plan() compares). */
  discoveryAuthDecl: AuthDecl | null = null;

  view(): RunningView {
    return {
      portals: [...this.portals.values()],
      discoveryAuth: this.discoveryAuthDecl,
      targets: [...this.targets.values()].map((t) => ({ ...t.decl, luns: [...t.luns.values()].map((l) => l.decl).sort((a, b) => a.lun - b.lun) })),
      lunSize: (targetName, lun) => this.targets.get(targetName)?.luns.get(lun)?.store.size ?? null,
    };
  }

  /** Portals of one transport, in declaration order of insertion. */
  portalsOf(transport: string): PortalDecl[] {
    return [...this.portals.values()].filter((p) => p.transport === transport);
  }

  /** Targets reachable through at least one of `portalNames`. */
  servedOn(portalNames: ReadonlySet<string>): ServedTarget[] {
    return [...this.targets.values()].filter((t) => t.decl.portals.some((p) => portalNames.has(p))).map((t) => t.served);
  }
}
