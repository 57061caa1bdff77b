/**
 * `lunhost rescan [target] [lun]`: re-read the size of the stores (volumes
 * grown outside, `size: auto`); a changed size raises CAPACITY DATA HAS
 * CHANGED to the initiators.
 */
import type { RescanRequest } from '../management/ManagementView.js';
import { jsonText, type ClientCommand } from './ClientCommand.js';
import { formatTable } from './formatTable.js';
import { humanBytes } from './humanUnits.js';

export const rescanCommand: ClientCommand = {
  name: 'rescan',
  usage: 'rescan [TARGET [LUN]]',
  summary: 're-read LUN sizes (all, one target, or one LUN) and tell initiators about changes',
  checkArgs(args) {
    const r = parseRescanArgs(args);
    return typeof r === 'string' ? r : null;
  },
  async run(client, args, out) {
    const req = parseRescanArgs(args) as RescanRequest;
    const result = await client.rescan(req);
    if (out.json) {
      out.write(jsonText(result));
      return 0;
    }
    out.write(`checked ${result.checked} LUN${result.checked === 1 ? '' : 's'}, ${result.changed.length} changed size\n`);
    if (result.changed.length > 0) {
      out.write(formatTable([
        { title: 'TARGET', value: (c) => c.target },
        { title: 'LUN', value: (c) => c.lun },
        { title: 'BEFORE', value: (c) => humanBytes(c.previousSize) },
        { title: 'NOW', value: (c) => humanBytes(c.size) },
      ], result.changed));
    }
    // Actions of the declaration that had failed were retried (see `lunhost status` for what still fails).
    if (result.retried) {
      out.write(result.retried.ok
        ? `retried what had not applied: ${result.retried.changes} change${result.retried.changes === 1 ? '' : 's'} applied\n`
        : `retried what had not applied: ${(result.retried.error ?? 'failed').split('\n').join('\n  ')}\n`);
    }
    return 0;
  },
};

export function parseRescanArgs(args: readonly string[]): RescanRequest | string {
  if (args.length > 2) return `rescan takes at most a target and a LUN number, got '${args.join(' ')}'`;
  const target = args[0] ?? null;
  const lunText = args[1];
  if (lunText === undefined) return { target, lun: null };
  if (!/^\d+$/.test(lunText) || Number(lunText) > 16383) return `'${lunText}' is not a LUN number (0-16383)`;
  return { target, lun: Number(lunText) };
}
