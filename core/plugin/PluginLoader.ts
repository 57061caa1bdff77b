/**
 * Loads plugins and applies them to the host: the built-ins, then the ones a
 * declaration lists by npm package name (resolved from the declaration's
 * directory, as `node` would from there) or by relative path. A plugin is the
 * module's default export (or the module itself): { name, apply, optionsSchema? }.
 * Each is applied once per process; a reload listing it again reuses it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PluginRef } from '../config/Declaration.js';
import type { PluginLoadProblem } from '../config/ProviderLookup.js';
import { createAjv, fieldName } from '../config/schemaIssues.js';
import type { HostHooks } from '../host/HostHooks.js';
import type { Logger } from '../log/Logger.js';
import { BUILTIN_PLUGINS, builtinPluginUrl } from './builtinPlugins.js';
import type { LunhostPlugin, PluginHost } from './Plugin.js';

export class PluginLoader {
  /** Resolved module path → plugin name, for plugins already applied. */
  private readonly applied = new Map<string, string>();
  private readonly ajv = createAjv();

  constructor(private readonly hooks: HostHooks, private readonly log: Logger, private readonly version: string) {}

  /** Names of the plugins applied so far. */
  names(): string[] {
    return [...this.applied.values()];
  }

  /** Apply every built-in plugin present in this installation (failures are logged, not thrown). */
  async loadBuiltins(): Promise<void> {
    for (const entry of BUILTIN_PLUGINS) {
      const url = builtinPluginUrl(entry);
      const file = fileURLToPath(url);
      // Built-ins not present in this build (not written yet, or left out) are skipped.
      if (!existsSync(file)) {
        this.log.debug('built-in plugin not present, skipped', { module: file });
        continue;
      }
      const problems = await this.loadResolved(file, path.basename(path.dirname(file)), {});
      // One broken built-in must not take the others down: what it provides is
      // then unknown, and a declaration using it is refused with that name.
      for (const p of problems) this.log.error(`built-in plugin ${path.basename(path.dirname(file))} is unavailable: ${p.message}`);
    }
  }

  /** Load one `plugins:` entry; returns what went wrong (empty when it is applied). */
  async load(ref: PluginRef, baseDir: string): Promise<PluginLoadProblem[]> {
    let resolved: string;
    try {
      resolved = resolvePlugin(ref.package, baseDir);
    } catch (err) {
      return [{ path: ['package'], message: resolveMessage(ref.package, baseDir, err) }];
    }
    return this.loadResolved(resolved, ref.package, ref.options);
  }

  /** A plugin object given in code (tests, embedding). */
  async applyPlugin(plugin: LunhostPlugin, options: Readonly<Record<string, unknown>> = {}): Promise<PluginLoadProblem[]> {
    return this.applyChecked(plugin, plugin.name, options, `inline:${plugin.name}`);
  }

  private async loadResolved(file: string, label: string, options: Readonly<Record<string, unknown>>): Promise<PluginLoadProblem[]> {
    if (this.applied.has(file)) return [];
    let mod: unknown;
    try {
      mod = await import(pathToFileURL(file).href);
    } catch (err) {
      return [{ path: ['package'], message: `plugin '${label}' (${file}) failed to load: ${(err as Error).message}` }];
    }
    const plugin = pluginOf(mod);
    if (!plugin) {
      return [{ path: ['package'], message: `'${label}' (${file}) is not a lunhost plugin: its default export must be an object { name, apply(host, options) }` }];
    }
    return this.applyChecked(plugin, label, options, file);
  }

  private async applyChecked(plugin: LunhostPlugin, label: string, options: Readonly<Record<string, unknown>>, key: string): Promise<PluginLoadProblem[]> {
    if (this.applied.has(key)) return [];
    if (plugin.optionsSchema) {
      const validate = this.ajv.compile(plugin.optionsSchema);
      if (!validate(options)) {
        return (validate.errors ?? []).map((e) => {
          const rel = e.instancePath.split('/').filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
          const extra = e.keyword === 'additionalProperties' ? [String((e.params as { additionalProperty: string }).additionalProperty)] : [];
          const p = ['options', ...rel, ...extra];
          return { path: p, message: `plugin '${plugin.name}' option ${fieldName(p.slice(1)) || '(options)'}: ${e.keyword === 'additionalProperties' ? 'unknown option' : e.message ?? 'is invalid'}` };
        });
      }
    }
    const host: PluginHost = { hooks: this.hooks, log: this.log.child({ plugin: plugin.name }), version: this.version };
    try {
      await plugin.apply(host, options);
    } catch (err) {
      return [{ path: ['package'], message: `plugin '${plugin.name}' (${label}) failed while applying: ${(err as Error).message}` }];
    }
    this.applied.set(key, plugin.name);
    this.log.debug('plugin applied', { plugin: plugin.name, from: key });
    return [];
  }
}

function isPlugin(v: unknown): v is LunhostPlugin {
  return v !== null && typeof v === 'object' && typeof (v as LunhostPlugin).name === 'string' && typeof (v as LunhostPlugin).apply === 'function';
}

/** The default export, the module itself, or a CommonJS module's doubled default. */
function pluginOf(mod: unknown): LunhostPlugin | null {
  const m = mod as { default?: unknown };
  if (isPlugin(m.default)) return m.default;
  if (isPlugin((m.default as { default?: unknown } | undefined)?.default)) return (m.default as { default: LunhostPlugin }).default;
  if (isPlugin(mod)) return mod;
  return null;
}

function isPathLike(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..' || path.isAbsolute(spec);
}

/** npm package names resolve from the declaration's directory; paths are relative to it. */
export function resolvePlugin(spec: string, baseDir: string): string {
  const req = createRequire(path.join(baseDir, '__lunhost_resolve__.js'));
  return req.resolve(isPathLike(spec) ? path.resolve(baseDir, spec) : spec);
}

function resolveMessage(spec: string, baseDir: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (isPathLike(spec)) {
    return `cannot find plugin '${spec}' (looked for ${path.resolve(baseDir, spec)}, as a file or a folder with package.json/index.js); fix the path, which is relative to the declaration`;
  }
  if (code === 'MODULE_NOT_FOUND') {
    return `cannot find plugin package '${spec}' from ${baseDir}; install it there (npm install ${spec}) or fix the name`;
  }
  return `cannot resolve plugin package '${spec}' from ${baseDir}: ${(err as Error).message}`;
}
