/** `lunhost reload`: re-read the declaration and apply it; exit 1 when it was refused. */
import { jsonText, type ClientCommand } from './ClientCommand.js';
import { describeReload, reloadErrorLines } from './statusCommand.js';

export const reloadCommand: ClientCommand = {
  name: 'reload',
  usage: 'reload',
  summary: 're-read the declaration and apply what changed (as SIGHUP does)',
  checkArgs: (args) => (args.length === 0 ? null : `reload takes no arguments, got '${args.join(' ')}'`),
  async run(client, _args, out) {
    const result = await client.reload();
    if (out.json) out.write(jsonText(result));
    else if (result.ok) out.write(`reload ${describeReload(result)}; generation ${result.generation}\n`);
    else out.write([`reload ${describeReload(result)}`, ...reloadErrorLines(result).map((l) => `  ${l}`)].join('\n') + '\n');
    return result.ok ? 0 : 1;
  },
};
