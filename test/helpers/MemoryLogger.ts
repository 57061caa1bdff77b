/** A Logger that keeps its lines in memory, for tests that check what was logged (or that nothing was). */
import type { LogFields, Logger, LogLevel } from '../../core/log/Logger.js';

export interface LogEntry {
  readonly level: LogLevel;
  readonly msg: string;
  readonly fields: LogFields;
}

export class MemoryLogger implements Logger {
  constructor(readonly entries: LogEntry[] = [], private readonly base: LogFields = {}) {}

  debug(msg: string, fields?: LogFields): void { this.push('debug', msg, fields); }
  info(msg: string, fields?: LogFields): void { this.push('info', msg, fields); }
  warn(msg: string, fields?: LogFields): void { this.push('warn', msg, fields); }
  error(msg: string, fields?: LogFields): void { this.push('error', msg, fields); }

  child(fields: LogFields): Logger {
    return new MemoryLogger(this.entries, { ...this.base, ...fields });
  }

  at(level: LogLevel): LogEntry[] {
    return this.entries.filter((e) => e.level === level);
  }

  private push(level: LogLevel, msg: string, fields?: LogFields): void {
    this.entries.push({ level, msg, fields: { ...this.base, ...fields } });
  }
}
