/**
 * describePlan(plan, facts) → PlanReport: each action with the line a person
 * reads ('lun 1 size 1 GiB → 2 GiB'), the fields it changes and how it
 * reaches the initiators connected now (which unit attention, who is logged
 * out). Pure: the facts (sessions, running targets, store descriptions) are
 * given. Secrets never appear: CHAP shows its user name and where the secret
 * comes from.
 */
import type { AuthDecl, BindingDecl, LunDecl, PortalDecl, TargetDecl } from '../config/Declaration.js';
import { formatSize } from '../config/parseSize.js';
import { compileBindings } from '../host/BindingMatcher.js';
import type { SessionInfo } from '../transport/Transport.js';
import type { Plan, PlanAction } from './Plan.js';
import type { FieldChange, PlanImpact, PlannedAction, PlanReport, PlanSign } from './PlanReport.js';
import { EMPTY_RUNNING_VIEW, type RunningView } from './RunningView.js';
import { sameValue } from './sameValue.js';

export interface PlanFacts {
  /** Sessions logged in now (discovery sessions are ignored). */
  readonly sessions: readonly SessionInfo[];
  /** What runs (for the targets a portal serves); default nothing. */
  readonly running?: RunningView;
  /** e.g. 'file ./a.img' (the store provider's describe()); default the store type. */
  readonly describeStore?: (lun: LunDecl) => string;
}

export interface PlanSubject {
  readonly file: string | null;
  readonly against: 'running' | 'empty';
  readonly generation: number | null;
}

type Described = Omit<PlannedAction, 'id' | 'kind' | 'disruptive' | 'reason' | 'changes' | 'impacts' | 'effect'>
  & Partial<Pick<PlannedAction, 'changes' | 'impacts' | 'effect' | 'reason'>>;

export function describePlan(plan: Plan, facts: PlanFacts, subject: PlanSubject): PlanReport {
  const sessions = facts.sessions.filter((s) => !s.discovery);
  const ctx: Ctx = {
    sessionsOf: (target) => sessions.filter((s) => s.targetName === target),
    running: facts.running ?? EMPTY_RUNNING_VIEW,
    store: (lun) => {
      try { return facts.describeStore?.(lun) ?? lun.store; } catch { return lun.store; }
    },
  };
  const actions = plan.actions.map((a) => finish(a, describe(a, ctx)));
  const refused = actions.filter((a) => a.sign === '!').length;
  return {
    format: 1,
    file: subject.file,
    against: subject.against,
    generation: subject.generation,
    sessions: sessions.length,
    actions,
    summary: { changes: actions.length - refused, refused, disruptive: actions.filter((a) => a.disruptive).length },
  };
}

/** The stable key of the object an action is about. */
export function actionId(a: PlanAction): string {
  switch (a.kind) {
    case 'add-portal': case 'remove-portal': return `portal:${a.portal.name}`;
    case 'change-portal': return `portal:${a.after.name}`;
    case 'change-discovery-auth': return 'discovery';
    case 'add-target': case 'remove-target': return `target:${a.target.name}`;
    case 'change-target': return `target:${a.after.name}`;
    case 'add-lun': case 'remove-lun': case 'resize-lun': return `lun:${a.targetName}/${a.lun.lun}`;
    case 'replace-lun': return `lun:${a.targetName}/${a.after.lun}`;
    case 'refuse': return `lun:${a.targetName}/${a.lun}`;
  }
}

interface Ctx {
  sessionsOf(target: string): SessionInfo[];
  readonly running: RunningView;
  store(lun: LunDecl): string;
}

function finish(a: PlanAction, d: Described): PlannedAction {
  const impacts = d.impacts ?? [];
  return {
    id: actionId(a),
    kind: a.kind,
    sign: d.sign,
    object: d.object,
    target: d.target,
    lun: d.lun,
    portal: d.portal,
    text: d.text,
    effect: d.effect ?? null,
    changes: d.changes ?? [],
    impacts,
    disruptive: impacts.some((i) => i.kind !== 'next-login' && i.sessions > 0),
    reason: d.reason ?? null,
  };
}

