/**
 * Raw declaration → Declaration. Checks, in one pass that collects every
 * problem: the shape (config.schema.json), the plugins it lists (loaded here,
 * so their store types and option schemas count), each LUN against the common
 * LUN fields plus its store's schema, portal and target options against the
 * transports' schemas, names, sizes, secrets, and cross references
 * (duplicates, unknown portals). Throws a ConfigError listing them all, each
 * with file, line and field.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { JsonSchemaObject } from '../plugin/JsonSchema.js';
import { parseRange } from '../host/BindingMatcher.js';
import { ConfigError, type ConfigIssue } from './ConfigError.js';
import type {
  AuthDecl, BindingDecl, Declaration, LunDecl, PluginRef, PortalDecl, TargetDecl,
} from './Declaration.js';
import type { DeclarationSource, FieldPath } from './DeclarationSource.js';
import { checkIscsiName } from './iscsiName.js';
import { commonLunSchema, configSchema } from './loadSchema.js';
import { parseListen } from './parseListen.js';
import { formatSize, parseSize } from './parseSize.js';
import type { LoadDeclaredPlugin, ProviderLookup } from './ProviderLookup.js';
import { resolveChap, type RawChap } from './resolveChap.js';
import { findChapSecretReuse, type AuthSite } from './chapSecretReuse.js';
import { createAjv, fieldName, schemaIssues } from './schemaIssues.js';

/** Seconds between periodic size re-reads when the declaration does not say (nebd/sheep round trips are cheap). */
export const DEFAULT_SIZE_CHECK_INTERVAL = 60;

export interface ValidateContext {
  readonly providers: ProviderLookup;
  /** Loads a `plugins:` entry; without it, declared plugins must already be loaded. */
  readonly loadPlugin?: LoadDeclaredPlugin;
  readonly env?: NodeJS.ProcessEnv;
  /** Default: the file's directory, or the working directory. */
  readonly baseDir?: string;
}

export interface ValidatedDeclaration {
  readonly declaration: Declaration;
  /** Accepted but worth saying (inline secrets, non-RFC names). */
  readonly warnings: readonly ConfigIssue[];
}

export const DEFAULT_TRANSPORT = 'iscsi-tcp';
export const DEFAULT_LISTEN = '0.0.0.0:3260';

type Raw = Record<string, unknown>;

const isObj = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export async function validateDeclaration(source: DeclarationSource, ctx: ValidateContext): Promise<ValidatedDeclaration> {
  const v = new Validator(source, ctx);
  const declaration = await v.run();
  if (v.issues.length > 0 || !declaration) throw new ConfigError(v.issues);
  return { declaration, warnings: v.warnings };
}

/** Schemas compiled once per schema object (plugin schemas are long-lived). */
const compiled = new WeakMap<object, ValidateFunction>();
const ajv = createAjv();

function compile(schema: object): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

let baseSchema: object | null = null;
/** config.schema.json with LUN items left open: each LUN is checked with its store's composed schema. */
function baseValidator(): ValidateFunction {
  if (!baseSchema) {
    const s = structuredClone(configSchema()) as { $defs: Record<string, unknown> };
    s.$defs.lun = { type: 'object' };
    baseSchema = s;
  }
  return compile(baseSchema);
}

/** Common LUN fields + the store's fields, nothing else (a typo is an error). */
const lunSchemas = new WeakMap<object, object>();
function lunSchemaFor(storeSchema: JsonSchemaObject | null): object {
  const key = storeSchema ?? lunSchemas;
  let s = lunSchemas.get(key);
  if (!s) {
    const common = commonLunSchema();
    const own = storeSchema ?? {};
    s = {
      ...own,
      type: 'object',
      properties: { ...(own.properties ?? {}), ...common.properties },
      required: [...new Set([...common.required, ...(own.required ?? [])])],
      // Unknown store: only the common fields can be checked.
      additionalProperties: storeSchema !== null ? false : true,
    };
    lunSchemas.set(key, s);
  }
  return s;
}

/** Properties of several transports' target option schemas, together. */
function mergedOptionsSchema(schemas: readonly JsonSchemaObject[]): object {
  const properties: Record<string, unknown> = {};
  for (const s of schemas) for (const [k, p] of Object.entries(s.properties ?? {})) properties[k] ??= p;
  return { type: 'object', properties, additionalProperties: false };
}

