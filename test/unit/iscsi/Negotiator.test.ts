/** RFC 7143 chapter 13: every key's default, range, result function and bad values. */
import t from 'tap';
import { Negotiator } from '../../../plugins/transport-iscsi-tcp/negotiation/Negotiator.js';
import { KEY_DEFINITIONS } from '../../../plugins/transport-iscsi-tcp/negotiation/KeyDefinitions.js';
import { NegotiationError } from '../../../plugins/transport-iscsi-tcp/negotiation/NegotiationError.js';
import { DEFAULT_TARGET_VALUES } from '../../../plugins/transport-iscsi-tcp/IscsiTcpOptions.js';

const ours = { ...DEFAULT_TARGET_VALUES, MaxBurstLength: '262144', FirstBurstLength: '65536', DefaultTime2Wait: '2', DefaultTime2Retain: '20', MaxOutstandingR2T: '4' };

function throwsNegotiation(f: () => unknown): boolean {
  try { f(); } catch (err) { return err instanceof NegotiationError; }
  return false;
}

function answer(key: string, value: string, o: { discovery?: boolean; phase?: 'login' | 'full-feature'; ours?: Record<string, string> } = {}): string | undefined {
  const n = new Negotiator(o.ours ?? ours, o.discovery ?? false);
  const reply = n.respond([[key, value]], o.phase ?? 'login');
  return reply.find(([k]) => k === key)?.[1];
}

t.test('defaults of RFC 7143 chapter 13', async (t) => {
  const expected: Record<string, string> = {
    HeaderDigest: 'None', DataDigest: 'None', MaxConnections: '1', InitialR2T: 'Yes', ImmediateData: 'Yes',
    MaxRecvDataSegmentLength: '8192', MaxBurstLength: '262144', FirstBurstLength: '65536', DefaultTime2Wait: '2',
    DefaultTime2Retain: '20', MaxOutstandingR2T: '1', DataPDUInOrder: 'Yes', DataSequenceInOrder: 'Yes',
    ErrorRecoveryLevel: '0', SessionType: 'Normal', AuthMethod: 'None', TaskReporting: 'RFC3720',
  };
  const n = new Negotiator(ours, false);
  for (const [k, v] of Object.entries(expected)) {
    t.equal(KEY_DEFINITIONS.get(k)?.defaultValue, v, `${k} default`);
    if (k !== 'SessionType' && k !== 'MaxRecvDataSegmentLength' && k !== 'AuthMethod') t.equal(n.value(k), v, `${k} in force before negotiation`);
  }
});

t.test('numeric keys: result function and range', async (t) => {
  // [key, offer, expected answer]; ours: MaxBurstLength 262144, FirstBurstLength 65536, T2W 2, T2R 20, MaxOutstandingR2T 4, ERL 0, MaxConnections 1
  const rows: Array<[string, string, string]> = [
    ['MaxBurstLength', '1048576', '262144'], ['MaxBurstLength', '4096', '4096'], ['MaxBurstLength', '511', 'Reject'], ['MaxBurstLength', '16777216', 'Reject'],
    ['FirstBurstLength', '8192', '8192'], ['FirstBurstLength', '16777215', '65536'], ['FirstBurstLength', 'abc', 'Reject'],
    ['DefaultTime2Wait', '10', '10'], ['DefaultTime2Wait', '0', '2'], ['DefaultTime2Wait', '3601', 'Reject'],
    ['DefaultTime2Retain', '5', '5'], ['DefaultTime2Retain', '3600', '20'], ['DefaultTime2Retain', '-1', 'Reject'],
    ['MaxOutstandingR2T', '16', '4'], ['MaxOutstandingR2T', '1', '1'], ['MaxOutstandingR2T', '0', 'Reject'],
    ['ErrorRecoveryLevel', '2', '0'], ['ErrorRecoveryLevel', '3', 'Reject'],
    ['MaxConnections', '8', '1'], ['MaxConnections', '0', 'Reject'], ['MaxConnections', '65536', 'Reject'],
    ['MaxBurstLength', '0x10000', '65536'],
    ['iSCSIProtocolLevel', '2', '1'], ['iSCSIProtocolLevel', '32', 'Reject'],
  ];
  for (const [k, offer, want] of rows) t.equal(answer(k, offer), want, `${k}=${offer} → ${want}`);
});

t.test('boolean keys: AND / OR', async (t) => {
  const rows: Array<[string, string, string, string]> = [
    // key, ours, offer, result
    ['InitialR2T', 'No', 'No', 'No'], ['InitialR2T', 'No', 'Yes', 'Yes'], ['InitialR2T', 'Yes', 'No', 'Yes'],
    ['ImmediateData', 'Yes', 'Yes', 'Yes'], ['ImmediateData', 'Yes', 'No', 'No'], ['ImmediateData', 'No', 'Yes', 'No'],
    ['DataPDUInOrder', 'Yes', 'No', 'Yes'], ['DataSequenceInOrder', 'Yes', 'No', 'Yes'],
    ['InitialR2T', 'No', 'maybe', 'Reject'],
  ];
  for (const [k, o, offer, want] of rows) t.equal(answer(k, offer, { ours: { ...ours, [k]: o } }), want, `ours ${k}=${o}, offer ${offer} → ${want}`);
});

