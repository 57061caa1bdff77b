/**
 * Runs ajv and turns its errors into ConfigIssues pointing at the YAML line:
 * an unknown field points at its key (with a "did you mean" when close to a
 * known one), everything else at the offending value.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ConfigIssue } from './ConfigError.js';
import type { DeclarationSource, FieldPath } from './DeclarationSource.js';

/** ajv configured the way every lunhost schema is checked. */
export function createAjv(): Ajv {
  // verbose: errors carry parentSchema, for `x-message` and the list of known fields.
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, useDefaults: false });
  ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });
  return ajv;
}

export function fieldName(path: FieldPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

/** Validate `value` (found at `base` in the source) and describe every error. */
export function schemaIssues(validate: ValidateFunction, value: unknown, source: DeclarationSource, base: FieldPath): ConfigIssue[] {
  if (validate(value)) return [];
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const err of narrowAlternatives(validate.errors ?? [])) {
    const issue = toIssue(err, value, source, base);
    if (!issue) continue;
    const key = `${issue.field}\0${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

/**
 * oneOf/anyOf report every branch's complaint. When the value's JSON type
 * picks out one branch (a string vs an object form), keep only that branch's
 * errors; otherwise keep just the oneOf/anyOf error itself.
 */
function narrowAlternatives(errors: readonly ErrorObject[]): ErrorObject[] {
  let out = [...errors];
  for (const alt of errors) {
    if (alt.keyword !== 'oneOf' && alt.keyword !== 'anyOf') continue;
    const branches = ((alt.parentSchema as Record<string, unknown> | undefined)?.[alt.keyword] ?? []) as Array<{ type?: string | string[] }>;
    const type = jsonType(alt.data);
    const matching = branches.map((b, i) => ({ b, i })).filter(({ b }) => b.type !== undefined && ([] as string[]).concat(b.type).some((t) => t === type || (t === 'number' && type === 'integer')));
    const prefix = `${alt.schemaPath}/`;
    const keep = matching.length === 1 ? `${prefix}${matching[0]!.i}/` : null;
    out = out.filter((e) => {
      if (e === alt) return keep === null;
      if (!e.schemaPath.startsWith(prefix)) return true;
      return keep !== null && e.schemaPath.startsWith(keep);
    });
  }
  return out;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function toIssue(err: ErrorObject, root: unknown, source: DeclarationSource, base: FieldPath): ConfigIssue | null {
  // "must match then schema" only repeats the errors inside `then`.
  if (err.keyword === 'if') return null;
  const rel = pointerToPath(err.instancePath, root);
  const path = [...base, ...rel];
  const parent = (err.parentSchema ?? {}) as Record<string, unknown>;
  const custom = typeof parent['x-message'] === 'string' ? parent['x-message'] : null;
  const at = (p: FieldPath, which: 'value' | 'key' = 'value'): Pick<ConfigIssue, 'file' | 'line' | 'column' | 'field'> => {
    const pos = source.locate(p, which);
    return { file: source.file, line: pos.line, column: pos.column, field: fieldName(p) };
  };
  switch (err.keyword) {
    case 'additionalProperties': {
      const name = String((err.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((parent.properties ?? {}) as Record<string, unknown>);
      const close = closest(name, known);
      const hint = close ? `; did you mean '${close}'?` : known.length ? ` (known fields: ${known.join(', ')})` : '';
      return { ...at([...path, name], 'key'), message: `unknown field '${name}'${hint}` };
    }
    case 'required': {
      const name = String((err.params as { missingProperty: string }).missingProperty);
      return { ...at(path), message: `missing required field '${name}'` };
    }
    case 'enum': {
      const allowed = (err.params as { allowedValues: unknown[] }).allowedValues;
      return { ...at(path), message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(err.data)}` };
    }
    case 'type':
    case 'pattern':
    case 'minProperties':
      if (custom) return { ...at(path), message: custom };
      return { ...at(path), message: `${err.message ?? 'is invalid'}${err.keyword === 'type' ? `, got ${describe(err.data)}` : ''}` };
    case 'oneOf':
    case 'anyOf': {
      const passing = (err.params as { passingSchemas?: unknown }).passingSchemas;
      const what = typeof parent.description === 'string' ? `: ${parent.description}` : '';
      return { ...at(path), message: passing ? `matches more than one of the accepted forms${what}` : `does not match any accepted form${what}` };
    }
    default:
      return { ...at(path), message: custom && err.keyword === 'minimum' ? custom : err.message ?? 'is invalid' };
  }
}

function describe(v: unknown): string {
  if (v === null) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** '/targets/0/luns/1' → ['targets', 0, 'luns', 1] (numbers where the data has arrays). */
function pointerToPath(pointer: string, root: unknown): (string | number)[] {
  if (pointer === '') return [];
  const out: (string | number)[] = [];
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      out.push(Number(seg));
      node = node[Number(seg)];
    } else {
      out.push(seg);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

/** A known name within edit distance 2 (typos like 'szie', 'readonly'). */
export function closest(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const k of known) {
    const d = k.toLowerCase() === name.toLowerCase() ? 0 : distance(name, k);
    if (d < bestD) { bestD = d; best = k; }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
