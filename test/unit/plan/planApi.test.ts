/**
 * The plan side of the management API on a real Host (plan/apply, core/scsi)
 * with a memory store and a stand-in transport with one logged-in session:
 * POST /plan plans a file (or the daemon's own) against what runs and
 * changes nothing; a reload applies that same plan, object by object; a
 * store that cannot open stays out and is reported (GET /plan/last,
 * GET /reloads, /status notApplied) and retried by the next reload.
 */
import t from 'tap';
import type { Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagementClient } from '../../../core/cli/ManagementClient.js';
import { DaemonControl } from '../../../core/host/DaemonControl.js';
import { Host } from '../../../core/host/Host.js';
import { silentLogger, type RootLogger } from '../../../core/log/createLogger.js';
import type { LunhostPlugin } from '../../../core/plugin/Plugin.js';
import type { SessionInfo, Transport } from '../../../core/transport/Transport.js';
import { MemoryStore } from '../../helpers/MemoryStore.js';

const IQN = 'iqn.2026-11.io.lunhost.test:plan';
const log: RootLogger = { ...silentLogger(), setLevel: () => {} };

function plugins(failing: Set<string>): LunhostPlugin[] {
  const session: SessionInfo = {
    id: 's1', transport: 'fake', targetName: IQN, initiatorName: 'iqn.2026-11.org.example:i1', initiatorAlias: null,
    remoteAddress: '127.0.0.1', discovery: false, connections: 1, parameters: {},
  };
  return [{
    name: 'test-mem-store',
    apply(host) {
      host.hooks.store.for('mem').tap('test-mem-store', () => ({
        type: 'mem', optionsSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false }, defaultSize: null,
        describe: (o) => `memory ${String(o.name)}`,
        async open(req) {
          if (failing.has(String(req.options.name))) throw new Error(`memory ${String(req.options.name)} is not available`);
          return new MemoryStore({ size: req.size === 'auto' ? 1 << 20 : req.size });
        },
      }));
    },
  }, {
    name: 'test-fake-transport',
    apply(host) {
      host.hooks.transport.for('fake').tap('test-fake-transport', () => ({
        name: 'fake', optionsSchema: { type: 'object' }, targetOptionsSchema: { type: 'object' }, defaultPort: 3260,
        create(): Transport {
          let served = false;
          return {
            async configure(_portals, targets) { served = targets.some((x) => x.name === IQN); },
            sessions: () => (served ? [session] : []),
            async dropSessions() {},
            async close() {},
          };
        },
      }));
    },
  }];
}

const lun = (n: number, name: string, size: string) => `      - lun: ${n}\n        store: mem\n        name: ${name}\n        size: ${size}\n`;
const yaml = (luns: string) => `portals:
  - name: p
    transport: fake
    listen: 127.0.0.1:3260
targets:
  - iqn: ${IQN}
    bindings: [ALL]
    luns:
${luns}`;

async function setup(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'lunhost-plan-api-'));
  const file = join(dir, 'targets.yaml');
  writeFileSync(file, yaml(lun(1, 'one', '1MiB')));
  const failing = new Set<string>();
  const host = await Host.create({ cwd: dir, log, builtins: false, plugins: plugins(failing) });
  const started = await host.start();
  // No watcher: reloads happen when the test asks.
  const control = await DaemonControl.attach(host, { started, graceMs: 100, watch: false });
  const client = new ManagementClient(join(dir, 'state', 'lunhost.sock'));
  t.teardown(async () => {
    await client.close();
    await control.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, file, host, control, client, failing };
}

const sizes = (host: Host) => [...host.state.targets.get(IQN)!.luns.values()].map((l) => `${l.decl.lun}:${l.store.size}`).sort();

