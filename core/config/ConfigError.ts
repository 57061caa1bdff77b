/**
 * Everything wrong with a declaration, each problem with the file, line and
 * column it comes from and the field path, formatted one per line as
 * `targets.yaml:12:9 targets[0].luns[1].size: must be ...`.
 */
import path from 'node:path';

export interface ConfigIssue {
  /** Path of the file (as given / found), or null for declarations built in code. */
  readonly file: string | null;
  /** 1-based; 0 when unknown. */
  readonly line: number;
  readonly column: number;
  /** e.g. 'targets[0].luns[1].size'; '' for the whole document. */
  readonly field: string;
  readonly message: string;
}

export function formatIssue(issue: ConfigIssue, cwd: string = process.cwd()): string {
  let where = issue.file ? displayPath(issue.file, cwd) : '<declaration>';
  if (issue.line > 0) where += `:${issue.line}:${issue.column}`;
  return issue.field ? `${where} ${issue.field}: ${issue.message}` : `${where} ${issue.message}`;
}

function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    const sorted = [...issues].sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || a.line - b.line || a.column - b.column);
    super(sorted.map((i) => formatIssue(i)).join('\n'));
    this.name = 'ConfigError';
    this.issues = sorted;
  }
}
