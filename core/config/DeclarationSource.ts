/**
 * The raw declaration as read from a file, plus a way back from a field path
 * (['targets', 0, 'luns', 1, 'size']) to the line and column it was written
 * at, so every validation message can point into the file.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { ConfigIssue } from './ConfigError.js';

export type FieldPath = readonly (string | number)[];

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface DeclarationSource {
  /** Absolute path of the file, or null. */
  readonly file: string | null;
  /** The parsed content (plain JS values). */
  readonly data: unknown;
  /** Where the value at `path` (or its key) is; the nearest existing ancestor when it is missing. */
  locate(path: FieldPath, which?: 'value' | 'key'): Position;
}

const NOWHERE: Position = { line: 0, column: 0 };

/** A source without positions (declarations built in code, .js config files). */
export function plainSource(file: string | null, data: unknown): DeclarationSource {
  return { file, data, locate: () => NOWHERE };
}

/**
 * Parse YAML (or JSON, which is YAML) text. Syntax errors are returned as
 * issues with their position instead of a source.
 * `prefix` is where the declaration lives inside the document (['lunhost'] in package.json).
 */
export function parseYamlSource(file: string, text: string, prefix: FieldPath = []): DeclarationSource | ConfigIssue[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return { file, line: pos.line, column: pos.col, field: '', message: `YAML syntax error: ${firstLine(e.message)}` };
    });
  }
  const full = doc.toJS({ maxAliasCount: 100 }) as unknown;
  const data = prefix.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), full);
  const locate = (path: FieldPath, which: 'value' | 'key' = 'value'): Position => {
    const offset = findOffset(doc, [...prefix, ...path], which);
    if (offset === null) return NOWHERE;
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  return { file, data, locate };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

function findOffset(doc: Document, path: FieldPath, which: 'value' | 'key'): number | null {
  let node: unknown = doc.contents;
  let best: number | null = rangeStart(node);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (!pair) return best;
      const keyStart = rangeStart(pair.key);
      if (last && which === 'key') return keyStart ?? best;
      node = pair.value;
      best = rangeStart(node) ?? keyStart ?? best;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      if (node === undefined) return best;
      best = rangeStart(node) ?? best;
    } else {
      return best;
    }
  }
  return best;
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

function rangeStart(node: unknown): number | null {
  const range = (node as YamlNode | null | undefined)?.range;
  return range ? range[0] : null;
}