function describe(a: PlanAction, ctx: Ctx): Described {
  switch (a.kind) {
    case 'add-portal':
      return { ...portalBase('+', a.portal), text: `portal ${a.portal.name} (${a.portal.transport}, listen ${listenText(a.portal)})` };
    case 'remove-portal': {
      const n = sessionsOnPortal(a.portal.name, ctx);
      return {
        ...portalBase('-', a.portal), text: `portal ${a.portal.name} (${listenText(a.portal)})`,
        effect: `connections through ${listenText(a.portal)} are closed${n ? ` (up to ${plural(n, 'session')})` : ''}`,
        impacts: [{ kind: 'connections-closed', sessions: n, initiators: [] }],
      };
    }
    case 'change-portal': return describePortalChange(a.before, a.after, ctx);
    case 'change-discovery-auth': {
      const from = authText(a.before);
      const to = authText(a.after);
      const same = from === to;
      return {
        sign: '~', object: 'discovery', target: null, lun: null, portal: null,
        text: `discovery CHAP ${same ? `${to}: secret changed` : `${from} → ${to}`}`,
        effect: 'new discovery sessions need the new credentials',
        changes: [{ field: 'auth', from, to: same ? `${to} (new secret)` : to, effect: 'new discovery sessions need the new credentials' }],
        impacts: [{ kind: 'next-login', sessions: 0, initiators: [] }],
      };
    }
    case 'add-target':
      return {
        ...targetBase('+', a.target.name),
        text: `target ${a.target.name} (${[a.target.alias ? `alias ${a.target.alias}` : null, `portals ${a.target.portals.join(', ') || 'none'}`, `bindings ${bindingsText(a.target.bindings)}`, `auth ${authText(a.target.auth)}`].filter(Boolean).join('; ')})`,
      };
    case 'remove-target': {
      const s = ctx.sessionsOf(a.target.name);
      const luns = ctx.running.targets.find((t) => t.name === a.target.name)?.luns.length ?? a.target.luns.length;
      return {
        ...targetBase('-', a.target.name), text: `target ${a.target.name}${luns ? ` and its ${plural(luns, 'LUN')}` : ''}`,
        effect: s.length ? `${plural(s.length, 'session')} will be asked to log out: ${initiatorList(s)}` : null,
        impacts: [{ kind: 'logout', sessions: s.length, initiators: initiators(s) }],
      };
    }
    case 'change-target': return describeTargetChange(a.before, a.after, a.changed, ctx);
    case 'add-lun': {
      const running = ctx.running.targets.some((t) => t.name === a.targetName);
      const s = running ? ctx.sessionsOf(a.targetName).length : 0;
      return {
        ...lunBase('+', a.targetName, a.lun.lun), text: `lun ${a.lun.lun} (${lunText(a.lun, ctx)})`,
        effect: s ? `${plural(s, 'session')} will see REPORTED LUNS DATA HAS CHANGED` : null,
        impacts: s ? [{ kind: 'reported-luns-changed', sessions: s, initiators: [] }] : [],
      };
    }
    case 'remove-lun': {
      const s = ctx.sessionsOf(a.targetName).length;
      return {
        ...lunBase('-', a.targetName, a.lun.lun), text: `lun ${a.lun.lun} (${ctx.store(a.lun)})`,
        effect: `in-flight commands drain first${s ? `; ${plural(s, 'session')} will see REPORTED LUNS DATA HAS CHANGED` : ''}`,
        impacts: [{ kind: 'reported-luns-changed', sessions: s, initiators: [] }],
      };
    }
    case 'replace-lun': {
      const s = ctx.sessionsOf(a.targetName).length;
      const changes = lunChanges(a.before, a.after, ctx);
      return {
        ...lunBase('~', a.targetName, a.after.lun),
        text: `lun ${a.after.lun} ${changes.map((c) => `${c.field} ${c.from ?? '(none)'} → ${c.to ?? '(none)'}`).join(', ')}`,
        effect: `the LUN is detached (in-flight commands drain) and attached again with the new settings${s ? `; ${plural(s, 'session')} will see REPORTED LUNS DATA HAS CHANGED` : ''}`,
        changes,
        impacts: [{ kind: 'reported-luns-changed', sessions: s, initiators: [] }],
      };
    }
    case 'resize-lun': {
      const s = ctx.sessionsOf(a.targetName).length;
      const effect = s ? `${plural(s, 'session')} ${s === 1 ? 'gets' : 'get'} CAPACITY DATA HAS CHANGED` : 'initiators get CAPACITY DATA HAS CHANGED';
      return {
        ...lunBase('~', a.targetName, a.lun.lun), text: `lun ${a.lun.lun} size ${sizeText(a.fromBytes)} → ${sizeText(a.toBytes)}`,
        effect,
        changes: [{ field: 'size', from: sizeText(a.fromBytes), to: sizeText(a.toBytes), effect }],
        impacts: [{ kind: 'capacity-data-changed', sessions: s, initiators: [] }],
      };
    }
    case 'refuse':
      return { ...lunBase('!', a.targetName, a.lun), text: `lun ${a.lun}: shrink refused (allowShrink is false)`, reason: a.reason };
  }
}

