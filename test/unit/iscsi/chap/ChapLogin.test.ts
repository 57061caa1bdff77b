/**
 * CHAP through the real iscsi-tcp transport, driven by a raw initiator on
 * the transport's own codec: every CHAP_A algorithm (libiscsi and QEMU only
 * speak MD5), base64 values, mutual CHAP, a reflected challenge, the T bit
 * held back until authentication succeeds, and failures that carry status
 * 0x0201 and nothing else.
 */
import t, { type Test } from 'tap';
import { LoginStage } from '../../../../plugins/transport-iscsi-tcp/pdu/Opcode.js';
import type { KeyValue } from '../../../../plugins/transport-iscsi-tcp/text/TextKeys.js';
import { CHAP_ALGORITHMS, chapResponse, type ChapAlgorithm } from '../../../../plugins/transport-iscsi-tcp/auth/ChapAlgorithm.js';
import { processAuthThrottle } from '../../../../plugins/transport-iscsi-tcp/auth/TargetAuthenticator.js';
import { IscsiTransportHarness, HARNESS_IQN, HARNESS_INITIATOR } from '../../../helpers/IscsiTransportHarness.js';
import { RawIscsiInitiator } from '../../../helpers/RawIscsiInitiator.js';
import { MUTUAL } from './chapFixtures.js';

const SEC = LoginStage.SecurityNegotiation;
const OP = LoginStage.OperationalNegotiation;
const FFP = LoginStage.FullFeaturePhase;

const h = await IscsiTransportHarness.start({ auth: MUTUAL });
t.teardown(() => h.close());
// Failures from 127.0.0.1 would slow the following logins down; each test starts afresh.
t.beforeEach(() => processAuthThrottle.clear());

const first: KeyValue[] = [['InitiatorName', HARNESS_INITIATOR], ['SessionType', 'Normal'], ['TargetName', HARNESS_IQN]];

function hex(b: Buffer): string { return b.toString('hex'); }

/** Operational negotiation to Full Feature Phase, accepting whatever the target proposes. */
async function finishOperational(c: RawIscsiInitiator): Promise<boolean> {
  let keys: KeyValue[] = [['HeaderDigest', 'None'], ['DataDigest', 'None']];
  for (let round = 0; round < 4; round++) {
    const r = await c.loginStep(keys, { csg: OP, nsg: FFP, transit: true });
    if (!r || r.pdu.statusClass !== 0) return false;
    if (r.pdu.transit && r.pdu.nsg === FFP) return true;
    const answered = new Set(keys.map(([k]) => k));
    keys = [...r.keys].filter(([k]) => !answered.has(k));
  }
  return false;
}

/** Up to the challenge: returns the algorithm, identifier and challenge the target chose. */
async function challenge(c: RawIscsiInitiator, offer: string) {
  const r1 = await c.loginStep([...first, ['AuthMethod', 'CHAP,None']], { csg: SEC, nsg: OP, transit: true });
  if (!r1) throw new Error('no response to AuthMethod');
  const r2 = await c.loginStep([['CHAP_A', offer]], { csg: SEC, nsg: OP, transit: false });
  if (!r2) throw new Error('no response to CHAP_A');
  const code = Number(r2.keys.get('CHAP_A'));
  const algorithm = CHAP_ALGORITHMS.find((a) => a.code === code) as ChapAlgorithm;
  const identifier = Number(r2.keys.get('CHAP_I'));
  const text = r2.keys.get('CHAP_C')!;
  return { r1, r2, algorithm, identifier, challengeText: text, challenge: Buffer.from(text.slice(2), 'hex') };
}

t.test('every algorithm, answered in base64, reaches Full Feature Phase', async (t) => {
  for (const a of CHAP_ALGORITHMS) {
    processAuthThrottle.clear();
    const c = await RawIscsiInitiator.connect(h.port);
    const ch = await challenge(c, String(a.code));
    t.equal(ch.r1.pdu.transit, false, 'no transit before authentication');
    t.equal(ch.r1.keys.get('AuthMethod'), 'CHAP');
    t.equal(ch.algorithm, a, `CHAP_A=${a.code}`);
    t.match(ch.challengeText, /^0x[0-9a-f]+$/);
    t.ok(ch.challenge.length >= Math.max(16, a.digestLength), 'challenge at least as long as the digest');
    const response = chapResponse(a, ch.identifier, MUTUAL.chap!.secret, ch.challenge);
    const r3 = await c.loginStep([['CHAP_N', 'alice'], ['CHAP_R', `0b${response.toString('base64')}`]], { csg: SEC, nsg: OP, transit: true });
    t.equal(r3?.pdu.statusClass, 0, `${a.name}: accepted`);
    t.equal(r3?.pdu.transit, true);
    t.equal(r3?.pdu.nsg, OP);
    t.equal(await finishOperational(c), true, `${a.name}: full feature phase`);
    c.close();
  }
});

