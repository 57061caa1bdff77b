/** What validation needs to know about the loaded plugins. */
import type { StoreProvider } from '../store/StoreProvider.js';
import type { TransportProvider } from '../transport/Transport.js';
import type { PluginRef } from './Declaration.js';
import type { FieldPath } from './DeclarationSource.js';

export interface ProviderLookup {
  store(type: string): StoreProvider | undefined;
  transport(name: string): TransportProvider | undefined;
  storeTypes(): readonly string[];
  transportNames(): readonly string[];
}

/** A problem loading one `plugins:` entry; `path` is relative to that entry (e.g. ['options', 'x']). */
export interface PluginLoadProblem {
  readonly path: FieldPath;
  readonly message: string;
}

/** Loads (once) the plugin a declaration lists and applies it to the host. */
export type LoadDeclaredPlugin = (ref: PluginRef, baseDir: string) => Promise<PluginLoadProblem[]>;
