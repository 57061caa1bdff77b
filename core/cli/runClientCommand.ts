/**
 * Runs one client command (status, show, reload, rescan) for main.ts:
 * parses `--json`, `--socket PATH`, `--config FILE`, finds the socket, and
 * turns every expected failure (daemon not running, unknown target, bad
 * arguments) into one line on stderr and an exit code, never a stack trace.
 * Exit codes: 0 done, 1 failed (or reload refused), 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/ConfigError.js';
import type { ClientCommand, CommandOutput } from './ClientCommand.js';
import { locateSocket } from './locateSocket.js';
import { DaemonNotRunning, ManagementApiError, ManagementClient } from './ManagementClient.js';
import { reloadCommand } from './reloadCommand.js';
import { rescanCommand } from './rescanCommand.js';
import { showCommand } from './showCommand.js';
import { statusCommand } from './statusCommand.js';

export const CLIENT_COMMANDS: readonly ClientCommand[] = [statusCommand, showCommand, reloadCommand, rescanCommand];

export interface CommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

export function findClientCommand(name: string): ClientCommand | undefined {
  return CLIENT_COMMANDS.find((c) => c.name === name);
}

/** Usage lines of the client commands, for main.ts's help text. */
export function clientCommandsHelp(): string {
  const width = Math.max(...CLIENT_COMMANDS.map((c) => c.usage.length));
  return CLIENT_COMMANDS.map((c) => `  lunhost ${c.usage.padEnd(width)}  ${c.summary}`).join('\n') + '\n'
    + '  (client commands take --json for scripts, and --socket PATH or --config FILE to find the daemon)\n';
}

/** The options every client command takes: --json, --socket PATH, --config FILE, --help. */
export function parseClientArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      json: { type: 'boolean', default: false },
      socket: { type: 'string' },
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
}

export async function runClientCommand(command: ClientCommand, argv: readonly string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseClientArgs(argv);
  } catch (err) {
    io.stderr.write(`lunhost ${command.name}: ${(err as Error).message}\nusage: lunhost ${command.usage} [--json] [--socket PATH | --config FILE]\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(`usage: lunhost ${command.usage} [--json] [--socket PATH | --config FILE]\n  ${command.summary}\n`);
    return 0;
  }
  const usageError = command.checkArgs(positionals);
  if (usageError) {
    io.stderr.write(`lunhost ${command.name}: ${usageError}\nusage: lunhost ${command.usage} [--json] [--socket PATH | --config FILE]\n`);
    return 2;
  }

  let socketPath: string;
  try {
    socketPath = await locateSocket({ socket: values.socket, config: values.config, cwd: io.cwd, env: io.env });
  } catch (err) {
    const what = err instanceof ConfigError ? err.message.split('\n')[0] : (err as Error).message;
    io.stderr.write(`lunhost ${command.name}: cannot tell which daemon to ask: ${what}; pass --socket PATH or --config FILE\n`);
    return 1;
  }

  const out: CommandOutput = {
    json: values.json === true,
    write: (text) => { io.stdout.write(text); },
    warn: (text) => { io.stderr.write(text); },
  };
  const client = new ManagementClient(socketPath);
  try {
    return await command.run(client, positionals, out);
  } catch (err) {
    if (err instanceof DaemonNotRunning || err instanceof ManagementApiError) {
      io.stderr.write(`lunhost ${command.name}: ${err.message}\n`);
    } else {
      io.stderr.write(`lunhost ${command.name}: unexpected failure talking to ${socketPath}: ${(err as Error).message}\n`);
    }
    return 1;
  } finally {
    await client.close().catch(() => undefined);
  }
}
