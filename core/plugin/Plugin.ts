/**
 * The plugin API. A plugin is `{ name, apply(host, options) }` — an object, or
 * the default export of an npm package — the pattern webpack made familiar.
 * It registers what it provides through tapable hooks on `host.hooks`.
 */
import type { Logger } from '../log/Logger.js';
import type { HostHooks } from '../host/HostHooks.js';

export interface PluginHost {
  readonly hooks: HostHooks;
  /** Logger scoped to the plugin being applied. */
  readonly log: Logger;
  /** lunhost version, for plugins that check compatibility. */
  readonly version: string;
}

export interface LunhostPlugin {
  readonly name: string;
  /** JSON Schema of the options given under `plugins:` in the declaration. */
  readonly optionsSchema?: import('./JsonSchema.js').JsonSchemaObject;
  apply(host: PluginHost, options: Readonly<Record<string, unknown>>): void | Promise<void>;
}
