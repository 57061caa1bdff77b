/**
 * Parses the console output of libiscsi's conformance suite (iscsi-test-cu,
 * CUnit's basic mode) into one verdict per test. CUnit prints "passed" for a
 * test that skipped itself, so a "[SKIPPED]" line before the verdict marks a skip.
 */
export type CuVerdict = 'passed' | 'failed' | 'skipped';

export interface CuTestResult {
  readonly suite: string;
  readonly test: string;
  readonly verdict: CuVerdict;
  /** The lines the test printed (reasons for skips and failures). */
  readonly detail: string;
}

export interface CuRunSummary {
  readonly results: readonly CuTestResult[];
  /** "tests" row of CUnit's Run Summary: [total, ran, passed, failed], or null if absent. */
  readonly summary: { total: number; ran: number; passed: number; failed: number } | null;
}

const VERDICT = /(?<!\[)\b(passed|FAILED)\b(?!\])/;

export function parseIscsiTestCu(output: string): CuRunSummary {
  const results: CuTestResult[] = [];
  let suite = '';
  let current: { test: string; body: string } | null = null;
  const finish = (): void => {
    if (!current) return;
    const m = VERDICT.exec(current.body);
    const before = m ? current.body.slice(0, m.index) : current.body;
    const verdict: CuVerdict = !m || m[1] === 'FAILED' ? 'failed' : before.includes('[SKIPPED]') ? 'skipped' : 'passed';
    results.push({ suite, test: current.test, verdict, detail: current.body.trim() });
    current = null;
  };
  const runSummaryAt = output.indexOf('Run Summary:');
  const body = runSummaryAt >= 0 ? output.slice(0, runSummaryAt) : output;
  for (const line of body.split('\n')) {
    const s = /^Suite: (.+)$/.exec(line);
    if (s) { finish(); suite = s[1]!.trim(); continue; }
    const t = /^\s+Test: (\S+) \.\.\.(.*)$/.exec(line);
    if (t) { finish(); current = { test: t[1]!, body: t[2]! + '\n' }; continue; }
    if (current) current.body += line + '\n';
  }
  finish();
  const row = /^\s*tests\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(runSummaryAt >= 0 ? output.slice(runSummaryAt) : '');
  const summary = row ? { total: +row[1]!, ran: +row[2]!, passed: +row[3]!, failed: +row[4]! } : null;
  return { results, summary };
}
