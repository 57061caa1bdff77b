/**
 * DaemonControl on a real Host (plan/apply, core/scsi) with a memory store
 * and a stand-in transport: the management API reports what runs, LUN
 * counters move with I/O, the file watcher and POST /reload apply an edit,
 * an invalid edit changes nothing and is kept for /status, rescan re-reads
 * sizes, shutdown closes everything and removes the socket.
 */
import t from 'tap';
import type { Test } from 'tap';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonControl } from '../../../core/host/DaemonControl.js';
import { Host } from '../../../core/host/Host.js';
import { silentLogger, type RootLogger } from '../../../core/log/createLogger.js';
import { ManagementClient } from '../../../core/cli/ManagementClient.js';
import type { LunhostPlugin } from '../../../core/plugin/Plugin.js';
import type { ScsiTargetDevice } from '../../../core/scsi/ScsiCommand.js';
import type { SessionInfo, Transport } from '../../../core/transport/Transport.js';
import { MemoryStore } from '../../helpers/MemoryStore.js';

const IQN = 'iqn.2026-11.io.lunhost.test:ctl';
const log: RootLogger = { ...silentLogger(), setLevel: () => {} };

/** A memory store whose "external" size a test changes, seen on refreshSize (size: auto stores). */
class GrowableStore extends MemoryStore {
  externalSize: number;
  constructor(size: number) {
    super({ size });
    this.externalSize = size;
  }
  /** close() never resolves (a store whose server went away). */
  hangOnClose = false;
  override async close(): Promise<void> {
    if (this.hangOnClose) return new Promise<void>(() => {});
    return super.close();
  }
  async refreshSize(): Promise<number> {
    if (this.externalSize !== this.size) await this.resize(this.externalSize);
    return this.size;
  }
}

function plugins(stores: GrowableStore[], served: Map<string, ScsiTargetDevice>, closed: string[]): LunhostPlugin[] {
  const session: SessionInfo = {
    id: 's1', transport: 'fake', targetName: IQN, initiatorName: 'iqn.2026-11.org.example:i1', initiatorAlias: null,
    remoteAddress: '127.0.0.1:4000', discovery: false, connections: 1, parameters: { HeaderDigest: 'None' },
  };
  const store: LunhostPlugin = {
    name: 'test-mem-store',
    apply(host) {
      host.hooks.store.for('mem').tap('test-mem-store', () => ({
        type: 'mem', optionsSchema: { type: 'object', properties: {}, additionalProperties: false }, defaultSize: null,
        describe: () => 'memory',
        async open(req) {
          const s = new GrowableStore(req.size === 'auto' ? 1 << 20 : req.size);
          stores.push(s);
          return s;
        },
      }));
    },
  };
  const transport: LunhostPlugin = {
    name: 'test-fake-transport',
    apply(host) {
      host.hooks.transport.for('fake').tap('test-fake-transport', () => ({
        name: 'fake', optionsSchema: { type: 'object' }, targetOptionsSchema: { type: 'object' }, defaultPort: 3260,
        create(): Transport {
          return {
            async configure(_portals, targets) {
              served.clear();
              for (const tg of targets) served.set(tg.name, tg.scsi);
            },
            sessions: () => (served.has(IQN) ? [session] : []),
            async dropSessions() {},
            async close() { closed.push('transport'); },
          };
        },
      }));
    },
  };
  return [store, transport];
}

function yaml(luns: string, top = ''): string {
  return `${top}portals:
  - name: p
    transport: fake
    listen: 127.0.0.1:3260
targets:
  - iqn: ${IQN}
    bindings: [ALL]
    luns:
${luns}`;
}
const LUN1 = '      - lun: 1\n        store: mem\n        size: 1MiB\n';
const LUN2 = '      - lun: 2\n        store: mem\n        size: 2MiB\n';

