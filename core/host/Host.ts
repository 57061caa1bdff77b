/**
 * The host: hooks, plugins, the declaration, and what runs. Start-up is
 * load → plan(declaration, nothing running) → apply; reload is the same
 * against what runs; stop closes transports, then LUNs and stores.
 */
import { mkdir } from 'node:fs/promises';
import type { Declaration } from '../config/Declaration.js';
import type { DeclarationSource } from '../config/DeclarationSource.js';
import type { ProviderLookup } from '../config/ProviderLookup.js';
import { readDeclarationFile } from '../config/readDeclarationFile.js';
import { validateDeclaration, type ValidatedDeclaration } from '../config/validateDeclaration.js';
import { formatIssue } from '../config/ConfigError.js';
import { createLogger, type RootLogger } from '../log/createLogger.js';
import { applyPlan, type ApplyReport } from '../plan/applyPlan.js';
import type { Plan } from '../plan/Plan.js';
import { planChanges } from '../plan/planChanges.js';
import { EMPTY_RUNNING_VIEW } from '../plan/RunningView.js';
import type { LunhostPlugin } from '../plugin/Plugin.js';
import { PluginLoader } from '../plugin/PluginLoader.js';
import { hookProviders } from './hookProviders.js';
import { createHostHooks, type HostHooks } from './HostHooks.js';
import { lunhostVersion } from './packageInfo.js';
import { RunningState } from './RunningState.js';
import { loadScsiTargetFactory } from './scsiTargetFactory.js';
import type { CreateScsiTarget } from './ScsiTargetHandle.js';

export interface HostOptions {
  /** --config PATH; otherwise cosmiconfig searches `cwd`. */
  readonly configPath?: string | null;
  readonly cwd?: string;
  readonly log?: RootLogger;
  readonly env?: NodeJS.ProcessEnv;
  /** Load the built-in plugins (default true). */
  readonly builtins?: boolean;
  /** Plugin objects applied after the built-ins (embedding, tests). */
  readonly plugins?: readonly LunhostPlugin[];
  /** Default: core/scsi's ScsiTarget. */
  readonly createScsiTarget?: CreateScsiTarget;
}

export interface StartReport extends ApplyReport {
  readonly declaration: Declaration;
  readonly plan: Plan;
  /** Portals that listen now, of those declared. */
  readonly portalsListening: number;
  readonly portalsDeclared: number;
}

export class Host {
  readonly hooks: HostHooks;
  readonly providers: ProviderLookup;
  readonly log: RootLogger;
  readonly state = new RunningState();
  private readonly loader: PluginLoader;
  private declaration: Declaration | null = null;
  private createScsiTarget: CreateScsiTarget | null;
  private stopped = false;

  private constructor(private readonly options: HostOptions) {
    const { hooks, storeTypes, transportNames } = createHostHooks();
    this.hooks = hooks;
    this.providers = hookProviders(hooks, storeTypes, transportNames);
    this.log = options.log ?? createLogger();
    this.loader = new PluginLoader(hooks, this.log, lunhostVersion());
    this.createScsiTarget = options.createScsiTarget ?? null;
  }

  /** A host with its built-in (and given) plugins applied, nothing loaded or running yet. */
  static async create(options: HostOptions = {}): Promise<Host> {
    const host = new Host(options);
    if (options.builtins !== false) await host.loader.loadBuiltins();
    for (const p of options.plugins ?? []) {
      const problems = await host.loader.applyPlugin(p);
      if (problems.length) throw new Error(problems.map((x) => x.message).join('; '));
    }
    return host;
  }

  /** Names of the plugins applied. */
  pluginNames(): string[] {
    return this.loader.names();
  }

  /** The declaration that runs (null before start). */
  current(): Declaration | null {
    return this.declaration;
  }

  /** Read and validate the declaration (loading the plugins it lists). Throws ConfigError. */
  async load(source?: DeclarationSource): Promise<ValidatedDeclaration> {
    const src = source ?? await readDeclarationFile({ configPath: this.options.configPath ?? null, cwd: this.options.cwd ?? process.cwd() });
    const result = await validateDeclaration(src, {
      providers: this.providers,
      loadPlugin: (ref, baseDir) => this.loader.load(ref, baseDir),
      ...(this.options.env ? { env: this.options.env } : {}),
    });
    for (const w of result.warnings) this.log.warn(formatIssue(w));
    this.hooks.configLoaded.call(result.declaration);
    return result;
  }

  /** Load, plan against nothing, apply. Throws ConfigError before anything listens. */
  async start(source?: DeclarationSource): Promise<StartReport> {
    const { declaration } = await this.load(source);
    this.log.setLevel(declaration.logLevel);
    await mkdir(declaration.stateDir, { recursive: true });
    const plan = planChanges(declaration, EMPTY_RUNNING_VIEW);
    const report = await this.apply(declaration, plan);
    return { ...report, declaration, plan, portalsListening: this.state.portals.size, portalsDeclared: declaration.portals.length };
  }

  /**
   * Re-read the declaration and apply the difference. An invalid declaration
   * changes nothing (ConfigError is thrown; the old configuration keeps serving).
   */
  async reload(source?: DeclarationSource): Promise<ApplyReport & { plan: Plan }> {
    const { declaration } = await this.load(source);
    this.log.setLevel(declaration.logLevel);
    await mkdir(declaration.stateDir, { recursive: true });
    const plan = planChanges(declaration, this.state.view());
    return { ...(await this.apply(declaration, plan)), plan };
  }

  private async apply(declaration: Declaration, plan: Plan): Promise<ApplyReport> {
    this.createScsiTarget ??= await loadScsiTargetFactory();
    const report = await applyPlan(plan, this.state, {
      declaration, providers: this.providers, hooks: this.hooks, log: this.log, createScsiTarget: this.createScsiTarget,
    });
    this.declaration = declaration;
    return report;
  }

  /** Stop listening, let initiators log out (up to graceMs), then detach LUNs and close stores. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.hooks.shutdown.promise().catch((err: unknown) => this.log.warn('a shutdown hook failed', { err }));
    await Promise.all([...this.state.transports.entries()].map(([name, t]) =>
      t.close(graceMs).catch((err: unknown) => this.log.warn(`transport ${name}: close failed`, { err }))));
    this.state.transports.clear();
    this.state.portals.clear();
    for (const t of this.state.targets.values()) {
      for (const lun of t.luns.values()) {
        try { await t.scsi.detachLun(lun.decl.lun); } catch (err) { this.log.warn('detach failed', { target: t.decl.name, lun: lun.decl.lun, err }); }
        try { await lun.store.close(); } catch (err) { this.log.warn('closing a store failed', { target: t.decl.name, lun: lun.decl.lun, err }); }
      }
      t.luns.clear();
    }
    this.state.targets.clear();
    this.log.info('stopped');
  }
}
