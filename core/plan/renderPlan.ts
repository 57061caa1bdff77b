/**
 * A PlanReport as text for a person, grouped by object: portals and discovery
 * first, then one group per target, actions in the order they apply.
 *
 *   target iqn.2026-11.io.lunhost:t1 (2 sessions)
 *     + lun 3 (file ./c.img, 10 GiB; 2 sessions will see REPORTED LUNS DATA HAS CHANGED)
 *   * ~ lun 1 size 1 GiB → 2 GiB (2 sessions get CAPACITY DATA HAS CHANGED)
 *     ! lun 4: shrink refused (allowShrink is false)
 *
 * A `*` in the margin marks an action that disturbs initiators connected now.
 * With outcomes (an applied plan), failed actions get their error below them.
 */
import type { AppliedAction, PlannedAction, PlanReport } from './PlanReport.js';

export function renderPlan(report: PlanReport): string {
  const where = report.file ?? 'the declaration';
  const head = report.against === 'running'
    ? `Plan for ${where} against the running lunhost (generation ${report.generation ?? '?'}, ${plural(report.sessions, 'session')} logged in):`
    : `Plan for ${where} against an empty state (no lunhost is running):`;
  if (report.actions.length === 0) {
    return `${head}\n\nNo changes: ${report.against === 'running' ? 'what runs matches the declaration' : 'the declaration serves nothing'}.\n`;
  }
  const { changes, refused, disruptive } = report.summary;
  const counts = [
    plural(changes, 'change'),
    disruptive ? `${disruptive} disturbing connected initiators (marked *)` : null,
    refused ? `${refused} refused (marked !)` : null,
  ].filter(Boolean).join(', ');
  const next = changes === 0 ? 'a reload would change nothing until the refusal is resolved'
    : report.against === 'running' ? 'a reload of this declaration (`lunhost reload`, SIGHUP, saving the file) applies them' : '`lunhost start` applies them';
  return `${head}\n\n${renderActions(report.actions)}\n${counts}; ${next}.\n`;
}

/** The grouped lines of actions (with outcomes when they have them). */
export function renderActions(actions: readonly (PlannedAction | AppliedAction)[]): string {
  const groups = new Map<string, (PlannedAction | AppliedAction)[]>();
  for (const a of actions) {
    const key = a.target === null ? '' : a.target;
    let g = groups.get(key);
    if (!g) groups.set(key, g = []);
    g.push(a);
  }
  const out: string[] = [];
  for (const [target, list] of [...groups].sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : 0))) {
    out.push(target === '' ? 'portals and discovery' : `target ${target}`);
    for (const a of list) out.push(...actionLines(a));
    out.push('');
  }
  return out.join('\n');
}

function actionLines(a: PlannedAction | AppliedAction): string[] {
  const margin = a.disruptive ? '* ' : '  ';
  let lines: string[];
  if (a.sign === '~' && a.object !== 'lun' && a.changes.length > 0) {
    // One line per changed field: each has its own effect.
    const name = a.object === 'target' ? `target ${a.target}` : a.object === 'portal' ? `portal ${a.portal}` : 'discovery';
    lines = a.changes.map((c) => `~ ${name} ${c.field}: ${c.from ?? '(none)'} → ${c.to ?? '(none)'}${c.effect ? `; ${c.effect}` : ''}`);
  } else {
    lines = [`${a.sign} ${withEffect(a.text, a.effect)}`];
  }
  const out = lines.map((l) => `${margin}${l}`);
  if ('outcome' in a) {
    if (a.outcome === 'failed') out.push(`      FAILED: ${a.error ?? 'unknown error'}`);
    else if (a.outcome === 'skipped') out.push('      (not done)');
  }
  return out;
}

/** 'lun 3 (file, 10 GiB)' + effect → 'lun 3 (file, 10 GiB; effect)'; otherwise 'text (effect)'. */
function withEffect(text: string, effect: string | null): string {
  if (!effect) return text;
  return text.endsWith(')') ? `${text.slice(0, -1)}; ${effect})` : `${text} (${effect})`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
