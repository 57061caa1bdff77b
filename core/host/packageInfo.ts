/**
 * Where lunhost itself is installed (the package root holding package.json
 * and config.schema.json), found from this module's location so it works
 * from dist/ and from an npm install alike.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: { root: string; version: string } | null = null;

function find(): { root: string; version: string } {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      const json = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
      if (json.name === 'lunhost') return (cached = { root: dir, version: json.version ?? '0.0.0' });
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the lunhost package root (package.json named "lunhost") above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export function lunhostRoot(): string {
  return find().root;
}

export function lunhostVersion(): string {
  return find().version;
}
