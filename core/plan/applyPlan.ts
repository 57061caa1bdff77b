/**
 * apply(plan): makes the plan true, one object at a time. A failing action
 * (a store that cannot open, a portal that cannot bind) is recorded with its
 * error and logged; the others still apply. Order keeps initiators safe:
 *   1. stop serving removed targets, drop their sessions, then detach LUNs
 *      (detach drains in-flight commands) and close their stores;
 *   2. open stores and attach LUNs (new targets are not visible yet);
 *   3. bind portals one by one, then hand every transport its complete set of
 *      portals and targets: only now do new targets and LUNs appear.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Declaration, LunDecl, PortalDecl } from '../config/Declaration.js';
import { formatSize } from '../config/parseSize.js';
import type { ProviderLookup } from '../config/ProviderLookup.js';
import type { HostHooks } from '../host/HostHooks.js';
import type { RunningLun, RunningState, RunningTarget } from '../host/RunningState.js';
import type { CreateScsiTarget } from '../host/ScsiTargetHandle.js';
import { servedTarget, toTargetAuth } from '../host/servedTarget.js';
import type { Logger } from '../log/Logger.js';
import type { Transport, TransportContext } from '../transport/Transport.js';
import type { Plan, PlanAction } from './Plan.js';

export interface ApplyContext {
  readonly declaration: Declaration;
  readonly providers: ProviderLookup;
  readonly hooks: HostHooks;
  readonly log: Logger;
  readonly createScsiTarget: CreateScsiTarget;
}

export interface ActionResult {
  readonly action: PlanAction;
  /** null: done. */
  readonly error: Error | null;
}

export interface ApplyReport {
  readonly results: readonly ActionResult[];
  /** Actions that failed (including refusals). */
  readonly failed: readonly ActionResult[];
}

