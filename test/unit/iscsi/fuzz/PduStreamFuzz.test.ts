/**
 * Seeded fuzzing of the iscsi-tcp transport: valid login (CHAP and None)
 * and full-feature PDU streams with mutated PDUs and key lists. Afterwards:
 * no crash, no unhandled rejection, no session left, heap back near its
 * baseline, and a clean initiator is served correctly.
 *
 *   short run (CI):  default, LUNHOST_FUZZ_PDUS=3000
 *   long run:        LUNHOST_FUZZ_PDUS=100000 LUNHOST_FUZZ_SEED=<n> npx tap --timeout=3600 ...
 */
import t from 'tap';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Opcode, LoginStage } from '../../../../plugins/transport-iscsi-tcp/pdu/Opcode.js';
import type { KeyValue } from '../../../../plugins/transport-iscsi-tcp/text/TextKeys.js';
import type { TargetAuth } from '../../../../core/transport/Transport.js';
import { CHAP_ALGORITHMS, chapResponse } from '../../../../plugins/transport-iscsi-tcp/auth/ChapAlgorithm.js';
import { processAuthThrottle } from '../../../../plugins/transport-iscsi-tcp/auth/TargetAuthenticator.js';
import { IscsiTransportHarness, HARNESS_INITIATOR } from '../../../helpers/IscsiTransportHarness.js';
import { RawIscsiInitiator } from '../../../helpers/RawIscsiInitiator.js';
import { SeededRandom } from '../../../helpers/fuzz/SeededRandom.js';
import { runFuzzSession, type FuzzTarget } from '../../../helpers/fuzz/FuzzSession.js';

const TOTAL_PDUS = Number(process.env.LUNHOST_FUZZ_PDUS ?? 3000);
const SEED = Number(process.env.LUNHOST_FUZZ_SEED ?? 20261121);

v8.setFlagsFromString('--expose_gc');
const gc = vm.runInNewContext('gc') as () => void;
function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => { unhandled.push(reason); };
process.on('unhandledRejection', onUnhandled);
t.teardown(() => { process.off('unhandledRejection', onUnhandled); });

const CHAP_AUTH: TargetAuth = {
  chap: { username: 'fuzz-initiator', secret: 'fuzzInitiatorSecret-1' },
  mutualChap: { username: 'fuzz-target', secret: 'fuzzTargetSecret-22' },
};
const chapTarget = await IscsiTransportHarness.start({ targetName: 'iqn.2026-11.io.lunhost.test:fuzz-chap', auth: CHAP_AUTH });
const openTarget = await IscsiTransportHarness.start({ targetName: 'iqn.2026-11.io.lunhost.test:fuzz-open', targetOptions: { MaxConnections: 4 } });
t.teardown(async () => { await chapTarget.close(); await openTarget.close(); });

function fuzzTarget(h: IscsiTransportHarness): FuzzTarget {
  return { port: h.port, targetName: h.iqn, initiatorName: HARNESS_INITIATOR, chap: h.served.auth?.chap ?? null, mutualChap: h.served.auth?.mutualChap ?? null };
}

/** CHAP login, WRITE(10) with immediate data, READ(10) back; returns the data read. */
async function cleanClient(h: IscsiTransportHarness, lba: number, pattern: Buffer): Promise<{ ok: boolean; read: Buffer | null; why: string }> {
  const c = await RawIscsiInitiator.connect(h.port);
  try {
    const sec = LoginStage.SecurityNegotiation;
    const op = LoginStage.OperationalNegotiation;
    const r1 = await c.loginStep([['InitiatorName', HARNESS_INITIATOR], ['SessionType', 'Normal'], ['TargetName', h.iqn], ['AuthMethod', 'CHAP,None']], { csg: sec, nsg: op, transit: true });
    if (r1?.keys.get('AuthMethod') !== 'CHAP') return { ok: false, read: null, why: 'no CHAP offered' };
    const r2 = await c.loginStep([['CHAP_A', '7']], { csg: sec, nsg: op, transit: false });
    const alg = CHAP_ALGORITHMS.find((a) => String(a.code) === r2?.keys.get('CHAP_A'));
    if (!r2 || !alg) return { ok: false, read: null, why: 'no challenge' };
    const answer = chapResponse(alg, Number(r2.keys.get('CHAP_I')), CHAP_AUTH.chap!.secret, Buffer.from(r2.keys.get('CHAP_C')!.slice(2), 'hex'));
    const r3 = await c.loginStep([['CHAP_N', CHAP_AUTH.chap!.username], ['CHAP_R', `0x${answer.toString('hex')}`]], { csg: sec, nsg: op, transit: true });
    if (r3?.pdu.statusClass !== 0 || !r3.pdu.transit) return { ok: false, read: null, why: `CHAP refused ${r3?.pdu.statusClass}/${r3?.pdu.statusDetail}` };
    let keys: KeyValue[] = [['HeaderDigest', 'None'], ['DataDigest', 'None'], ['ImmediateData', 'Yes'], ['InitialR2T', 'No']];
    let inFfp = false;
    for (let round = 0; round < 4 && !inFfp; round++) {
      const r = await c.loginStep(keys, { csg: op, nsg: LoginStage.FullFeaturePhase, transit: true });
      if (!r || r.pdu.statusClass !== 0) return { ok: false, read: null, why: 'operational negotiation failed' };
      inFfp = r.pdu.transit && r.pdu.nsg === LoginStage.FullFeaturePhase;
      const answered = new Set(keys.map(([k]) => k));
      keys = [...r.keys].filter(([k]) => !answered.has(k));
    }
    if (!inFfp) return { ok: false, read: null, why: 'no full feature phase' };
    const blocks = pattern.length / 512;
    // The first command of a new nexus may meet a unit attention (power on); TEST UNIT READY takes it.
    await command(c, Buffer.alloc(16), null, 0);
    const wcdb = Buffer.alloc(16);
    wcdb[0] = 0x2a; wcdb.writeUInt32BE(lba, 2); wcdb.writeUInt16BE(blocks, 7);
    const w = await command(c, wcdb, pattern, pattern.length);
    if (w.status !== 0) return { ok: false, read: null, why: `write status ${w.status}` };
    const rcdb = Buffer.alloc(16);
    rcdb[0] = 0x28; rcdb.writeUInt32BE(lba, 2); rcdb.writeUInt16BE(blocks, 7);
    const r = await command(c, rcdb, null, pattern.length);
    return { ok: r.status === 0, read: r.data, why: `read status ${r.status}` };
  } finally {
    c.close();
  }
}