t.test('list keys: first offered value we support', async (t) => {
  t.equal(answer('HeaderDigest', 'CRC32C,None'), 'CRC32C');
  t.equal(answer('HeaderDigest', 'None,CRC32C'), 'None');
  t.equal(answer('DataDigest', 'CRC32C', { ours: { ...ours, DataDigest: 'None' } }), 'Reject');
  t.equal(answer('HeaderDigest', 'MD5'), 'Reject');
  t.equal(answer('TaskReporting', 'FastAbort,RFC3720'), 'RFC3720');
  t.equal(answer('TaskReporting', 'ResponseFence'), 'Reject');
});

t.test('declarations: recorded, not answered; bad values end the login', async (t) => {
  const n = new Negotiator(ours, false);
  t.same(n.respond([['MaxRecvDataSegmentLength', '65536'], ['InitiatorAlias', 'host1']], 'login'), []);
  t.equal(n.declared.get('MaxRecvDataSegmentLength'), '65536');
  t.ok(throwsNegotiation(() => new Negotiator(ours, false).respond([['MaxRecvDataSegmentLength', '100']], 'login')));
  t.ok(throwsNegotiation(() => new Negotiator(ours, false).respond([['SessionType', 'Bogus']], 'login')));
});

t.test('NotUnderstood, Irrelevant, Reject', async (t) => {
  t.equal(answer('X-com.example.Foo', '1'), 'NotUnderstood', 'unknown extension key');
  t.equal(answer('Frobnicate', '1'), 'NotUnderstood', 'unknown key');
  t.equal(answer('MaxBurstLength', '65536', { discovery: true }), 'Irrelevant', 'SCSI data keys in a Discovery session');
  t.equal(answer('InitialR2T', 'Yes', { discovery: true }), 'Irrelevant');
  t.equal(answer('IFMarker', 'No'), 'Reject', 'obsolete markers (13.26): Reject, never NotUnderstood');
  t.equal(answer('OFMarkInt', '2048'), 'Reject');
  t.equal(answer('TargetAddress', '1.2.3.4'), 'Reject', 'target-only key from the initiator');
  t.equal(answer('MaxBurstLength', '4096', { phase: 'full-feature' }), 'Reject', 'leading-only key in full feature phase');
  t.equal(answer('SendTargets', 'All'), 'Reject', 'SendTargets during login');
});

t.test('a key offered twice in one login is an initiator error', async (t) => {
  const n = new Negotiator(ours, false);
  n.respond([['MaxBurstLength', '4096']], 'login');
  t.ok(throwsNegotiation(() => n.respond([['MaxBurstLength', '8192']], 'login')));
});

t.test('FirstBurstLength: never above MaxBurstLength, Irrelevant with InitialR2T=Yes and ImmediateData=No', async (t) => {
  const n = new Negotiator({ ...ours, FirstBurstLength: '262144', MaxBurstLength: '262144' }, false);
  const r = n.respond([['MaxBurstLength', '16384'], ['FirstBurstLength', '65536']], 'login');
  t.same(r, [['MaxBurstLength', '16384'], ['FirstBurstLength', '16384']]);
  const m = new Negotiator({ ...ours, ImmediateData: 'No', InitialR2T: 'Yes' }, false);
  const r2 = m.respond([['InitialR2T', 'Yes'], ['ImmediateData', 'No'], ['FirstBurstLength', '65536']], 'login');
  t.same(r2.find(([k]) => k === 'FirstBurstLength'), ['FirstBurstLength', 'Irrelevant']);
});

t.test('our proposals for keys the initiator left out, and their answers', async (t) => {
  const n = new Negotiator({ ...ours, ImmediateData: 'No', MaxBurstLength: '1048576' }, false);
  n.respond([['HeaderDigest', 'None']], 'login');
  const p = n.proposals();
  t.same(p.find(([k]) => k === 'ImmediateData'), ['ImmediateData', 'No']);
  t.same(p.find(([k]) => k === 'MaxBurstLength'), ['MaxBurstLength', '1048576']);
  t.ok(n.waitingForAnswers);
  n.respond([['ImmediateData', 'No'], ['MaxBurstLength', '524288'], ['MaxOutstandingR2T', '4'], ['InitialR2T', 'No']], 'login');
  t.equal(n.value('ImmediateData'), 'No');
  t.equal(n.value('MaxBurstLength'), '524288');
  t.notOk(n.waitingForAnswers);
  const bad = new Negotiator({ ...ours, MaxBurstLength: '65536' }, false);
  bad.proposals();
  t.ok(throwsNegotiation(() => bad.respond([['MaxBurstLength', '131072']], 'login')), 'an answer above min() breaks the result function');
});

t.test('parameters() reports every negotiated key', async (t) => {
  const n = new Negotiator(ours, false);
  n.respond([['MaxBurstLength', '65536'], ['MaxRecvDataSegmentLength', '32768']], 'login');
  const p = n.parameters(262144);
  t.equal(p['MaxBurstLength'], '65536');
  t.equal(p['MaxRecvDataSegmentLength'], '32768');
  t.equal(p['TargetMaxRecvDataSegmentLength'], '262144');
  t.equal(p['ErrorRecoveryLevel'], '0');
});
