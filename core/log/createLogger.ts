/**
 * The Logger implementation: level filtering, pretty lines on a TTY, JSON
 * lines otherwise (one object per line, for journald / log shippers).
 */
import type { LogFields, Logger, LogLevel } from './Logger.js';

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Human-readable lines; default: whether `stream` is a TTY. */
  readonly pretty?: boolean;
  /** Where lines go; default process.stderr (stdout stays free for command output). */
  readonly stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Fields added to every line. */
  readonly fields?: LogFields;
}

/** A logger whose level can be changed after creation (logLevel comes from the declaration). */
export interface RootLogger extends Logger {
  setLevel(level: LogLevel): void;
}

export function createLogger(options: LoggerOptions = {}): RootLogger {
  const stream = options.stream ?? process.stderr;
  const pretty = options.pretty ?? Boolean(stream.isTTY);
  const state = { rank: LEVEL_RANK[options.level ?? 'info'] };

  const make = (base: LogFields): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
      if (LEVEL_RANK[level] < state.rank) return;
      const all = fields ? { ...base, ...fields } : base;
      stream.write(pretty ? prettyLine(level, msg, all) : jsonLine(level, msg, all));
    };
    return {
      debug: (msg, fields) => emit('debug', msg, fields),
      info: (msg, fields) => emit('info', msg, fields),
      warn: (msg, fields) => emit('warn', msg, fields),
      error: (msg, fields) => emit('error', msg, fields),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  const root = make(options.fields ?? {});
  return { ...root, setLevel: (level) => { state.rank = LEVEL_RANK[level]; } };
}

/** A logger that drops everything (tests, library use). */
export function silentLogger(): Logger {
  const noop = (): void => {};
  const log: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => log };
  return log;
}

function jsonLine(level: LogLevel, msg: string, fields: LogFields): string {
  const record: Record<string, unknown> = { time: new Date().toISOString(), level, msg };
  for (const [k, v] of Object.entries(fields)) record[k] = plain(v);
  return JSON.stringify(record) + '\n';
}

const COLOUR: Record<LogLevel, string> = { debug: '\x1b[90m', info: '\x1b[36m', warn: '\x1b[33m', error: '\x1b[31m' };

function prettyLine(level: LogLevel, msg: string, fields: LogFields): string {
  const time = new Date().toISOString().slice(11, 23);
  let line = `${time} ${COLOUR[level]}${level.toUpperCase().padEnd(5)}\x1b[0m ${msg}`;
  for (const [k, v] of Object.entries(fields)) {
    const p = plain(v);
    line += ` \x1b[90m${k}=\x1b[0m${typeof p === 'string' ? (/\s/.test(p) ? JSON.stringify(p) : p) : JSON.stringify(p)}`;
  }
  return line + '\n';
}

/** Errors are not JSON-serialisable as is; keep their message (and code). */
function plain(v: unknown): unknown {
  if (v instanceof Error) {
    const code = (v as NodeJS.ErrnoException).code;
    return code ? `${v.message} (${code})` : v.message;
  }
  if (typeof v === 'bigint') return v.toString();
  return v;
}