/** One SCSI command on LUN 1 (write data sent as immediate data); status -1 when no answer came. */
async function command(c: RawIscsiInitiator, cdb: Buffer, dataOut: Buffer | null, edtl: number): Promise<{ status: number; data: Buffer }> {
  const itt = c.nextItt();
  const read = dataOut === null && edtl > 0;
  c.send({
    opcode: Opcode.ScsiCommand, totalAhsLength: 0, dataSegmentLength: dataOut ? dataOut.length : 0, immediate: false, final: true,
    read, write: dataOut !== null, attribute: 1, lun: 1, itt, expectedDataTransferLength: edtl, cmdSN: c.cmdSN++, expStatSN: c.expStatSN, cdb,
  }, dataOut);
  const data = Buffer.alloc(read ? edtl : 0);
  for (;;) {
    const f = await c.next(5000);
    if (!f) return { status: -1, data };
    if (f.pdu.opcode === Opcode.DataIn && f.pdu.itt === itt) {
      f.data.copy(data, f.pdu.bufferOffset);
      if (f.pdu.hasStatus) return { status: f.pdu.status, data };
    } else if (f.pdu.opcode === Opcode.ScsiResponse && f.pdu.itt === itt) {
      return { status: f.pdu.status, data };
    }
  }
}

/** The harnesses keep every log line and SessionInfo; that is the test's memory, not the transport's. */
function forgetHarnessRecords(): void {
  for (const h of [chapTarget, openTarget]) {
    h.log.entries.length = 0;
    h.loggedIn.length = 0;
    h.loggedOut.length = 0;
  }
}

async function noSessionsLeft(ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (chapTarget.transport.sessions().length === 0 && openTarget.transport.sessions().length === 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

t.test(`fuzz ${TOTAL_PDUS} PDUs (seed ${SEED})`, async (t) => {
  const warm = await cleanClient(chapTarget, 10, Buffer.alloc(4096, 0x11));
  t.ok(warm.ok, `a clean client works before the run (${warm.why})`);
  t.ok(await noSessionsLeft(5000));
  forgetHarnessRecords();
  const baseline = heapUsed();

  const rng = new SeededRandom(SEED);
  let sent = 0;
  let sessions = 0;
  let loggedIn = 0;
  let joined = 0;
  const mutations: Record<string, number> = {};
  const started = Date.now();
  while (sent < TOTAL_PDUS) {
    // Mutated CHAP answers count as failures; the back-off would only slow the run down.
    processAuthThrottle.clear();
    const h = rng.chance(0.5) ? chapTarget : openTarget;
    const rate = rng.pick([0, 0.02, 0.05, 0.1, 0.3]);
    const r = await runFuzzSession(rng, fuzzTarget(h), rate, TOTAL_PDUS - sent);
    sent += r.sent;
    sessions++;
    if (r.loggedIn) loggedIn++;
    if (r.joined) joined++;
    for (const [k, n] of Object.entries(r.mutations)) mutations[k] = (mutations[k] ?? 0) + n;
  }
  const seconds = (Date.now() - started) / 1000;
  t.ok(loggedIn > sessions / 10, `a good share of sessions reached full feature phase (${loggedIn}/${sessions})`);

  t.ok(await noSessionsLeft(15000), 'every fuzzed session ends');
  t.same(unhandled, [], 'no unhandled rejections');
  const errors = [...chapTarget.log.at('error'), ...openTarget.log.at('error')];
  t.same(errors.filter((e) => /TypeError|RangeError|ReferenceError|undefined|internal/i.test(`${e.msg} ${JSON.stringify(e.fields)}`)), [],
    'no internal errors logged');
  forgetHarnessRecords();
  const after = heapUsed();
  const growth = after - baseline;
  t.ok(growth < 16 << 20, `heap back near its baseline: ${(baseline / 2 ** 20).toFixed(1)} MiB -> ${(after / 2 ** 20).toFixed(1)} MiB`);

  processAuthThrottle.clear();
  const pattern = Buffer.alloc(8192);
  for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 7 + 3) & 0xff;
  const clean = await cleanClient(chapTarget, 2048, pattern);
  t.ok(clean.ok, `a clean client is served afterwards (${clean.why})`);
  t.ok(clean.read?.equals(pattern), 'and reads back what it wrote');
  t.comment(`fuzz: seed ${SEED}, ${sent} PDUs in ${sessions} sessions (${loggedIn} reached FFP, ${joined} with a second connection), ${seconds.toFixed(1)} s, ` +
    `heap ${(baseline / 2 ** 20).toFixed(1)} -> ${(after / 2 ** 20).toFixed(1)} MiB, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, ` +
    `mutations ${JSON.stringify(mutations)}`);
});
