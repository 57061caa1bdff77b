/** `lunhost reload`: re-read the declaration and apply it; exit 1 when it was refused. */
import { renderActions } from '../plan/renderPlan.js';
import { jsonText, noArguments, type ClientCommand } from './ClientCommand.js';
import { describeReload, reloadErrorLines } from './statusCommand.js';

export const reloadCommand: ClientCommand = {
  name: 'reload',
  usage: 'reload',
  summary: 're-read the declaration and apply what changed (as SIGHUP does)',
  checkArgs: noArguments('reload'),
  async run(client, _args, out) {
    const result = await client.reload();
    if (out.json) out.write(jsonText(result));
    else if (result.ok) out.write(`reload ${describeReload(result)}; generation ${result.generation}\n`);
    else out.write([`reload ${describeReload(result)}`, ...reloadErrorLines(result).map((l) => `  ${l}`)].join('\n') + '\n');
    // What was applied, action by action (the plan `lunhost plan` showed), when the declaration was valid.
    if (!out.json && result.issues.length === 0 && result.changes > 0) {
      const applied = await client.lastPlan().catch(() => null);
      if (applied && applied.trigger === 'api' && applied.actions.length > 0) out.write('\n' + renderActions(applied.actions));
    }
    return result.ok ? 0 : 1;
  },
};