export async function applyPlan(plan: Plan, state: RunningState, ctx: ApplyContext): Promise<ApplyReport> {
  const results: ActionResult[] = [];
  const record = (action: PlanAction, error: Error | null): void => {
    results.push({ action, error });
    if (error) ctx.log.error(error.message, { action: action.kind });
  };
  await ctx.hooks.beforeApply.promise(plan);
  const actions = plan.actions;
  const of = <K extends PlanAction['kind']>(kind: K) => actions.filter((a): a is Extract<PlanAction, { kind: K }> => a.kind === kind);

  // 1. Removals.
  const removedTargets: RunningTarget[] = [];
  for (const a of of('remove-target')) {
    const t = state.targets.get(a.target.name);
    if (t) { state.targets.delete(a.target.name); removedTargets.push(t); }
    else record(a, null); // already gone: nothing to do
  }
  for (const a of of('remove-portal')) state.portals.delete(a.portal.name);
  if (removedTargets.length || of('remove-portal').length) await syncTransports(state, ctx);
  for (const t of removedTargets) {
    for (const transport of state.transports.values()) await transport.dropSessions(t.decl.name).catch((err: unknown) => ctx.log.warn('dropping sessions failed', { target: t.decl.name, err }));
    for (const lun of [...t.luns.values()]) await detachLun(t, lun, ctx);
    ctx.log.info('target removed', { target: t.decl.name });
    record(actions.find((a) => a.kind === 'remove-target' && a.target.name === t.decl.name)!, null);
  }
  for (const a of of('remove-portal')) { ctx.log.info('portal removed', { portal: a.portal.name }); record(a, null); }
  for (const a of of('remove-lun')) {
    const t = state.targets.get(a.targetName);
    const lun = t?.luns.get(a.lun.lun);
    if (t && lun) await detachLun(t, lun, ctx);
    record(a, null);
  }

  // 2. Targets and LUNs.
  const bindingChanged: RunningTarget[] = [];
  for (const a of of('change-target')) {
    const t = state.targets.get(a.after.name);
    if (!t) { record(a, new Error(`target ${a.after.name} is not running`)); continue; }
    t.decl = a.after;
    t.served = servedTarget(a.after, t.scsi);
    if (a.changed.includes('bindings')) bindingChanged.push(t);
    ctx.log.info('target changed', { target: a.after.name, changed: a.changed.join(',') });
    record(a, null);
  }
  for (const a of of('add-target')) {
    try {
      const scsi = ctx.createScsiTarget({ name: a.target.name, log: ctx.log.child({ target: a.target.name }) });
      state.targets.set(a.target.name, { decl: a.target, scsi, served: servedTarget(a.target, scsi), luns: new Map() });
      record(a, null);
    } catch (err) {
      record(a, new Error(`target ${a.target.name} (${a.target.where}): cannot create: ${(err as Error).message}`, { cause: err }));
    }
  }
  for (const a of actions) {
    if (a.kind === 'add-lun') record(a, await addLun(state, a.targetName, a.lun, ctx));
    else if (a.kind === 'replace-lun') record(a, await replaceLun(state, a.targetName, a.before, a.after, ctx));
    else if (a.kind === 'resize-lun') record(a, await resizeLun(state, a.targetName, a.lun, a.toBytes, ctx));
    else if (a.kind === 'refuse') record(a, new Error(a.reason));
  }

  // 3. Discovery CHAP (read by the transports at each discovery login), portals, then every transport gets its complete set.
  for (const a of of('change-discovery-auth')) {
    state.discoveryAuthDecl = a.after;
    state.discoveryAuth = toTargetAuth(a.after);
    ctx.log.info(a.after ? 'discovery CHAP set' : 'discovery CHAP removed');
    record(a, null);
  }
  for (const a of actions) {
    if (a.kind === 'add-portal') record(a, await bindPortal(state, a.portal, null, ctx));
    else if (a.kind === 'change-portal') record(a, await bindPortal(state, a.after, a.before, ctx));
  }
  await syncTransports(state, ctx);
  for (const t of bindingChanged) {
    for (const transport of state.transports.values()) {
      await transport.dropSessions(t.decl.name, (s) => !t.served.admits(s.initiatorName, s.remoteAddress))
        .catch((err: unknown) => ctx.log.warn('dropping sessions failed', { target: t.decl.name, err }));
    }
  }

  await ctx.hooks.afterApply.promise(plan);
  return { results, failed: results.filter((r) => r.error !== null) };
}

function lunLabel(targetName: string, lun: LunDecl): string {
  return `LUN ${lun.lun} of ${targetName} (${lun.where})`;
}

/** Where a LUN's store and its SCSI state (persistent reservations with APTPL) live. */
function lunStateDir(targetName: string, lun: LunDecl, ctx: ApplyContext): string {
  return path.join(ctx.declaration.stateDir, 'luns', `${targetName.replace(/[^a-zA-Z0-9.-]/g, '_')}-${lun.lun}`);
}

async function openStore(targetName: string, lun: LunDecl, ctx: ApplyContext): Promise<RunningLun['store']> {
  const provider = ctx.providers.store(lun.store);
  if (!provider) throw new Error(`no plugin provides store type '${lun.store}'`);
  const stateDir = lunStateDir(targetName, lun, ctx);
  await mkdir(stateDir, { recursive: true });
  const store = await provider.open({
    options: lun.options,
    size: lun.size ?? 'auto',
    readOnly: lun.readOnly,
    blockSize: lun.blockSize,
    baseDir: ctx.declaration.baseDir,
    stateDir,
    log: ctx.log.child({ target: targetName, lun: lun.lun, store: lun.store }),
  });
  if (typeof lun.size === 'number' && store.size !== lun.size) {
    ctx.log.warn(`${lunLabel(targetName, lun)}: the store has ${formatSize(store.size)}, the declaration says ${formatSize(lun.size)}`);
  }
  return store;
}

function describeStore(lun: LunDecl, ctx: ApplyContext): string {
  try {
    return ctx.providers.store(lun.store)?.describe(lun.options) ?? lun.store;
  } catch {
    return lun.store;
  }
}

