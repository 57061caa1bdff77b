/**
 * A persistent reservation registered with APTPL survives a restart of the
 * daemon (SPC-4 5.14.6): the key and the reservation are read back by a new
 * session, from the LUN's state directory. Without APTPL nothing survives.
 */
import t from 'tap';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LunhostDaemon } from '../helpers/LunhostDaemon.js';
import { E2E_IQN, fileTargetYaml } from '../helpers/fileTargetYaml.js';
import { clearUnitAttention, loginConnection, scsiCommand, taskResult } from '../helpers/rawSession.js';
import type { RawIscsiInitiator } from '../helpers/RawIscsiInitiator.js';

const KEY = Buffer.from('1122334455667788', 'hex');
const daemon = await LunhostDaemon.start({
  yaml: (port, dir) => fileTargetYaml(port, dir, [{ lun: 1, file: 'pr.img', size: '16MiB' }]),
});
t.teardown(() => daemon.dispose());

/** PERSISTENT RESERVE OUT with a 24-byte parameter list. */
async function prOut(c: RawIscsiInitiator, serviceAction: number, type: number, key: Buffer, saKey: Buffer, aptpl: boolean): Promise<number> {
  const params = Buffer.alloc(24);
  key.copy(params, 0);
  saKey.copy(params, 8);
  params[20] = aptpl ? 0x01 : 0x00;
  const itt = scsiCommand(c, [0x5f, serviceAction, type, 0, 0, 0, 0, 0, 24, 0], { write: true, expectedDataTransferLength: 24, data: params });
  return (await taskResult(c, itt))?.status ?? -1;
}

/** PERSISTENT RESERVE IN; returns the parameter data. */
async function prIn(c: RawIscsiInitiator, serviceAction: number): Promise<Buffer> {
  const itt = scsiCommand(c, [0x5e, serviceAction, 0, 0, 0, 0, 0, 0x01, 0x00, 0], { read: true, expectedDataTransferLength: 256 });
  const r = await taskResult(c, itt);
  if (!r || r.status !== 0) throw new Error(`PERSISTENT RESERVE IN failed: status ${r?.status}`);
  return r.data;
}

/** Registrations belong to an initiator port (name + ISID): reconnect as the same one, as a real initiator does. */
const ISID = '400001370001';
async function session(): Promise<RawIscsiInitiator> {
  const { conn, response } = await loginConnection(daemon.port, E2E_IQN, { isid: ISID });
  if (response.statusClass !== 0) throw new Error(`login refused: ${response.statusClass}/${response.statusDetail}`);
  await clearUnitAttention(conn);
  return conn;
}

t.test('REGISTER with APTPL and RESERVE, then restart: both are still there', async (t) => {
  const c = await session();
  t.equal(await prOut(c, 0x00, 0x00, Buffer.alloc(8), KEY, true), 0, 'REGISTER (APTPL=1) → GOOD');
  t.equal(await prOut(c, 0x01, 0x01, KEY, Buffer.alloc(8), false), 0, 'RESERVE write exclusive → GOOD');
  c.close();
  const lunState = join(daemon.dir, 'state', 'luns');
  const files = readdirSync(lunState, { recursive: true }).map(String);
  t.ok(files.some((f) => /pr-[0-9a-f]+\.json$/.test(f)), `APTPL file written under ${lunState}: ${files.join(', ')}`);

  await daemon.restart();
  const d = await session();
  const keys = await prIn(d, 0x00);
  t.equal(keys.readUInt32BE(4), 8, 'one key after the restart');
  t.same(keys.subarray(8, 16), KEY, 'the registered key');
  const res = await prIn(d, 0x01);
  t.equal(res.readUInt32BE(4), 16, 'a reservation is held');
  t.same(res.subarray(8, 16), KEY, 'held by the key');
  t.equal(res[21]! & 0x0f, 0x01, 'type write exclusive');
  // Clean up: unregister (service action key 0) with APTPL=0.
  const unregister = await prOut(d, 0x00, 0x00, KEY, Buffer.alloc(8), false);
  t.equal(unregister, 0, `unregister → GOOD (got ${unregister})`);
  d.close();
});

t.test('without APTPL a registration does not survive a restart', async (t) => {
  const c = await session();
  t.equal(await prOut(c, 0x00, 0x00, Buffer.alloc(8), KEY, false), 0, 'REGISTER (APTPL=0) → GOOD');
  c.close();
  await daemon.restart();
  const d = await session();
  const keys = await prIn(d, 0x00);
  t.equal(keys.readUInt32BE(4), 0, 'no key after the restart');
  d.close();
});

t.test('another initiator port is not the registrant', async (t) => {
  const c = await session();
  t.equal(await prOut(c, 0x00, 0x00, Buffer.alloc(8), KEY, true), 0, 'REGISTER (APTPL=1) → GOOD');
  c.close();
  const { conn: other } = await loginConnection(daemon.port, E2E_IQN, { isid: '400001370002' });
  await clearUnitAttention(other);
  t.equal(await prOut(other, 0x00, 0x00, KEY, Buffer.alloc(8), false), 0x18, 'unregistering with a key it does not hold → RESERVATION CONFLICT');
  other.close();
});
