/**
 * Every extension point of the host. Registration hooks are HookMaps keyed by
 * store type / transport name; lifecycle hooks are for the control path only
 * (never called per I/O).
 */
import { AsyncSeriesHook, HookMap, SyncBailHook, SyncHook } from 'tapable';
import type { StoreProvider } from '../store/StoreProvider.js';
import type { TransportProvider } from '../transport/Transport.js';
import type { SessionInfo } from '../transport/Transport.js';
import type { Declaration } from '../config/Declaration.js';
import type { Plan } from '../plan/Plan.js';

export interface LunEvent {
  readonly targetName: string;
  readonly lun: number;
  readonly store: string;
  readonly size: number;
}

export interface LunResizedEvent extends LunEvent {
  readonly previousSize: number;
}

export interface HostHooks {
  /** `host.hooks.store.for('file').tap('store-file', () => provider)` */
  readonly store: HookMap<SyncBailHook<[], StoreProvider>>;
  /** `host.hooks.transport.for('iscsi-tcp').tap('transport-iscsi-tcp', () => provider)` */
  readonly transport: HookMap<SyncBailHook<[], TransportProvider>>;
  readonly configLoaded: SyncHook<[Declaration]>;
  readonly beforeApply: AsyncSeriesHook<[Plan]>;
  readonly afterApply: AsyncSeriesHook<[Plan]>;
  readonly lunAttached: SyncHook<[LunEvent]>;
  readonly lunDetached: SyncHook<[LunEvent]>;
  readonly lunResized: SyncHook<[LunResizedEvent]>;
  readonly sessionLogin: SyncHook<[SessionInfo]>;
  readonly sessionLogout: SyncHook<[SessionInfo]>;
  readonly shutdown: AsyncSeriesHook<[]>;
}

/** Fresh hooks, plus the sets of registered keys (tapable's HookMap does not list them). */
export function createHostHooks(): { hooks: HostHooks; storeTypes: Set<string>; transportNames: Set<string> } {
  const storeTypes = new Set<string>();
  const transportNames = new Set<string>();
  const store = new HookMap<SyncBailHook<[], StoreProvider>>(() => new SyncBailHook<[], StoreProvider>());
  const transport = new HookMap<SyncBailHook<[], TransportProvider>>(() => new SyncBailHook<[], TransportProvider>());
  store.intercept({ factory: (key, hook) => { storeTypes.add(String(key)); return hook; } });
  transport.intercept({ factory: (key, hook) => { transportNames.add(String(key)); return hook; } });
  const hooks: HostHooks = {
    store,
    transport,
    configLoaded: new SyncHook(['declaration']),
    beforeApply: new AsyncSeriesHook(['plan']),
    afterApply: new AsyncSeriesHook(['plan']),
    lunAttached: new SyncHook(['event']),
    lunDetached: new SyncHook(['event']),
    lunResized: new SyncHook(['event']),
    sessionLogin: new SyncHook(['session']),
    sessionLogout: new SyncHook(['session']),
    shutdown: new AsyncSeriesHook([]),
  };
  return { hooks, storeTypes, transportNames };
}