function attach(t: RunningTarget, lun: LunDecl, store: RunningLun['store'], ctx: ApplyContext): void {
  const unit = t.scsi.attachLun({
    lun: lun.lun, store, blockSize: lun.blockSize, readOnly: lun.readOnly, serial: lun.serial ?? '',
    removable: lun.removable, allowSanitize: lun.allowSanitize, stateDir: lunStateDir(t.decl.name, lun, ctx), ...(lun.physicalBlockSize !== null ? { physicalBlockSize: lun.physicalBlockSize } : {}),
  });
  t.luns.set(lun.lun, { decl: lun, store, unit });
  ctx.hooks.lunAttached.call({ targetName: t.decl.name, lun: lun.lun, store: lun.store, size: store.size });
  ctx.log.info(`${lunLabel(t.decl.name, lun)} attached: ${describeStore(lun, ctx)}, ${formatSize(store.size)}${lun.readOnly ? ', read-only' : ''}`);
}

async function addLun(state: RunningState, targetName: string, lun: LunDecl, ctx: ApplyContext): Promise<Error | null> {
  const t = state.targets.get(targetName);
  if (!t) return new Error(`${lunLabel(targetName, lun)} not attached: its target could not be created`);
  let store: RunningLun['store'] | null = null;
  try {
    store = await openStore(targetName, lun, ctx);
    attach(t, lun, store, ctx);
    return null;
  } catch (err) {
    if (store) await store.close().catch(() => {});
    return new Error(`${lunLabel(targetName, lun)} not attached: cannot open ${describeStore(lun, ctx)}: ${(err as Error).message}; the other LUNs keep serving`, { cause: err });
  }
}

async function replaceLun(state: RunningState, targetName: string, before: LunDecl, after: LunDecl, ctx: ApplyContext): Promise<Error | null> {
  const t = state.targets.get(targetName);
  const old = t?.luns.get(before.lun);
  if (!t || !old) return addLun(state, targetName, after, ctx);
  let store: RunningLun['store'];
  try {
    // Open the new store first: if it fails, the old LUN keeps serving.
    store = await openStore(targetName, after, ctx);
  } catch (err) {
    return new Error(`${lunLabel(targetName, after)} not replaced (the previous store keeps serving): cannot open ${describeStore(after, ctx)}: ${(err as Error).message}`, { cause: err });
  }
  await detachLun(t, old, ctx);
  try {
    attach(t, after, store, ctx);
    return null;
  } catch (err) {
    await store.close().catch(() => {});
    return new Error(`${lunLabel(targetName, after)}: cannot attach: ${(err as Error).message}`, { cause: err });
  }
}

async function resizeLun(state: RunningState, targetName: string, lun: LunDecl, toBytes: number, ctx: ApplyContext): Promise<Error | null> {
  const running = state.targets.get(targetName)?.luns.get(lun.lun);
  if (!running) return new Error(`${lunLabel(targetName, lun)} is not attached, cannot resize`);
  const store = running.store;
  const previousSize = store.size;
  if (!store.capabilities.resize || !store.resize) {
    return new Error(`${lunLabel(targetName, lun)}: store type '${lun.store}' cannot resize; resize the volume with its own tools and declare size: auto`);
  }
  try {
    await store.resize(toBytes);
  } catch (err) {
    return new Error(`${lunLabel(targetName, lun)}: resize from ${formatSize(previousSize)} to ${formatSize(toBytes)} failed: ${(err as Error).message}`, { cause: err });
  }
  state.targets.get(targetName)!.luns.set(lun.lun, { ...running, decl: lun });
  running.unit.capacityChanged();
  ctx.hooks.lunResized.call({ targetName, lun: lun.lun, store: lun.store, size: store.size, previousSize });
  ctx.log.info(`${lunLabel(targetName, lun)} resized from ${formatSize(previousSize)} to ${formatSize(store.size)}`);
  return null;
}

