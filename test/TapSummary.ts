/**
 * Reads TAP from stdin, passes it through, and ends with the line
 * "N passed, N failed, N skipped" counted over every assertion of every
 * nested subtest. A subtest that failed without a failing assertion of its
 * own (a crash, a timeout, a non-zero exit) counts as one failure.
 * Exits 1 when anything failed or nothing ran.
 */
import { Parser, type Result } from 'tap-parser';

interface Tally { pass: number; fail: number; skip: number }
const total: Tally = { pass: 0, fail: 0, skip: 0 };
let bailedOut = false;

/** Counts the leaf assertions of `parser`; returns how many failed in it and below. */
function watch(parser: Parser): { failures: number } {
  const own = { failures: 0 };
  let lastChild: { failures: number } | null = null;
  parser.on('child', (child: Parser) => { lastChild = watch(child); });
  parser.on('assert', (res: Result) => {
    if (res.closingTestPoint) {
      const child = lastChild ?? { failures: 0 };
      lastChild = null;
      if (!res.ok && !res.todo && child.failures === 0) { total.fail++; own.failures++; }
      own.failures += child.failures;
      return;
    }
    if (res.skip || res.todo) total.skip++;
    else if (res.ok) total.pass++;
    else { total.fail++; own.failures++; }
  });
  return own;
}

const root = new Parser();
watch(root);
root.on('bailout', () => { bailedOut = true; });
root.on('complete', () => {
  if (bailedOut) total.fail++;
  process.stdout.write(`\n${total.pass} passed, ${total.fail} failed, ${total.skip} skipped\n`);
  process.exitCode = total.fail > 0 || total.pass === 0 ? 1 : 0;
});
process.stdin.on('data', (chunk: Buffer) => { process.stdout.write(chunk); });
process.stdin.pipe(root);