function describePortalChange(before: PortalDecl, after: PortalDecl, ctx: Ctx): Described {
  const changes: FieldChange[] = [];
  const impacts: PlanImpact[] = [];
  const moved = before.host !== after.host || before.port !== after.port || before.transport !== after.transport;
  if (moved) {
    const n = sessionsOnPortal(after.name, ctx);
    const effect = `connections to ${listenText(before)} are closed${n ? ` (up to ${plural(n, 'session')})` : ''}; initiators reconnect to ${listenText(after)}`;
    if (before.transport !== after.transport) changes.push({ field: 'transport', from: before.transport, to: after.transport, effect: null });
    if (before.host !== after.host || before.port !== after.port) changes.push({ field: 'listen', from: listenText(before), to: listenText(after), effect });
    else changes[changes.length - 1] = { ...changes[changes.length - 1]!, effect };
    impacts.push({ kind: 'connections-closed', sessions: n, initiators: [] });
  }
  if (before.portalGroupTag !== after.portalGroupTag) {
    changes.push({ field: 'portalGroupTag', from: String(before.portalGroupTag), to: String(after.portalGroupTag), effect: 'new logins see the new tag' });
  }
  changes.push(...optionChanges('options', before.options, after.options, 'applies to new connections'));
  return {
    ...portalBase('~', after), text: `portal ${after.name} ${changes.map(changeText).join(', ')}`,
    effect: moved ? changes.find((c) => c.effect)?.effect ?? null : null,
    changes, impacts,
  };
}

function describeTargetChange(before: TargetDecl, after: TargetDecl, changed: readonly string[], ctx: Ctx): Described {
  const sessions = ctx.sessionsOf(after.name);
  const changes: FieldChange[] = [];
  const impacts: PlanImpact[] = [];
  for (const field of changed) {
    if (field === 'alias') {
      changes.push({ field: 'alias', from: before.alias, to: after.alias, effect: null });
    } else if (field === 'bindings') {
      const admits = compileBindings(after.bindings);
      const out = sessions.filter((s) => !admits(s.initiatorName, s.remoteAddress));
      changes.push({
        field: 'bindings', from: bindingsText(before.bindings), to: bindingsText(after.bindings),
        effect: out.length ? `${out.length === 1 ? 'initiator' : 'initiators'} ${initiatorList(out)} will be logged out` : 'no logged-in initiator is affected',
      });
      impacts.push({ kind: 'logout', sessions: out.length, initiators: initiators(out) });
    } else if (field === 'auth') {
      const from = authText(before.auth);
      const to = authText(after.auth);
      changes.push({
        field: 'auth', from, to: from === to ? `${to} (new secret)` : to,
        effect: `new logins need the new credentials; ${sessions.length ? `the ${plural(sessions.length, 'session')} logged in ${sessions.length === 1 ? 'stays' : 'stay'}` : 'no session is logged in'}`,
      });
      impacts.push({ kind: 'next-login', sessions: sessions.length, initiators: [] });
    } else if (field === 'options') {
      changes.push(...optionChanges('options', before.options, after.options, 'applies to new logins; logged-in sessions keep what they negotiated'));
      impacts.push({ kind: 'next-login', sessions: sessions.length, initiators: [] });
    } else if (field === 'portals') {
      const gone = before.portals.filter((p) => !after.portals.includes(p));
      changes.push({
        field: 'portals', from: before.portals.join(', ') || '(none)', to: after.portals.join(', ') || '(none)',
        effect: gone.length ? `sessions logged in through ${gone.join(', ')} end` : null,
      });
      if (gone.length) impacts.push({ kind: 'logout', sessions: sessions.length, initiators: initiators(sessions) });
    }
  }
  return {
    ...targetBase('~', after.name), text: `target ${after.name} ${changes.map(changeText).join(', ')}`,
    effect: changes.map((c) => c.effect).filter((e): e is string => e !== null).join('; ') || null,
    changes, impacts,
  };
}