async function detachLun(t: RunningTarget, lun: RunningLun, ctx: ApplyContext): Promise<void> {
  t.luns.delete(lun.decl.lun);
  try {
    await t.scsi.detachLun(lun.decl.lun);
  } catch (err) {
    ctx.log.warn(`${lunLabel(t.decl.name, lun.decl)}: detach failed`, { err });
  }
  try {
    await lun.store.close();
  } catch (err) {
    ctx.log.warn(`${lunLabel(t.decl.name, lun.decl)}: closing the store failed`, { err });
  }
  ctx.hooks.lunDetached.call({ targetName: t.decl.name, lun: lun.decl.lun, store: lun.decl.store, size: lun.store.size });
  ctx.log.info(`${lunLabel(t.decl.name, lun.decl)} detached`);
}

function transportFor(state: RunningState, name: string, ctx: ApplyContext): Transport {
  let transport = state.transports.get(name);
  if (transport) return transport;
  const provider = ctx.providers.transport(name);
  if (!provider) throw new Error(`no plugin provides transport '${name}'`);
  const log = ctx.log.child({ transport: name });
  const tctx: TransportContext = {
    log,
    // A getter: a reload that changes discovery auth reaches the running transport.
    get discoveryAuth() { return state.discoveryAuth; },
    sessionLoggedIn: (s) => { ctx.hooks.sessionLogin.call(s); log.info('session logged in', { initiator: s.initiatorName, target: s.targetName, from: s.remoteAddress }); },
    sessionLoggedOut: (s) => { ctx.hooks.sessionLogout.call(s); log.info('session logged out', { initiator: s.initiatorName, target: s.targetName, from: s.remoteAddress }); },
  };
  transport = provider.create(tctx);
  state.transports.set(name, transport);
  return transport;
}

async function configure(state: RunningState, transport: Transport, portals: PortalDecl[]): Promise<void> {
  await transport.configure(portals, state.servedOn(new Set(portals.map((p) => p.name))));
}

/** Bind one new (or changed) portal; on failure it is left out and the rest keeps serving. */
async function bindPortal(state: RunningState, portal: PortalDecl, before: PortalDecl | null, ctx: ApplyContext): Promise<Error | null> {
  const listen = `${portal.host.includes(':') ? `[${portal.host}]` : portal.host}:${portal.port}`;
  let transport: Transport;
  try {
    transport = transportFor(state, portal.transport, ctx);
  } catch (err) {
    return new Error(`portal ${portal.name} (${listen}): ${(err as Error).message}`);
  }
  if (before) state.portals.delete(before.name);
  const others = state.portalsOf(portal.transport);
  try {
    await configure(state, transport, [...others, portal]);
    state.portals.set(portal.name, portal);
    ctx.log.info(`portal ${portal.name} listening`, { transport: portal.transport, listen });
    return null;
  } catch (err) {
    // The portal keeps its previous state: a changed one goes back to its old address.
    if (before) state.portals.set(before.name, before);
    await configure(state, transport, state.portalsOf(portal.transport)).catch(() => {});
    const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
    const code = e.code ?? e.cause?.code ?? (/address already in use/i.test(e.message) ? 'EADDRINUSE' : undefined);
    const hint = code === 'EADDRINUSE' ? '; another program (tgtd? another lunhost?) already listens there: stop it or choose another port'
      : code === 'EADDRNOTAVAIL' ? '; this machine has no such address: use 0.0.0.0 or one of its addresses'
        : code === 'EACCES' ? '; ports below 1024 need root or CAP_NET_BIND_SERVICE' : '';
    const kept = before ? `; it keeps its previous settings (${before.host}:${before.port})` : '';
    return new Error(`portal ${portal.name} (${listen}, ${portal.transport}) cannot listen: ${(err as Error).message}${hint}${kept}`, { cause: err });
  }
}

/** Give every transport its complete current set of portals and targets. */
async function syncTransports(state: RunningState, ctx: ApplyContext): Promise<void> {
  for (const [name, transport] of state.transports) {
    await configure(state, transport, state.portalsOf(name)).catch((err: unknown) => ctx.log.error(`transport ${name}: ${(err as Error).message}`));
  }
}
