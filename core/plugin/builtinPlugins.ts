/**
 * The plugins every lunhost loads. Adding a built-in is one line here. Each
 * entry is the plugin folder's index module (its default export is the plugin
 * object), resolved relative to this file so it works from dist/.
 */
export const BUILTIN_PLUGINS: readonly string[] = [
  '../../plugins/store-file/index.js',
  '../../plugins/transport-iscsi-tcp/index.js',
  '../../plugins/transport-iser/index.js',
  '../../plugins/store-sheepdog/index.js',
  '../../plugins/store-curve/index.js',
];

/** Absolute URL of a built-in plugin module. */
export function builtinPluginUrl(entry: string): URL {
  return new URL(entry, import.meta.url);
}
