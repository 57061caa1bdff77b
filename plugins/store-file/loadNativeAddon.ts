/**
 * Loads one of the store's N-API addons from ./native/build/Release (built by
 * `npm ci`'s install script), once. Returns an Error saying why when it is
 * missing, so each caller decides whether to warn or quietly fall back.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

// dist/plugins/store-file/loadNativeAddon.js → plugins/store-file/native/build/Release
const RELEASE = join(fileURLToPath(new URL('.', import.meta.url)), '../../../plugins/store-file/native/build/Release');

const loaded = new Map<string, unknown>();

export function loadNativeAddon<T>(name: string): T | Error {
  if (!loaded.has(name)) {
    const path = join(RELEASE, `${name}.node`);
    try {
      loaded.set(name, createRequire(import.meta.url)(path));
    } catch (err) {
      loaded.set(name, new Error(`the ${name} addon is not built (${path}): run \`npm ci\` or \`npm run install\`; ${(err as Error).message}`));
    }
  }
  return loaded.get(name) as T | Error;
}
