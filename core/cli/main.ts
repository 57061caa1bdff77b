#!/usr/bin/env node
/**
 * The lunhost command.
 *   lunhost [start] [--config PATH]   serve the declaration (SIGINT/SIGTERM stop, SIGHUP reloads)
 *   lunhost check [FILE]              validate only; exit 0 when valid, 1 otherwise
 *   lunhost plan [FILE]               what a reload would change (planCommand)
 *   lunhost status|show|reload|rescan talk to the running daemon (runClientCommand)
 */
import { parseArgs } from 'node:util';
import { ConfigError, formatIssue } from '../config/ConfigError.js';
import { DaemonControl } from '../host/DaemonControl.js';
import { Host } from '../host/Host.js';
import { lunhostVersion } from '../host/packageInfo.js';
import { createLogger } from '../log/createLogger.js';
import type { LogLevel } from '../log/Logger.js';
import { installProcessSignals } from '../reload/processSignals.js';
import { PLAN_SUMMARY, PLAN_USAGE, runPlanCommand } from './planCommand.js';
import { clientCommandsHelp, findClientCommand, runClientCommand } from './runClientCommand.js';

const USAGE = () => `Usage:
  lunhost [start] [--config PATH]   start the iSCSI target with the declaration
  lunhost check [FILE]              validate a declaration without applying it
  lunhost ${PLAN_USAGE}
                                    ${PLAN_SUMMARY}
  lunhost --help | --version

Commands for the running daemon (through its management socket):
${clientCommandsHelp()}
The declaration is found in the working directory: targets.yaml (.yml, .json),
lunhost.config.{yaml,yml,json,js,mjs,cjs}, or a "lunhost" key in package.json.
--config PATH (or FILE for check) names it explicitly.

Options:
  -c, --config PATH     the declaration file
      --log-level LVL   debug | info | warn | error (default: $LUNHOST_LOG_LEVEL, else the
                        declaration's logLevel, else info)
      --grace MS        on stop, how long initiators get to log out (default 5000)
  -h, --help            this text
  -v, --version         the lunhost version
`;

const GRACE_DEFAULT = 5000;
const LEVELS = ['debug', 'info', 'warn', 'error'];

/** The first positional argument (skipping the values of our own options). */
function commandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (['-c', '--config', '--log-level', '--grace', '--socket'].includes(a)) { i++; continue; }
    if (!a.startsWith('-')) return i;
  }
  return -1;
}

async function main(argv: string[]): Promise<number> {
  const at = commandIndex(argv);
  const io = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
  if (at >= 0 && argv[at] === 'plan') return runPlanCommand([...argv.slice(0, at), ...argv.slice(at + 1)], io);
  const client = at >= 0 ? findClientCommand(argv[at]!) : undefined;
  if (client) {
    return runClientCommand(client, [...argv.slice(0, at), ...argv.slice(at + 1)], {
      stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env,
    });
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        'log-level': { type: 'string' },
        grace: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    process.stderr.write(`lunhost: ${(err as Error).message}\n\n${USAGE()}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) { process.stdout.write(USAGE()); return 0; }
  if (values.version) { process.stdout.write(`${lunhostVersion()}\n`); return 0; }
  const level = values['log-level'] ?? (process.env.LUNHOST_LOG_LEVEL || undefined);
  if (level !== undefined && !LEVELS.includes(level)) {
    process.stderr.write(`lunhost: the log level must be debug, info, warn or error, got '${level}'\n`);
    return 2;
  }
  const grace = values.grace === undefined ? GRACE_DEFAULT : Number(values.grace);
  if (!Number.isFinite(grace) || grace < 0) { process.stderr.write('lunhost: --grace must be a number of milliseconds\n'); return 2; }
  const [command = 'start', ...rest] = positionals;
  if (command === 'check') {
    if (rest.length > 1) { process.stderr.write(`lunhost check takes one file\n\n${USAGE()}`); return 2; }
    return check(rest[0] ?? values.config ?? null);
  }
  if (command === 'start') {
    if (rest.length) { process.stderr.write(`lunhost start takes no file; use --config ${rest[0]}\n`); return 2; }
    return start(values.config ?? null, level as LogLevel | undefined, grace);
  }
  process.stderr.write(`lunhost: unknown command '${command}'\n\n${USAGE()}`);
  return 2;
}

function printConfigError(err: ConfigError): void {
  for (const issue of err.issues) process.stderr.write(formatIssue(issue) + '\n');
  process.stderr.write(`${err.issues.length} problem${err.issues.length === 1 ? '' : 's'} in the declaration; nothing was started.\n`);
}

async function check(file: string | null): Promise<number> {
  const log = createLogger({ level: 'warn' });
  try {
    const host = await Host.create({ configPath: file, log });
    const { declaration } = await host.load();
    const luns = declaration.targets.reduce((n, t) => n + t.luns.length, 0);
    process.stdout.write(`${declaration.file ?? 'declaration'}: valid (${declaration.portals.length} portal(s), ${declaration.targets.length} target(s), ${luns} LUN(s))\n`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const issue of err.issues) process.stderr.write(formatIssue(issue) + '\n');
      return 1;
    }
    process.stderr.write(`lunhost check: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

async function start(configPath: string | null, level: LogLevel | undefined, grace: number): Promise<number> {
  const log = createLogger({ level: level ?? 'info' });
  let host: Host;
  try {
    host = await Host.create({ configPath, log });
  } catch (err) {
    log.error(`cannot load the built-in plugins: ${(err as Error).message}`);
    return 1;
  }
  // Until the daemon controls are attached, a signal just stops the host.
  let stopping: Promise<void> | null = null;
  const earlyStop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    log.info(`${signal}: stopping (initiators get ${grace} ms to log out)`);
    stopping = host.stop(grace).then(() => process.exit(0), (err: unknown) => { log.error(`stop failed: ${(err as Error).message}`); process.exit(1); });
  };
  process.on('SIGINT', earlyStop);
  process.on('SIGTERM', earlyStop);
  let report;
  try {
    report = await host.start();
    if (level) log.setLevel(level);
    if (report.portalsDeclared > 0 && report.portalsListening === 0) {
      log.error('no portal could listen; exiting (see the errors above)');
      await host.stop(0);
      return 1;
    }
    const luns = [...host.state.targets.values()].reduce((n, t) => n + t.luns.size, 0);
    log.info(`lunhost ${lunhostVersion()} serving ${host.state.targets.size} target(s), ${luns} LUN(s) on ${report.portalsListening} portal(s)` +
      (report.failed.length ? `; ${report.failed.length} action(s) failed (see above)` : ''), { config: report.declaration.file });
  } catch (err) {
    if (err instanceof ConfigError) {
      printConfigError(err);
      await host.stop(0);
      return 1;
    }
    log.error(`start failed: ${(err as Error).stack ?? String(err)}`);
    await host.stop(0);
    return 1;
  }
  // The management API, the file watcher and SIGHUP share one reload path (DaemonControl).
  const control = await DaemonControl.attach(host, { started: report, graceMs: grace });
  process.off('SIGINT', earlyStop);
  process.off('SIGTERM', earlyStop);
  installProcessSignals({ reload: () => { void control.reload('signal'); }, shutdown: () => control.shutdown(), log });
  // Keep running: transports hold the event loop open; signals end it.
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => { if (code >= 0) process.exit(code); },
  (err: unknown) => { process.stderr.write(`lunhost: ${(err as Error).stack ?? String(err)}\n`); process.exit(1); },
);
