/**
 * CRC32C digest errors at ErrorRecoveryLevel 0 (RFC 7143 7.8): a PDU whose
 * data digest is wrong is answered with Reject (Data Digest Error); a wrong
 * header digest leaves the length field untrustworthy, so without markers
 * the connection is closed. Either way only that connection suffers: a
 * second session keeps working, and with CHAP on the target.
 */
import t from 'tap';
import { Opcode, LoginStage, RESERVED_TAG } from '../../../../plugins/transport-iscsi-tcp/pdu/Opcode.js';
import { framePdu } from '../../../../plugins/transport-iscsi-tcp/pdu/PduFrame.js';
import type { NopOutPdu } from '../../../../plugins/transport-iscsi-tcp/pdu/PduTypes.js';
import type { KeyValue } from '../../../../plugins/transport-iscsi-tcp/text/TextKeys.js';
import { CHAP_ALGORITHMS, chapResponse } from '../../../../plugins/transport-iscsi-tcp/auth/ChapAlgorithm.js';
import { processAuthThrottle } from '../../../../plugins/transport-iscsi-tcp/auth/TargetAuthenticator.js';
import { IscsiTransportHarness, HARNESS_INITIATOR } from '../../../helpers/IscsiTransportHarness.js';
import { RawIscsiInitiator } from '../../../helpers/RawIscsiInitiator.js';
import { ONE_WAY } from '../chap/chapFixtures.js';

const h = await IscsiTransportHarness.start({ auth: ONE_WAY });
t.teardown(() => h.close());
t.beforeEach(() => processAuthThrottle.clear());

/** CHAP login with both digests negotiated to CRC32C; digests switched on in the client. */
async function digestSession(): Promise<RawIscsiInitiator> {
  // Each RawIscsiInitiator has its own ISID: sessions do not reinstate each other.
  const c = await RawIscsiInitiator.connect(h.port);
  const sec = LoginStage.SecurityNegotiation;
  const op = LoginStage.OperationalNegotiation;
  await c.loginStep([['InitiatorName', HARNESS_INITIATOR], ['SessionType', 'Normal'], ['TargetName', h.iqn], ['AuthMethod', 'CHAP']], { csg: sec, nsg: op, transit: true });
  const r2 = await c.loginStep([['CHAP_A', '8']], { csg: sec, nsg: op, transit: false });
  const alg = CHAP_ALGORITHMS.find((a) => String(a.code) === r2?.keys.get('CHAP_A'))!;
  const answer = chapResponse(alg, Number(r2!.keys.get('CHAP_I')), ONE_WAY.chap!.secret, Buffer.from(r2!.keys.get('CHAP_C')!.slice(2), 'hex'));
  const r3 = await c.loginStep([['CHAP_N', ONE_WAY.chap!.username], ['CHAP_R', `0x${answer.toString('hex')}`]], { csg: sec, nsg: op, transit: true });
  if (r3?.pdu.statusClass !== 0 || !r3.pdu.transit) throw new Error('CHAP login failed');
  let keys: KeyValue[] = [['HeaderDigest', 'CRC32C'], ['DataDigest', 'CRC32C']];
  let agreed = new Map<string, string>();
  for (let round = 0; round < 4; round++) {
    const r = await c.loginStep(keys, { csg: op, nsg: LoginStage.FullFeaturePhase, transit: true });
    if (!r || r.pdu.statusClass !== 0) throw new Error('operational negotiation failed');
    agreed = new Map([...agreed, ...r.keys]);
    if (r.pdu.transit && r.pdu.nsg === LoginStage.FullFeaturePhase) {
      if (agreed.get('HeaderDigest') !== 'CRC32C' || agreed.get('DataDigest') !== 'CRC32C') throw new Error('digests not agreed');
      c.cmdSN = r.pdu.expCmdSN;
      c.useDigests({ headerDigest: true, dataDigest: true });
      return c;
    }
    const answered = new Set(keys.map(([k]) => k));
    keys = [...r.keys].filter(([k]) => !answered.has(k));
  }
  throw new Error('no full feature phase');
}

function nopOut(c: RawIscsiInitiator, data: Buffer): NopOutPdu {
  return { opcode: Opcode.NopOut, totalAhsLength: 0, dataSegmentLength: data.length, immediate: true, lun: 0, itt: c.nextItt(), ttt: RESERVED_TAG, cmdSN: c.cmdSN, expStatSN: c.expStatSN };
}

async function ping(c: RawIscsiInitiator, text: string): Promise<string | null> {
  const data = Buffer.from(text);
  const pdu = nopOut(c, data);
  c.send(pdu, data);
  for (;;) {
    const f = await c.next(3000);
    if (!f) return null;
    if (f.pdu.opcode === Opcode.NopIn && f.pdu.itt === pdu.itt) return f.data.toString();
  }
}

t.test('CRC32C both ways after a CHAP login', async (t) => {
  const c = await digestSession();
  t.equal(await ping(c, 'with digests'), 'with digests');
  c.close();
});

t.test('a wrong data digest: Reject with Data Digest Error, others unaffected', async (t) => {
  const bystander = await digestSession();
  const c = await digestSession();
  const data = Buffer.from('corrupt me!!');
  const parts = framePdu(nopOut(c, data), data, { headerDigest: true, dataDigest: true });
  const wire = Buffer.concat(parts);
  wire[wire.length - 1]! ^= 0xff; // the data digest is the last 4 bytes
  c.writeRaw(wire);
  const f = await c.next(3000);
  t.equal(f?.pdu.opcode, Opcode.Reject, 'a Reject comes back');
  if (f?.pdu.opcode === Opcode.Reject) {
    t.equal(f.pdu.reason, 0x02, 'reason: data digest error');
    t.equal(f.data.length, 48, 'carrying the rejected header');
    t.equal(f.data.readUInt32BE(16), wire.readUInt32BE(16), 'whose ITT is ours');
  }
  t.equal(await ping(bystander, 'still here'), 'still here', 'the other session keeps working');
  c.close();
  bystander.close();
});

t.test('a wrong header digest closes only that connection', async (t) => {
  const bystander = await digestSession();
  const c = await digestSession();
  const data = Buffer.from('header');
  const wire = Buffer.concat(framePdu(nopOut(c, data), data, { headerDigest: true, dataDigest: true }));
  wire[48]! ^= 0x01; // first byte of the header digest
  c.writeRaw(wire);
  const f = await c.next(2000);
  t.not(f?.pdu.opcode, Opcode.NopIn, 'the PDU is not acted upon');
  t.ok(await c.closedWithin(5000), 'the connection is closed');
  t.equal(await ping(bystander, 'unaffected'), 'unaffected');
  bystander.close();
});