t.test('the initiator order decides the algorithm', async (t) => {
  const c = await RawIscsiInitiator.connect(h.port);
  t.equal((await challenge(c, '8,7,6,5')).algorithm.code, 8);
  c.close();
  const d = await RawIscsiInitiator.connect(h.port);
  t.equal((await challenge(d, '99,6,8')).algorithm.code, 6);
  d.close();
});

t.test('mutual CHAP: the target proves itself in the transit response', async (t) => {
  const c = await RawIscsiInitiator.connect(h.port);
  const ch = await challenge(c, '7');
  const mine = Buffer.alloc(32, 0x3c);
  const response = chapResponse(ch.algorithm, ch.identifier, MUTUAL.chap!.secret, ch.challenge);
  const r3 = await c.loginStep([
    ['CHAP_N', 'alice'], ['CHAP_R', `0x${hex(response)}`], ['CHAP_I', '200'], ['CHAP_C', `0b${mine.toString('base64')}`],
  ], { csg: SEC, nsg: OP, transit: true });
  t.equal(r3?.pdu.statusClass, 0);
  t.equal(r3?.pdu.transit, true);
  t.equal(r3?.keys.get('CHAP_N'), 'target-bob');
  t.equal(r3?.keys.get('CHAP_R'), `0x${hex(chapResponse(ch.algorithm, 200, MUTUAL.mutualChap!.secret, mine))}`);
  c.close();
});

async function expectAuthFailure(t: Test, c: RawIscsiInitiator, keys: KeyValue[], label: string) {
  const r = await c.loginStep(keys, { csg: SEC, nsg: OP, transit: true });
  t.ok(r, `${label}: a login response`);
  t.equal(r?.pdu.statusClass, 2, label);
  t.equal(r?.pdu.statusDetail, 1, `${label}: 0x0201`);
  t.equal(r?.pdu.dataSegmentLength, 0, `${label}: no keys in the reject`);
  t.ok(await c.closedWithin(5000), `${label}: connection closed`);
}

t.test('a reflected challenge is refused', async (t) => {
  const c = await RawIscsiInitiator.connect(h.port);
  const ch = await challenge(c, '5');
  const response = chapResponse(ch.algorithm, ch.identifier, MUTUAL.chap!.secret, ch.challenge);
  await expectAuthFailure(t, c, [['CHAP_N', 'alice'], ['CHAP_R', `0x${hex(response)}`], ['CHAP_I', '1'], ['CHAP_C', ch.challengeText]], 'reflection');
});

t.test('wrong secret and wrong name look the same on the wire', async (t) => {
  const a = await RawIscsiInitiator.connect(h.port);
  const ca = await challenge(a, '5');
  const wrong = chapResponse(ca.algorithm, ca.identifier, 'not-the-secret!', ca.challenge);
  await expectAuthFailure(t, a, [['CHAP_N', 'alice'], ['CHAP_R', `0x${hex(wrong)}`]], 'wrong secret');
  processAuthThrottle.clear();
  const b = await RawIscsiInitiator.connect(h.port);
  const cb = await challenge(b, '5');
  const right = chapResponse(cb.algorithm, cb.identifier, MUTUAL.chap!.secret, cb.challenge);
  await expectAuthFailure(t, b, [['CHAP_N', 'eve'], ['CHAP_R', `0x${hex(right)}`]], 'wrong name');
  processAuthThrottle.clear();
  const m = await RawIscsiInitiator.connect(h.port);
  await challenge(m, '5');
  await expectAuthFailure(t, m, [['CHAP_N', 'alice'], ['CHAP_R', '0xnothex']], 'bad encoding');
});

t.test('AuthMethod=None and a skipped security stage are refused', async (t) => {
  const a = await RawIscsiInitiator.connect(h.port);
  await expectAuthFailure(t, a, [...first, ['AuthMethod', 'None']], 'AuthMethod=None');
  const b = await RawIscsiInitiator.connect(h.port);
  const r = await b.loginStep([...first, ['HeaderDigest', 'None']], { csg: OP, nsg: FFP, transit: true });
  t.equal(r?.pdu.statusClass, 2);
  t.equal(r?.pdu.statusDetail, 1, 'straight to operational negotiation: 0x0201');
  b.close();
});

t.test('leaving the security stage without answering the challenge fails', async (t) => {
  const c = await RawIscsiInitiator.connect(h.port);
  await challenge(c, '5');
  await expectAuthFailure(t, c, [], 'transit request instead of CHAP_N/CHAP_R');
});
