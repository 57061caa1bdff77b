/** The conformance-suite parser against a real run of Debian's tgtd 1.0.85 (-t ALL, one file LUN). */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { parseIscsiTestCu } from '../../helpers/IscsiTestCuReport.js';
import { REPO_ROOT } from '../../helpers/LunhostDaemon.js';

const text = readFileSync(`${REPO_ROOT}/test/fixtures/iscsi-test-cu/tgtd-1.0.85-all.txt`, 'utf8');
const { results, summary } = parseIscsiTestCu(text);

t.same(summary, { total: 230, ran: 230, passed: 222, failed: 8 });
t.equal(results.length, 230, 'one verdict per test');
t.equal(results.filter((r) => r.verdict === 'failed').length, 8, 'failures as CUnit counted them');
// 62 tests skip themselves; they print 81 "[SKIPPED]" lines (some print two).
t.equal(results.filter((r) => r.verdict === 'skipped').length, 62, 'skips (CUnit prints them as passed)');
t.equal((text.match(/\[SKIPPED\]/g) ?? []).length, 81);
t.same(
  results.filter((r) => r.verdict === 'failed').map((r) => `${r.suite}.${r.test}`).sort(),
  ['GetLBAStatus.BeyondEol', 'PrinServiceactionRange.Range', 'ProutReserve.OwnershipEA', 'ProutReserve.OwnershipEARO',
    'ProutReserve.OwnershipWE', 'ProutReserve.OwnershipWERO', 'Reserve6.2Initiators',
    'iSCSIdatasn.iSCSIDataSnInvalid'].sort(),
);
t.match(results.find((r) => r.test === 'BlockLimits')!.detail, /fully provisioned/);
