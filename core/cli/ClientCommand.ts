/**
 * A CLI command that talks to the running daemon through the management API
 * (status, show, reload, rescan). runClientCommand parses the common flags,
 * finds the socket and turns failures into one line on stderr.
 */
import type { ManagementClient } from './ManagementClient.js';

export interface CommandOutput {
  /** --json: print the API's JSON as is (for scripts); otherwise tables. */
  readonly json: boolean;
  write(text: string): void;
  /** Messages that are not the command's result (warnings, errors). */
  warn(text: string): void;
}

export interface ClientCommand {
  readonly name: string;
  /** e.g. 'show targets|sessions|luns' */
  readonly usage: string;
  readonly summary: string;
  /** Check the positional arguments before connecting; returns an error message or null. */
  checkArgs(args: readonly string[]): string | null;
  /** Returns the exit code. */
  run(client: ManagementClient, args: readonly string[], out: CommandOutput): Promise<number>;
}

/** JSON output the same way everywhere: indented, one trailing newline. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** checkArgs of a command that takes no arguments. */
export function noArguments(name: string): (args: readonly string[]) => string | null {
  return (args) => (args.length === 0 ? null : `${name} takes no arguments, got '${args.join(' ')}'`);
}