const nexus = {
  id: 'n1', initiatorName: 'iqn.2026-11.org.example:i1', initiatorPortName: 'iqn.2026-11.org.example:i1,i,0x000000000001',
  targetPortName: `${IQN},t,0x0001`, relativeTargetPortId: 1, transportId: Buffer.alloc(0),
};

function command(lun: number, cdb: number[], dataOut: Buffer | null = null) {
  const c = Buffer.alloc(16);
  Buffer.from(cdb).copy(c);
  return { nexus, lun, cdb: c, taskTag: 1, taskAttribute: 0, expectedDataLength: dataOut?.length ?? 4096, dataOut };
}

async function until(t: Test, what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.fail(`${what} did not happen within 10 s`);
}

async function setup(t: Test, stopTimeoutMs?: number, top = '') {
  const dir = mkdtempSync(join(tmpdir(), 'lunhost-ctl-'));
  const file = join(dir, 'targets.yaml');
  writeFileSync(file, yaml(LUN1, top));
  const stores: GrowableStore[] = [];
  const served = new Map<string, ScsiTargetDevice>();
  const closed: string[] = [];
  const host = await Host.create({ cwd: dir, log, builtins: false, plugins: plugins(stores, served, closed) });
  const started = await host.start();
  const control = await DaemonControl.attach(host, { started, graceMs: 100, ...(stopTimeoutMs ? { stopTimeoutMs } : {}) });
  const client = new ManagementClient(join(dir, 'state', 'lunhost.sock'));
  t.teardown(async () => {
    await client.close();
    await control.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, file, host, control, client, stores, served, closed };
}

t.test('status, targets, sessions and LUNs of what runs', async (t) => {
  const { client, file } = await setup(t);
  const status = await client.status();
  t.match(status, { pid: process.pid, configFile: file, generation: 1, targets: 1, luns: 1, sessions: 1 });
  t.match(status.lastReload, { ok: true, trigger: 'start' });
  t.match(await client.targets(), [{ name: IQN, portals: ['p'], luns: [1], bindings: ['ALL'], auth: 'none', sessions: 1 }]);
  t.match(await client.sessions(), [{ initiatorName: 'iqn.2026-11.org.example:i1', parameters: { HeaderDigest: 'None' } }]);
  t.match(await client.luns(), [{ target: IQN, lun: 1, store: 'mem', size: 1 << 20, blockSize: 512, readOnly: false }]);
});

t.test('SCSI I/O moves the LUN counters', async (t) => {
  const { client, served } = await setup(t);
  const scsi = served.get(IQN)!;
  scsi.nexusOpened(nexus);
  await scsi.execute(command(1, [0x00])); // TEST UNIT READY: takes the power-on unit attention
  const write = await scsi.execute(command(1, [0x2a, 0, 0, 0, 0, 0, 0, 0, 8, 0], Buffer.alloc(4096, 1)));
  t.equal(write.status, 0);
  const read = await scsi.execute(command(1, [0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0]));
  t.equal(read.status, 0);
  const bad = await scsi.execute(command(1, [0x28, 0, 0xff, 0xff, 0xff, 0, 0, 0, 8, 0])); // LBA out of range
  t.equal(bad.status, 2);
  const [lun] = await client.luns();
  t.equal(lun?.counters.writeOps, 1);
  t.equal(lun?.counters.writeBytes, 4096);
  t.equal(lun?.counters.readOps, 2);
  t.equal(lun?.counters.readBytes, 4096, 'a failed read moves no bytes');
  t.equal(lun?.counters.errors, 1);
  t.ok((lun?.counters.latency.count ?? 0) >= 3);
});

t.test('a saved edit is applied by the watcher; an invalid one changes nothing', async (t) => {
  const { client, file, dir } = await setup(t);
  const tmp = join(dir, 'tmp.yaml');
  writeFileSync(tmp, yaml(LUN1 + LUN2));
  renameSync(tmp, file);
  await until(t, 'the reload of the added LUN', async () => (await client.status()).generation === 2);
  t.same((await client.luns()).map((l) => l.lun), [1, 2]);
  t.match((await client.status()).lastReload, { ok: true, trigger: 'file', changes: 1 });

  writeFileSync(file, yaml(LUN1 + LUN2.replace('size: 2MiB', 'size: huge')));
  await until(t, 'the refusal', async () => (await client.status()).lastReload?.ok === false);
  const status = await client.status();
  t.equal(status.generation, 2, 'generation unchanged');
  t.match(status.lastReload, { trigger: 'file', issues: [{ file, line: 14, field: 'targets[0].luns[1].size' }] });
  t.same((await client.luns()).map((l) => l.lun), [1, 2], 'both LUNs still served');

  const viaApi = await client.reload();
  t.match(viaApi, { ok: false, trigger: 'api', generation: 2 });
  writeFileSync(file, yaml(LUN1));
  const fixed = await client.reload();
  t.equal(fixed.ok, true);
  await until(t, 'LUN 2 removed', async () => (await client.luns()).length === 1);
});

t.test('rescan re-reads store sizes and reports the change', async (t) => {
  const { client, stores } = await setup(t);
  stores[0]!.externalSize = 4 << 20;
  const r = await client.rescan({ target: IQN, lun: 1 });
  t.same(r, { checked: 1, changed: [{ target: IQN, lun: 1, previousSize: 1 << 20, size: 4 << 20 }] });
  t.equal((await client.luns())[0]?.size, 4 << 20);
  t.same(await client.rescan({ target: null, lun: null }), { checked: 1, changed: [] }, 'nothing changed since');
  await t.rejects(client.rescan({ target: 'iqn.2026-11.io.nope:x', lun: null }), { statusCode: 404, message: /no target/ });
  await t.rejects(client.rescan({ target: IQN, lun: 9 }), { statusCode: 404, message: /has no LUN 9/ });
});

t.test('the periodic size check (sizeCheckInterval) picks up a grown volume by itself', async (t) => {
  const { client, stores, served } = await setup(t, undefined, 'sizeCheckInterval: 1\n');
  const device = served.get(IQN)!;
  await device.execute(command(1, [0x00]));
  await device.execute(command(1, [0x00]));
  stores[0]!.externalSize = 3 << 20;
  await until(t, 'the LUN grew to 3 MiB', async () => (await client.luns())[0]?.size === 3 << 20);
  const tur = await device.execute(command(1, [0x00]));
  t.equal(tur.status, 2, 'the next command gets CHECK CONDITION');
  t.same([tur.sense?.[2]! & 0x0f, tur.sense?.[12], tur.sense?.[13]], [0x06, 0x2a, 0x09], 'UNIT ATTENTION: CAPACITY DATA HAS CHANGED');
});

t.test('sizeCheckInterval: 0 turns the periodic check off', async (t) => {
  const { client, stores } = await setup(t, undefined, 'sizeCheckInterval: 0\n');
  stores[0]!.externalSize = 3 << 20;
  await new Promise((r) => setTimeout(r, 1500));
  t.equal((await client.luns())[0]?.size, 1 << 20, 'unchanged without a rescan');
});

t.test('shutdown closes the transport and the stores and removes the socket', async (t) => {
  const { control, stores, closed, dir } = await setup(t);
  await control.shutdown();
  t.same(closed, ['transport']);
  t.ok(stores.every((s) => s.closed), 'every store closed');
  t.notOk(existsSync(join(dir, 'state', 'lunhost.sock')));
  t.match(await control.reload('signal'), { ok: false, error: /shutting down/ });
});

t.test('shutdown is bounded: a store that never closes does not keep it waiting', async (t) => {
  const { control, stores, closed } = await setup(t, 300);
  stores[0]!.hangOnClose = true;
  await control.shutdown();
  t.same(closed, ['transport'], 'the transport was closed before the store hung');
  t.equal(stores[0]!.closed, false);
});