t.test('POST /plan: a file planned against what runs, with the session it disturbs; nothing changes', async (t) => {
  const { dir, host, client } = await setup(t);
  const edited = join(dir, 'edited.yaml');
  writeFileSync(edited, yaml(lun(1, 'one', '4MiB') + lun(2, 'two', '2MiB')));
  const answer = await client.plan(edited);
  if (!answer.ok) throw new Error(answer.error);
  const r = answer.report;
  t.match(r, { format: 1, file: edited, against: 'running', generation: 1, sessions: 1, summary: { changes: 2, refused: 0, disruptive: 2 } });
  t.same(r.actions.map((a) => `${a.sign} ${a.text}`), ['~ lun 1 size 1 MiB → 4 MiB', '+ lun 2 (memory two, 2 MiB)']);
  t.equal(r.actions[0]!.effect, '1 session gets CAPACITY DATA HAS CHANGED');
  t.equal(r.actions[1]!.effect, '1 session will see REPORTED LUNS DATA HAS CHANGED');
  t.same(sizes(host), [`1:${1 << 20}`], 'nothing applied');
  t.equal((await client.status()).generation, 1);
  const own = await client.plan(null);
  t.match(own, { ok: true, report: { actions: [] } }, 'the daemon\'s own file: no changes');
});

t.test('POST /plan: an invalid file is 422 with file:line:field; a relative path is 400', async (t) => {
  const { dir, client } = await setup(t);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, yaml(lun(1, 'one', 'huge')));
  const answer = await client.plan(bad);
  t.match(answer, { ok: false, issues: [{ file: bad, line: 12, field: 'targets[0].luns[0].size' }] });
  await t.rejects(client.plan('bad.yaml'), { statusCode: 400, message: /absolute path/ });
});

t.test('a reload applies the plan shown, object by object; the failure is reported and retried', async (t) => {
  const { file, host, control, client, failing } = await setup(t);
  const start = await client.lastPlan();
  t.match(start, { trigger: 'start', ok: true, generation: 1, summary: { changes: 3, applied: 3, failed: 0 } });
  t.same(start!.actions.map((a) => a.outcome), ['ok', 'ok', 'ok']);

  failing.add('three');
  writeFileSync(file, yaml(lun(1, 'one', '4MiB') + lun(2, 'two', '2MiB') + lun(3, 'three', '1MiB')));
  const shown = await client.plan(null);
  if (!shown.ok) throw new Error(shown.error);
  const result = await client.reload();
  t.match(result, { ok: false, trigger: 'api', changes: 3, generation: 2 });
  t.same(sizes(host), [`1:${4 << 20}`, `2:${2 << 20}`], 'the rest applied');
  const last = await client.lastPlan();
  t.same(last!.actions.map((a) => a.id), shown.report.actions.map((a) => a.id), 'exactly the plan shown');
  t.same(last!.actions.map((a) => a.outcome), ['ok', 'ok', 'failed']);
  t.match(last!.actions[2]!.error, /LUN 3 of .* not attached: cannot open memory three: memory three is not available/);
  t.match(last, { ok: false, generation: 2, summary: { applied: 2, failed: 1 } });
  const status = await client.status();
  t.match(status.notApplied, [{ id: `lun:${IQN}/3`, action: `+ lun 3 (memory three, 1 MiB) of ${IQN}`, error: /memory three is not available/ }]);

  const next = await client.plan(null);
  t.match(next, { ok: true, report: { actions: [{ id: `lun:${IQN}/3`, kind: 'add-lun' }] } }, 'the next plan holds only what failed');
  failing.delete('three');
  const retried = await control.reload('signal');
  t.match(retried, { ok: true, changes: 1, generation: 3 });
  t.same(sizes(host), [`1:${4 << 20}`, `2:${2 << 20}`, `3:${1 << 20}`]);
  t.same((await client.status()).notApplied, []);
  const history = await client.reloadHistory();
  t.same(history.map((h) => `${h.trigger} ${h.generation} ${h.ok}`), ['signal 3 true', 'api 2 false', 'start 1 true']);
});

t.test('an invalid declaration is kept in the history; /plan/last stays the last applied plan', async (t) => {
  const { file, client } = await setup(t);
  writeFileSync(file, yaml(lun(1, 'one', 'huge')));
  const result = await client.reload();
  t.equal(result.ok, false);
  const history = await client.reloadHistory();
  t.match(history[0], { trigger: 'api', ok: false, actions: [], issues: [{ field: 'targets[0].luns[0].size' }] });
  t.match(await client.lastPlan(), { trigger: 'start' });
});
