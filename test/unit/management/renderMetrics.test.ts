import t from 'tap';
import type { Test } from 'tap';
import { IoKind, LATENCY_BUCKETS, LunCounters } from '../../../core/management/LunCounters.js';
import { renderMetrics } from '../../../core/management/renderMetrics.js';
import { FakeManagementView, TARGET } from './FakeManagementView.js';

/** Checks the exposition format line by line; returns the samples by full series text. */
function parseExposition(t: Test, text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Map<string, string>();
  const helped = new Set<string>();
  t.ok(text.endsWith('\n'), 'ends with a line feed');
  for (const line of text.slice(0, -1).split('\n')) {
    let m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (m) { t.notOk(helped.has(m[1]!), `one HELP for ${m[1]}`); helped.add(m[1]!); continue; }
    m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (m) { t.notOk(typed.has(m[1]!), `one TYPE for ${m[1]}`); t.ok(helped.has(m[1]!), `HELP before TYPE for ${m[1]}`); typed.set(m[1]!, m[2]!); continue; }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*",?)*\})? (\S+)$/.exec(line);
    if (!t.ok(m, `sample line is well formed: ${line}`) || !m) continue;
    const name = m[1]!;
    const family = typed.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    t.ok(typed.has(family), `${name} follows the TYPE line of ${family}`);
    if (typed.get(family) === 'counter') t.match(name, /_total$/, 'counters end in _total');
    const value = m[3] === '+Inf' ? Infinity : Number(m[3]);
    t.notOk(Number.isNaN(value), `numeric value in ${line}`);
    samples.set(name + (m[2] ?? ''), value);
  }
  return samples;
}

t.test('every family has HELP and TYPE; samples are well formed', async (t) => {
  const view = new FakeManagementView();
  const text = renderMetrics(view.status(), view.luns(), view.sessions());
  const s = parseExposition(t, text);
  const l = `target="${TARGET}",lun="1"`;
  t.equal(s.get(`lunhost_lun_read_ops_total{${l}}`), 1);
  t.equal(s.get(`lunhost_lun_read_bytes_total{${l}}`), 4096);
  t.equal(s.get(`lunhost_lun_write_bytes_total{${l}}`), 8192);
  t.equal(s.get(`lunhost_lun_errors_total{${l}}`), 1);
  t.equal(s.get(`lunhost_lun_size_bytes{${l}}`), 64 * 2 ** 20);
  t.equal(s.get(`lunhost_sessions{target="${TARGET}"}`), 1);
  t.equal(s.get('lunhost_uptime_seconds'), 3725);
  t.equal(s.get('lunhost_info{version="0.1.0"}'), 1);
  t.equal(s.get('lunhost_last_reload_success'), 1);
});

t.test('the latency histogram is cumulative, in seconds, ending with +Inf = _count', async (t) => {
  const c = new LunCounters();
  c.record(IoKind.Read, 512, 3, false); // ≤ 4 µs
  c.record(IoKind.Read, 512, 3, false);
  c.record(IoKind.Write, 512, 1000, false); // ≤ 1024 µs
  c.record(IoKind.Write, 512, 1e10, false); // +Inf
  const view = new FakeManagementView();
  const lun = { ...view.luns()[0]!, counters: c.snapshot() };
  const s = parseExposition(t, renderMetrics(view.status(), [lun], []));
  const series = (le: string) => s.get(`lunhost_lun_command_duration_seconds_bucket{target="${TARGET}",lun="1",le="${le}"}`);
  t.equal(series('0.000002'), 0);
  t.equal(series('0.000004'), 2);
  t.equal(series('0.001024'), 3);
  t.equal(series('16.777216'), 3);
  t.equal(series('+Inf'), 4);
  t.equal(s.get(`lunhost_lun_command_duration_seconds_count{target="${TARGET}",lun="1"}`), 4);
  t.equal(s.get(`lunhost_lun_command_duration_seconds_sum{target="${TARGET}",lun="1"}`), (3 + 3 + 1000 + 1e10) / 1e6);
  const buckets = [...s.keys()].filter((k) => k.startsWith('lunhost_lun_command_duration_seconds_bucket'));
  t.equal(buckets.length, LATENCY_BUCKETS, 'one series per bucket, +Inf included');
  let prev = -1;
  for (const k of buckets) { t.ok(s.get(k)! >= prev, `non-decreasing at ${k}`); prev = s.get(k)!; }
});

t.test('label values are escaped; discovery sessions are not counted', async (t) => {
  const view = new FakeManagementView();
  const odd = 'iqn.2026-11.io.x:a"b\\c\nd';
  const lun = { ...view.luns()[0]!, target: odd };
  const sessions = [...view.sessions(), { ...view.sessions()[0]!, id: 'd', discovery: true, targetName: null }];
  const text = renderMetrics({ ...view.status(), lastReload: { ...view.status().lastReload!, ok: false } }, [lun], sessions);
  const s = parseExposition(t, text);
  t.ok(text.includes('target="iqn.2026-11.io.x:a\\"b\\\\c\\nd"'), 'quote, backslash and newline escaped');
  t.equal(s.get(`lunhost_sessions{target="${TARGET}"}`), 1);
  t.equal(s.get('lunhost_last_reload_success'), 0);
});
