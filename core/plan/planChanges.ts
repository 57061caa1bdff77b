/**
 * plan(declaration, running) → the actions that make what runs match what is
 * declared. Pure: it only compares. Actions come in the order apply() runs
 * them (removals first, then portals and discovery CHAP, targets, LUNs), so a printed plan reads
 * like what will happen. An added target is followed by one add-lun per LUN:
 * each LUN opens (or fails) on its own.
 */
import type { Declaration, LunDecl, TargetDecl } from '../config/Declaration.js';
import { formatSize } from '../config/parseSize.js';
import type { Plan, PlanAction } from './Plan.js';
import type { RunningView } from './RunningView.js';
import { sameValue } from './sameValue.js';

/** Fields of a target whose change is applied in place (change-target). */
const TARGET_FIELDS = ['alias', 'bindings', 'auth', 'options', 'portals'] as const;

export function planChanges(declaration: Declaration, running: RunningView): Plan {
  const removals: PlanAction[] = [];
  const portalActions: PlanAction[] = [];
  const targetActions: PlanAction[] = [];
  const lunActions: PlanAction[] = [];

  const wantedPortals = new Map(declaration.portals.map((p) => [p.name, p]));
  for (const p of running.portals) {
    const next = wantedPortals.get(p.name);
    if (!next) removals.push({ kind: 'remove-portal', portal: p });
    else if (!sameValue(p, next)) portalActions.push({ kind: 'change-portal', before: p, after: next });
  }
  const runningPortals = new Set(running.portals.map((p) => p.name));
  for (const p of declaration.portals) if (!runningPortals.has(p.name)) portalActions.push({ kind: 'add-portal', portal: p });
  const discoveryBefore = running.discoveryAuth ?? null;
  if (!sameValue(discoveryBefore, declaration.discoveryAuth)) {
    portalActions.push({ kind: 'change-discovery-auth', before: discoveryBefore, after: declaration.discoveryAuth });
  }

  const runningTargets = new Map(running.targets.map((t) => [t.name, t]));
  const wantedTargets = new Set(declaration.targets.map((t) => t.name));
  for (const t of running.targets) if (!wantedTargets.has(t.name)) removals.push({ kind: 'remove-target', target: t });

  for (const t of declaration.targets) {
    const before = runningTargets.get(t.name);
    if (!before) {
      targetActions.push({ kind: 'add-target', target: t });
      for (const lun of t.luns) lunActions.push({ kind: 'add-lun', targetName: t.name, lun });
      continue;
    }
    const changed = TARGET_FIELDS.filter((f) => !sameValue(before[f], t[f]));
    if (changed.length) targetActions.push({ kind: 'change-target', before, after: t, changed });
    planLuns(before, t, running, removals, lunActions);
  }
  return { actions: [...removals, ...portalActions, ...targetActions, ...lunActions] };
}

function planLuns(before: TargetDecl, after: TargetDecl, running: RunningView, removals: PlanAction[], out: PlanAction[]): void {
  const wanted = new Map(after.luns.map((l) => [l.lun, l]));
  for (const l of before.luns) if (!wanted.has(l.lun)) removals.push({ kind: 'remove-lun', targetName: after.name, lun: l });
  const had = new Map(before.luns.map((l) => [l.lun, l]));
  for (const l of after.luns) {
    const old = had.get(l.lun);
    if (!old) out.push({ kind: 'add-lun', targetName: after.name, lun: l });
    else if (!sameBacking(old, l)) out.push({ kind: 'replace-lun', targetName: after.name, before: old, after: l });
    else {
      const resize = planResize(after.name, old, l, running);
      if (resize) out.push(resize);
    }
  }
}

/** Same store object and presentation: only size (or where/allowShrink) may differ. */
function sameBacking(a: LunDecl, b: LunDecl): boolean {
  return a.store === b.store && a.readOnly === b.readOnly && a.blockSize === b.blockSize && a.serial === b.serial &&
    a.physicalBlockSize === b.physicalBlockSize && a.removable === b.removable && a.allowSanitize === b.allowSanitize && sameValue(a.options, b.options);
}

function planResize(targetName: string, before: LunDecl, after: LunDecl, running: RunningView): PlanAction | null {
  if (typeof after.size !== 'number' || after.size === before.size) return null;
  const fromBytes = running.lunSize(targetName, after.lun) ?? (typeof before.size === 'number' ? before.size : null);
  if (fromBytes === null || fromBytes === after.size) return null;
  if (after.size < fromBytes && !after.allowShrink) {
    return {
      kind: 'refuse', targetName, lun: after.lun,
      reason: `shrinking LUN ${after.lun} of ${targetName} from ${formatSize(fromBytes)} to ${formatSize(after.size)} would cut off data; set allowShrink: true on ${after.where} to do it anyway`,
    };
  }
  return { kind: 'resize-lun', targetName, lun: after, fromBytes, toBytes: after.size };
}

/** The name the design uses: plan(declaration, running). */
export { planChanges as plan };
