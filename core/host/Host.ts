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
import { describePlan, type PlanFacts } from '../plan/describePlan.js';
import type { Plan } from '../plan/Plan.js';
import { planChanges } from '../plan/planChanges.js';
import type { PlanReport } from '../plan/PlanReport.js';
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
  /** The plan as data, described before it was applied. */
  readonly described: PlanReport;
  /** Portals that listen now, of those declared. */
  readonly portalsListening: number;
  readonly portalsDeclared: number;
}

/** What a reload (or retry) did: the plan, its description, and each action's result. */
export interface AppliedReport extends ApplyReport {
  readonly plan: Plan;
  readonly declaration: Declaration;
  readonly described: PlanReport;
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
    const result = await this.validate(source);
    for (const w of result.warnings) this.log.warn(formatIssue(w));
    this.hooks.configLoaded.call(result.declaration);
    return result;
  }

  private async validate(source?: DeclarationSource): Promise<ValidatedDeclaration> {
    const src = source ?? await readDeclarationFile({ configPath: this.options.configPath ?? null, cwd: this.options.cwd ?? process.cwd() });
    return validateDeclaration(src, {
      providers: this.providers,
      loadPlugin: (ref, baseDir) => this.loader.load(ref, baseDir),
      ...(this.options.env ? { env: this.options.env } : {}),
    });
  }

  /**
   * What a reload with this declaration would do, changing nothing: validate
   * it (`file`, else the declaration this host was started with) and plan it
   * against what runs. Throws ConfigError for an invalid declaration.
   */
  async plan(file: string | null = null): Promise<{ declaration: Declaration; plan: Plan }> {
    const source = file === null ? undefined : await readDeclarationFile({ configPath: file, cwd: this.options.cwd ?? process.cwd() });
    const { declaration } = await this.validate(source);
    return { declaration, plan: this.planAgainst(declaration) };
  }

  /** The one planning step of start-up, reload, retry and `lunhost plan`. */
  planAgainst(declaration: Declaration): Plan {
    return planChanges(declaration, this.state.view());
  }

  /** The facts describePlan() needs: who is logged in now, what runs, how stores read. */
  planFacts(): PlanFacts {
    return {
      sessions: [...this.state.transports.values()].flatMap((t) => t.sessions()),
      running: this.state.view(),
      describeStore: (lun) => this.providers.store(lun.store)?.describe(lun.options) ?? lun.store,
    };
  }

  /** A plan as data (what `lunhost plan --json` prints). */
  describe(plan: Plan, declaration: Declaration, generation: number | null, against: 'running' | 'empty' = 'running'): PlanReport {
    return describePlan(plan, this.planFacts(), { file: declaration.file, against, generation });
  }

  /**
   * Apply again what the serving declaration still lacks (actions that failed:
   * a store that did not open, a portal that did not bind). Nothing is re-read.
   */
  async retry(): Promise<AppliedReport> {
    const declaration = this.declaration;
    if (!declaration) throw new Error('lunhost has not started; nothing to retry');
    const plan = this.planAgainst(declaration);
    const described = this.describe(plan, declaration, null, 'running');
    return { ...(await this.apply(declaration, plan)), plan, declaration, described };
  }

  /** Load, plan against nothing, apply. Throws ConfigError before anything listens. */
  async start(source?: DeclarationSource): Promise<StartReport> {
    const { declaration } = await this.load(source);
    this.log.setLevel(declaration.logLevel);
    await mkdir(declaration.stateDir, { recursive: true });
    const plan = this.planAgainst(declaration);
    const described = this.describe(plan, declaration, null, 'empty');
    const report = await this.apply(declaration, plan);
    return { ...report, declaration, plan, described, portalsListening: this.state.portals.size, portalsDeclared: declaration.portals.length };
  }

  /**
   * Re-read the declaration and apply the difference. An invalid declaration
   * changes nothing (ConfigError is thrown; the old configuration keeps serving).
   */
  async reload(source?: DeclarationSource): Promise<AppliedReport> {
    const { declaration } = await this.load(source);
    this.log.setLevel(declaration.logLevel);
    await mkdir(declaration.stateDir, { recursive: true });
    const plan = this.planAgainst(declaration);
    // Described before applying: the sessions and sizes it speaks of are those of now.
    const described = this.describe(plan, declaration, null, 'running');
    return { ...(await this.apply(declaration, plan)), plan, declaration, described };
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