class Validator {
  readonly issues: ConfigIssue[] = [];
  readonly warnings: ConfigIssue[] = [];
  /** Every auth block read, for the declaration-wide CHAP secret check. */
  private readonly authSites: AuthSite[] = [];
  private readonly baseDir: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly source: DeclarationSource, private readonly ctx: ValidateContext) {
    this.baseDir = ctx.baseDir ?? (source.file ? path.dirname(source.file) : process.cwd());
    this.env = ctx.env ?? process.env;
  }

  private at(p: FieldPath, message: string, which: 'value' | 'key' = 'value'): ConfigIssue {
    const pos = this.source.locate(p, which);
    return { file: this.source.file, line: pos.line, column: pos.column, field: fieldName(p), message };
  }
  private error(p: FieldPath, message: string, which: 'value' | 'key' = 'value'): void {
    this.issues.push(this.at(p, message, which));
  }
  private warn(p: FieldPath, message: string): void {
    this.warnings.push(this.at(p, message));
  }

  async run(): Promise<Declaration | null> {
    const data = this.source.data;
    if (!isObj(data)) {
      this.error([], 'the declaration must be a mapping with portals:, targets: and so on (see README.md)');
      return null;
    }
    this.issues.push(...schemaIssues(baseValidator(), data, this.source, []));
    const plugins = await this.plugins(data.plugins);
    const portals = this.portals(data.portals);
    const targets = this.targets(data.targets, portals);
    const discoveryAuth = isObj(data.discovery) && isObj(data.discovery.auth) ? this.auth(data.discovery.auth, ['discovery', 'auth']) : null;
    for (const reuse of findChapSecretReuse(this.authSites)) this.error(reuse.path, reuse.message, 'key');
    const stateDir = path.resolve(this.baseDir, str(data.stateDir) ?? 'state');
    const management = isObj(data.management) && typeof data.management.socket === 'string' ? { socket: data.management.socket } : null;
    const level = str(data.logLevel);
    const logLevel = level === 'debug' || level === 'warn' || level === 'error' ? level : 'info';
    return {
      file: this.source.file, baseDir: this.baseDir, plugins, portals, targets, discoveryAuth, stateDir, management, logLevel,
      sizeCheckInterval: typeof data.sizeCheckInterval === 'number' ? data.sizeCheckInterval : DEFAULT_SIZE_CHECK_INTERVAL,
    };
  }

  private async plugins(raw: unknown): Promise<PluginRef[]> {
    const refs: PluginRef[] = [];
    for (const [i, entry] of list(raw).entries()) {
      let ref: PluginRef;
      if (typeof entry === 'string' && entry !== '') ref = { package: entry, options: {} };
      else if (isObj(entry) && typeof entry.package === 'string' && entry.package !== '') {
        ref = { package: entry.package, options: isObj(entry.options) ? entry.options : {} };
      } else continue; // the schema already reported it
      refs.push(ref);
      if (this.ctx.loadPlugin) {
        for (const problem of await this.ctx.loadPlugin(ref, this.baseDir)) {
          const base: FieldPath = typeof entry === 'string' || problem.path.length === 0 ? ['plugins', i] : ['plugins', i, ...problem.path];
          this.error(base, problem.message);
        }
      }
    }
    return refs;
  }

  private portals(raw: unknown): PortalDecl[] {
    const out: PortalDecl[] = [];
    const names = new Map<string, number>();
    const addresses = new Map<string, number>();
    const entries = raw === undefined ? [{ listen: DEFAULT_LISTEN }] : list(raw);
    for (const [i, p] of entries.entries()) {
      if (!isObj(p) || typeof p.listen !== 'string') continue;
      const here: FieldPath = ['portals', i];
      const transportName = str(p.transport) ?? DEFAULT_TRANSPORT;
      const provider = this.ctx.providers.transport(transportName);
      if (!provider) {
        const known = this.ctx.providers.transportNames();
        this.error(p.transport === undefined ? [...here, 'listen'] : [...here, 'transport'],
          `no plugin provides transport '${transportName}'${known.length ? ` (available: ${known.join(', ')})` : ''}; add the plugin that does to plugins:, e.g. plugins: [lunhost-transport-${transportName}]`);
      } else if (isObj(p.options)) {
        this.issues.push(...schemaIssues(compile(provider.optionsSchema), p.options, this.source, [...here, 'options']));
      }
      const listen = parseListen(p.listen, provider?.defaultPort ?? 3260);
      if (listen instanceof Error) {
        this.error([...here, 'listen'], listen.message);
        continue;
      }
      const name = str(p.name) ?? p.listen;
      const prevName = names.get(name);
      if (prevName !== undefined) this.error(p.name === undefined ? [...here, 'listen'] : [...here, 'name'], `portal name '${name}' is already used by portals[${prevName}]; give each portal its own name`);
      else names.set(name, i);
      const addressKey = `${transportName} ${listen.host} ${listen.port}`;
      const prevAddr = addresses.get(addressKey);
      if (prevAddr !== undefined && listen.port !== 0) this.error([...here, 'listen'], `portals[${prevAddr}] already listens on ${p.listen} (${transportName})`);
      else addresses.set(addressKey, i);
      const portalGroupTag = typeof p.portalGroupTag === 'number' ? p.portalGroupTag : 1;
      out.push({ name, transport: transportName, host: listen.host, port: listen.port, portalGroupTag, options: isObj(p.options) ? p.options : {} });
    }
    return out;
  }

  private targets(raw: unknown, portals: readonly PortalDecl[]): TargetDecl[] {
    const out: TargetDecl[] = [];
    const names = new Map<string, number>();
    for (const [i, t] of list(raw).entries()) {
      if (!isObj(t)) continue;
      const here: FieldPath = ['targets', i];
      const name = str(t.iqn);
      if (name !== null) {
        const check = checkIscsiName(name);
        if (check.error) this.error([...here, 'iqn'], check.error);
        if (check.warning) this.warn([...here, 'iqn'], check.warning);
        const key = name.toLowerCase();
        const prev = names.get(key);
        if (prev !== undefined) this.error([...here, 'iqn'], `target '${name}' is already declared at targets[${prev}]; merge their LUNs into one target`);
        else names.set(key, i);
      }
      const portalNames = this.targetPortals(t.portals, portals, here);
      const bindings = this.bindings(t.bindings, here);
      const auth = isObj(t.auth) ? this.auth(t.auth, [...here, 'auth']) : null;
      const options = isObj(t.options) ? t.options : {};
      if (isObj(t.options)) this.targetOptions(t.options, portalNames, portals, [...here, 'options']);
      const luns = this.luns(t.luns, name ?? '', here);
      if (name === null) continue;
      out.push({ name, alias: str(t.alias), portals: portalNames, bindings, auth, options, luns, where: fieldName(here) });
    }
    return out;
  }

  private targetPortals(raw: unknown, portals: readonly PortalDecl[], here: FieldPath): string[] {
    if (raw === undefined) return portals.map((p) => p.name);
    const out: string[] = [];
    for (const [j, n] of list(raw).entries()) {
      if (typeof n !== 'string') continue;
      if (!portals.some((p) => p.name === n)) {
        this.error([...here, 'portals', j], `no portal named '${n}' (declared: ${portals.map((p) => p.name).join(', ') || 'none'})`);
      } else out.push(n);
    }
    return out;
  }

  private bindings(raw: unknown, here: FieldPath): BindingDecl[] {
    const out: BindingDecl[] = [];
    for (const [j, b] of list(raw).entries()) {
      if (b === 'ALL') out.push({ kind: 'all' });
      else if (isObj(b)) {
        const initiator = str(b.initiator);
        const address = str(b.address);
        if (address !== null && parseRange(address) === null) {
          this.error([...here, 'bindings', j, 'address'], `'${address}' is not an IP address or CIDR (e.g. 192.168.1.0/24, 2001:db8::/32)`);
        }
        if (initiator !== null || address !== null) out.push({ kind: 'match', initiator, address });
      }
    }
    return out;
  }

  private auth(raw: Raw, here: FieldPath): AuthDecl | null {
    const one = (key: 'chap' | 'mutualChap') => {
      const c = raw[key];
      if (!isObj(c) || typeof c.username !== 'string') return null;
      const r = resolveChap(c as unknown as RawChap, this.baseDir, this.env);
      if (!r.ok) {
        this.error(r.field ? [...here, key, r.field] : [...here, key], r.message);
        return null;
      }
      if (r.warning) this.warn([...here, key, 'secret'], r.warning);
      return r.chap;
    };
    const chap = one('chap');
    const mutualChap = one('mutualChap');
    if (raw.mutualChap !== undefined && raw.chap === undefined) {
      this.error([...here, 'mutualChap'], 'mutualChap needs chap too: the target only proves itself after the initiator did (RFC 7143 12.1.3)', 'key');
    }
    if (chap && mutualChap && chap.secret === mutualChap.secret) {
      this.error([...here, 'mutualChap'], 'mutualChap must use a different secret than chap (RFC 7143 12.1.3)', 'key');
    }
    const auth = chap || mutualChap ? { chap, mutualChap } : null;
    this.authSites.push({ path: here, auth });
    return auth;
  }

  private targetOptions(options: Raw, portalNames: readonly string[], portals: readonly PortalDecl[], here: FieldPath): void {
    const schemas: JsonSchemaObject[] = [];
    for (const t of new Set(portals.filter((p) => portalNames.includes(p.name)).map((p) => p.transport))) {
      const provider = this.ctx.providers.transport(t);
      if (provider) schemas.push(provider.targetOptionsSchema);
    }
    this.issues.push(...schemaIssues(compile(mergedOptionsSchema(schemas)), options, this.source, here));
  }

  private luns(raw: unknown, targetName: string, targetPath: FieldPath): LunDecl[] {
    const out: LunDecl[] = [];
    const numbers = new Map<number, number>();
    for (const [j, l] of list(raw).entries()) {
      if (!isObj(l)) continue;
      const here: FieldPath = [...targetPath, 'luns', j];
      const store = str(l.store);
      const provider = store !== null ? this.ctx.providers.store(store) : undefined;
      if (store !== null && !provider) {
        const known = this.ctx.providers.storeTypes();
        this.error([...here, 'store'], `no plugin provides store type '${store}'${known.length ? ` (available: ${known.join(', ')})` : ''}; add the plugin that does to plugins: and install it, e.g. plugins: [lunhost-store-${store}]`);
      }
      this.issues.push(...schemaIssues(compile(lunSchemaFor(provider?.optionsSchema ?? null)), l, this.source, here));
      if (typeof l.lun !== 'number' || store === null) continue;
      const prev = numbers.get(l.lun);
      if (prev !== undefined) this.error([...here, 'lun'], `LUN ${l.lun} is already declared at luns[${prev}] of this target; LUN numbers must be unique per target`);
      else numbers.set(l.lun, j);
      const blockSize = l.blockSize === 4096 ? 4096 : 512;
      const size = this.size(l.size, provider?.defaultSize ?? null, blockSize, [...here, 'size']);
      const options: Record<string, unknown> = {};
      const common = commonLunSchema().properties;
      for (const [k, val] of Object.entries(l)) if (!(k in common)) options[k] = val;
      out.push({
        lun: l.lun,
        store,
        size,
        readOnly: l.readOnly === true,
        allowShrink: l.allowShrink === true,
        blockSize,
        physicalBlockSize: typeof l.physicalBlockSize === 'number' ? l.physicalBlockSize : null,
        removable: l.removable === true,
        allowSanitize: l.allowSanitize === true,
        serial: str(l.serial) ?? defaultSerial(targetName, l.lun),
        options,
        where: fieldName(here),
      });
    }
    return out;
  }

  private size(raw: unknown, fallback: number | 'auto' | null, blockSize: number, here: FieldPath): number | 'auto' | null {
    if (raw === undefined) return fallback;
    if (raw === 'auto') return 'auto';
    if (typeof raw !== 'string' && typeof raw !== 'number') return null;
    const bytes = parseSize(raw);
    if (bytes instanceof Error) {
      // The schema's pattern may have said it already.
      if (!this.issues.some((i) => i.field === fieldName(here))) this.error(here, bytes.message);
      return null;
    }
    if (bytes % blockSize !== 0) {
      this.error(here, `${formatSize(bytes)} is not a multiple of the block size ${blockSize}`);
      return null;
    }
    return bytes;
  }
}

/** VPD 0x80 serial when none is declared: stable for the same target and LUN. */
export function defaultSerial(targetName: string, lun: number): string {
  return createHash('sha256').update(`${targetName.toLowerCase()}\0${lun}`).digest('hex').slice(0, 16);
}
