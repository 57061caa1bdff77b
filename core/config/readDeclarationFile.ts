/**
 * Finds and reads the declaration with cosmiconfig: targets.yaml (or .yml,
 * .json), lunhost.config.{yaml,yml,json,js,mjs,cjs}, or the `lunhost` key of
 * package.json, in the working directory; `--config PATH` wins. YAML and JSON
 * go through our own loader so positions survive for error messages.
 */
import path from 'node:path';
import { cosmiconfig, type Loader } from 'cosmiconfig';
import { ConfigError, type ConfigIssue } from './ConfigError.js';
import { parseYamlSource, plainSource, type DeclarationSource } from './DeclarationSource.js';

export const SEARCH_PLACES = [
  'targets.yaml', 'targets.yml', 'targets.json',
  'lunhost.config.yaml', 'lunhost.config.yml', 'lunhost.config.json',
  'lunhost.config.js', 'lunhost.config.mjs', 'lunhost.config.cjs',
  'package.json',
];

/** Thrown by the loader so a syntax error keeps its positions through cosmiconfig. */
class SyntaxIssues extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map((i) => i.message).join('; '));
  }
}

export async function readDeclarationFile(options: { configPath?: string | null; cwd?: string }): Promise<DeclarationSource> {
  const cwd = options.cwd ?? process.cwd();
  const sources = new Map<string, DeclarationSource>();
  const yamlLoader: Loader = (filepath, content) => {
    const prefix = path.basename(filepath) === 'package.json' ? ['lunhost'] : [];
    const parsed = parseYamlSource(filepath, content, prefix);
    if (Array.isArray(parsed)) {
      if (path.extname(filepath) === '.json') return jsonFallback(filepath, content, prefix, sources);
      throw new SyntaxIssues(parsed);
    }
    sources.set(filepath, parsed);
    // cosmiconfig takes the `lunhost` key of package.json itself.
    return prefix.length ? { lunhost: parsed.data } : parsed.data;
  };
  const explorer = cosmiconfig('lunhost', {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'none',
    // An empty targets.yaml is reported as empty, not skipped.
    ignoreEmptySearchPlaces: false,
    cache: false,
    loaders: { '.yaml': yamlLoader, '.yml': yamlLoader, '.json': yamlLoader, noExt: yamlLoader },
  });
  let result;
  const target = options.configPath ? path.resolve(cwd, options.configPath) : null;
  try {
    result = target ? await explorer.load(target) : await explorer.search(cwd);
  } catch (err) {
    if (err instanceof SyntaxIssues) throw new ConfigError(err.issues);
    const e = err as NodeJS.ErrnoException;
    const file = target ?? (e as { filepath?: string }).filepath ?? null;
    if (e.code === 'ENOENT') throw new ConfigError([{ file, line: 0, column: 0, field: '', message: 'file not found; check the path given to --config' }]);
    throw new ConfigError([{ file, line: 0, column: 0, field: '', message: `cannot load: ${e.message}` }]);
  }
  if (!result) {
    throw new ConfigError([{
      file: cwd, line: 0, column: 0, field: '',
      message: `no declaration found (looked for ${SEARCH_PLACES.join(', ')} with a "lunhost" key); create targets.yaml or pass --config PATH`,
    }]);
  }
  if (result.isEmpty) {
    throw new ConfigError([{ file: result.filepath, line: 0, column: 0, field: '', message: 'the file is empty; declare at least portals: and targets: (see README.md)' }]);
  }
  return sources.get(result.filepath) ?? plainSource(result.filepath, result.config);
}

function jsonFallback(filepath: string, content: string, prefix: string[], sources: Map<string, DeclarationSource>): unknown {
  try {
    const data = JSON.parse(content) as unknown;
    const inner = prefix.length ? (data as Record<string, unknown>)[prefix[0]!] : data;
    sources.set(filepath, plainSource(filepath, inner));
    return data;
  } catch (err) {
    throw new SyntaxIssues([{ file: filepath, line: 0, column: 0, field: '', message: `JSON syntax error: ${(err as Error).message}` }]);
  }
}

