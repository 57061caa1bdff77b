import t from 'tap';
import { ConfigError } from '../../../core/config/ConfigError.js';
import { ReloadCoordinator } from '../../../core/reload/ReloadCoordinator.js';
import { silentLogger } from '../../../core/log/createLogger.js';
import type { ReloadTrigger } from '../../../core/management/ManagementView.js';

/** An apply whose runs the test releases one by one. */
function gatedApply() {
  const calls: { trigger: ReloadTrigger; release: (changes: number | Error) => void }[] = [];
  const apply = (trigger: ReloadTrigger) => new Promise<{ changes: number }>((resolve, reject) => {
    calls.push({ trigger, release: (c) => (c instanceof Error ? reject(c) : resolve({ changes: c })) });
  });
  return { apply, calls };
}

const tick = () => new Promise((r) => setImmediate(r));

t.test('start-up is generation 1; reloads with changes add one, no-op reloads do not', async (t) => {
  let changes = 2;
  const c = new ReloadCoordinator(async () => ({ changes }), silentLogger(), () => new Date('2026-11-21T21:00:00Z'));
  t.equal(c.lastResult, null);
  c.started({ changes: 3 });
  t.equal(c.generation, 1);
  t.match(c.lastResult, { ok: true, trigger: 'start', changes: 3, generation: 1 });
  const r = await c.reload('file');
  t.match(r, { ok: true, trigger: 'file', changes: 2, generation: 2, at: '2026-11-21T21:00:00.000Z', error: null });
  changes = 0;
  const same = await c.reload('signal');
  t.match(same, { ok: true, changes: 0, generation: 2 });
});

t.test('an invalid declaration keeps the generation and records file, line and field', async (t) => {
  const c = new ReloadCoordinator(async () => {
    throw new ConfigError([{ file: '/x/targets.yaml', line: 7, column: 5, field: 'targets[0].luns[0].size', message: 'must be a size' }]);
  }, silentLogger());
  c.started({ changes: 1 });
  const r = await c.reload('api');
  t.equal(r.ok, false);
  t.equal(r.generation, 1);
  t.same(r.issues, [{ file: '/x/targets.yaml', line: 7, column: 5, field: 'targets[0].luns[0].size', message: 'must be a size' }]);
  t.match(r.error, /targets\.yaml:7:5 targets\[0\]\.luns\[0\]\.size: must be a size/);
  t.equal(c.lastResult, r, 'kept for /status');
});

t.test('actions that failed make the reload not ok; the generation still moves when others applied', async (t) => {
  const c = new ReloadCoordinator(async () => ({ changes: 3, failed: ['target t: LUN 2: cannot open /x.img: ENOENT'] }), silentLogger());
  c.started({ changes: 1 });
  const r = await c.reload('file');
  t.match(r, { ok: false, changes: 3, generation: 2, issues: [] });
  t.match(r.error, /1 of 3 change\(s\) failed:\ntarget t: LUN 2: cannot open/);
  const start = new ReloadCoordinator(async () => ({ changes: 0 }), silentLogger()).started({ changes: 2, failed: ['portal main: EADDRINUSE'] });
  t.match(start, { ok: false, trigger: 'start', generation: 1 });
});

t.test('an apply failure that is not a ConfigError is reported with its message', async (t) => {
  const c = new ReloadCoordinator(async () => { throw new Error('portal main: address in use'); }, silentLogger());
  const r = await c.reload('signal');
  t.match(r, { ok: false, error: 'portal main: address in use', issues: [] });
});

t.test('reloads never overlap; requests during a run share one follow-up run', async (t) => {
  const { apply, calls } = gatedApply();
  const c = new ReloadCoordinator(apply, silentLogger());
  const first = c.reload('file');
  await tick();
  const second = c.reload('api');
  const third = c.reload('signal');
  await tick();
  t.equal(calls.length, 1, 'the second waits for the first');
  t.equal(second, third, 'queued requests share one run');
  calls[0]!.release(1);
  t.match(await first, { ok: true, trigger: 'file', generation: 1 });
  await tick();
  t.equal(calls.length, 2, 'the follow-up started after the first finished');
  t.equal(calls[1]!.trigger, 'api');
  const fourth = c.reload('file');
  t.not(fourth, second, 'a request during the follow-up queues a new one');
  calls[1]!.release(new Error('boom'));
  t.match(await second, { ok: false, error: 'boom' });
  await tick();
  t.equal(calls.length, 3);
  calls[2]!.release(0);
  t.match(await fourth, { ok: true, changes: 0 });
});
