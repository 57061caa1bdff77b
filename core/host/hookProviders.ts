/** The ProviderLookup validation and apply use, read from the host's hooks. */
import type { ProviderLookup } from '../config/ProviderLookup.js';
import type { HostHooks } from './HostHooks.js';

export function hookProviders(hooks: HostHooks, storeTypes: ReadonlySet<string>, transportNames: ReadonlySet<string>): ProviderLookup {
  // get(), not for(): for() would create (and register) an empty hook for any name asked about.
  const store = (type: string) => hooks.store.get(type)?.call();
  const transport = (name: string) => hooks.transport.get(name)?.call();
  return {
    store,
    transport,
    storeTypes: () => [...storeTypes].filter((t) => store(t) !== undefined),
    transportNames: () => [...transportNames].filter((n) => transport(n) !== undefined),
  };
}