function lunChanges(before: LunDecl, after: LunDecl, ctx: Ctx): FieldChange[] {
  const changes: FieldChange[] = [];
  if (before.store !== after.store) changes.push({ field: 'store', from: ctx.store(before), to: ctx.store(after), effect: null });
  else changes.push(...optionChanges('', before.options, after.options, null));
  // Every other presentation field (readOnly, blockSize, serial, removable, ...), including ones added later.
  const a = before as unknown as Record<string, unknown>;
  const b = after as unknown as Record<string, unknown>;
  for (const field of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
    if (LUN_FIELDS_NOT_SHOWN.has(field) || sameValue(a[field], b[field])) continue;
    changes.push({ field, from: fieldText(a[field]), to: fieldText(b[field]), effect: null });
  }
  if (before.size !== after.size) changes.push({ field: 'size', from: declaredSize(before.size), to: declaredSize(after.size), effect: null });
  return changes;
}

/** LUN fields shown otherwise (store, options, size) or that are not presentation (where, allowShrink). */
const LUN_FIELDS_NOT_SHOWN = new Set(['lun', 'where', 'store', 'options', 'size', 'allowShrink']);

function fieldText(v: unknown): string | null {
  return v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v);
}

/** One FieldChange per option key that differs ('options.MaxBurstLength', or the bare key when prefix is ''). */
function optionChanges(prefix: string, a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>, effect: string | null): FieldChange[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => !sameValue(a[k], b[k])).map((k) => ({
    field: prefix ? `${prefix}.${k}` : k, from: valueText(a[k]), to: valueText(b[k]), effect,
  }));
}

function portalBase(sign: PlanSign, p: PortalDecl) {
  return { sign, object: 'portal' as const, target: null, lun: null, portal: p.name };
}

function targetBase(sign: PlanSign, name: string) {
  return { sign, object: 'target' as const, target: name, lun: null, portal: null };
}

function lunBase(sign: PlanSign, target: string, lun: number) {
  return { sign, object: 'lun' as const, target, lun, portal: null };
}

/** Sessions of the running targets reachable on a portal: an upper bound of those through it. */
function sessionsOnPortal(portal: string, ctx: Ctx): number {
  return ctx.running.targets.filter((t) => t.portals.includes(portal)).reduce((n, t) => n + ctx.sessionsOf(t.name).length, 0);
}

function changeText(c: FieldChange): string {
  return `${c.field} ${c.from ?? '(none)'} → ${c.to ?? '(none)'}`;
}

function lunText(lun: LunDecl, ctx: Ctx): string {
  return [ctx.store(lun), declaredSize(lun.size), lun.readOnly ? 'read-only' : null].filter(Boolean).join(', ');
}

function declaredSize(size: LunDecl['size']): string {
  if (typeof size === 'number') return sizeText(size);
  return size === 'auto' ? 'size auto' : 'size of the store';
}

/** 10737418240 → '10 GiB'. */
export function sizeText(bytes: number): string {
  return formatSize(bytes).replace(/^(\d+)([A-Za-z]+)$/, '$1 $2');
}

function listenText(p: PortalDecl): string {
  return `${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`;
}

function valueText(v: unknown): string | null {
  if (v === undefined) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function bindingsText(bindings: readonly BindingDecl[]): string {
  if (bindings.length === 0) return '(none)';
  return bindings.map((b) => {
    if (b.kind === 'all') return 'ALL';
    if (b.initiator !== null && b.address !== null) return `${b.initiator}@${b.address}`;
    return b.initiator ?? b.address ?? 'ALL';
  }).join(', ');
}

/** 'none', 'CHAP user rotor (secret from file new.secret)', plus the mutual part. Never the secret. */
export function authText(auth: AuthDecl | null): string {
  if (!auth || (!auth.chap && !auth.mutualChap)) return 'none';
  const parts: string[] = [];
  if (auth.chap) parts.push(`CHAP user ${auth.chap.username} (secret from ${auth.chap.secretSource})`);
  if (auth.mutualChap) parts.push(`mutual CHAP user ${auth.mutualChap.username} (secret from ${auth.mutualChap.secretSource})`);
  return parts.join(' + ');
}

function initiators(sessions: readonly SessionInfo[]): string[] {
  return [...new Set(sessions.map((s) => s.initiatorName))];
}

function initiatorList(sessions: readonly SessionInfo[]): string {
  return [...new Set(sessions.map((s) => `${s.initiatorName} (${s.remoteAddress})`))].join(', ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
