/** config.schema.json, read once from the lunhost package root. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { lunhostRoot } from '../host/packageInfo.js';
import type { JsonSchemaObject } from '../plugin/JsonSchema.js';

let cached: JsonSchemaObject | null = null;

export function configSchema(): JsonSchemaObject {
  cached ??= JSON.parse(readFileSync(path.join(lunhostRoot(), 'config.schema.json'), 'utf8')) as JsonSchemaObject;
  return cached;
}

/** The common LUN fields ($defs.lun), which every store's own fields are added to. */
export function commonLunSchema(): { properties: Record<string, unknown>; required: string[] } {
  const lun = ((configSchema().$defs ?? {}) as Record<string, JsonSchemaObject>).lun!;
  return { properties: { ...(lun.properties ?? {}) }, required: [...(lun.required ?? [])] };
}
