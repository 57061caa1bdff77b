import t from 'tap';
import type { KeyValue } from '../../../../plugins/transport-iscsi-tcp/text/TextKeys.js';
import { AUTH_FAILURE_STATUS, type AuthOutcome } from '../../../../plugins/transport-iscsi-tcp/auth/Authenticator.js';
import { CHAP_MD5 } from '../../../../plugins/transport-iscsi-tcp/auth/ChapAlgorithm.js';
import { makeAuthenticator, MUTUAL, ONE_WAY } from './chapFixtures.js';

// Responses computed with Python hashlib: H(0x2a || 'chapSecret-0123' || 00 01 02 ...).
const GOOD = {
  5: '747fe267ecb0baec31e0f4ab05949481',
  6: 'adec9673eabd720bc8071d7165a9d3d3ff6666ef',
  7: 'd754e72f573c52231f5f2155c89585881acf781e60edb7e3a1f307eb46a7182f',
  8: 'aed7c32541464b0307df49553f462cb8e569c851a6d433f892522df8294cd804',
} as const;
const CHALLENGE_HEX = {
  5: '000102030405060708090a0b0c0d0e0f',
  6: '000102030405060708090a0b0c0d0e0f10111213',
  7: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
  8: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
} as const;

function reply(o: AuthOutcome): readonly KeyValue[] {
  if (o.kind === 'fail') throw new Error(`unexpected failure ${o.reason}`);
  return o.reply;
}

t.test('the failure status is 0x0201', async (t) => {
  t.equal((AUTH_FAILURE_STATUS.statusClass << 8) | AUTH_FAILURE_STATUS.statusDetail, 0x0201);
});

for (const code of [5, 6, 7, 8] as const) {
  t.test(`one-way CHAP with CHAP_A=${code}`, async (t) => {
    const { a } = makeAuthenticator(ONE_WAY);
    t.equal(a.required, true);
    const r1 = await a.step([['AuthMethod', 'CHAP,None']]);
    t.same(r1, { kind: 'continue', reply: [['AuthMethod', 'CHAP']] });
    const r2 = await a.step([['CHAP_A', `${code},5`]]);
    t.same(r2, { kind: 'continue', reply: [['CHAP_A', String(code)], ['CHAP_I', '42'], ['CHAP_C', `0x${CHALLENGE_HEX[code]}`]] });
    const r3 = await a.step([['CHAP_N', 'alice'], ['CHAP_R', `0x${GOOD[code]}`]]);
    t.same(r3, { kind: 'done', reply: [] });
    t.equal(a.authenticated, true);
    t.same(await a.step([]), { kind: 'done', reply: [] }, 'an empty transit request afterwards is fine');
  });
}

t.test('upper-case hex and base64 responses are accepted', async (t) => {
  for (const r of [`0X${GOOD[5].toUpperCase()}`, `0b${Buffer.from(GOOD[5], 'hex').toString('base64')}`]) {
    const { a } = makeAuthenticator(ONE_WAY);
    await a.step([['AuthMethod', 'CHAP']]);
    await a.step([['CHAP_A', '5']]);
    t.equal((await a.step([['CHAP_N', 'alice'], ['CHAP_R', r]])).kind, 'done', r);
  }
});

t.test('AuthMethod and CHAP_A in one request', async (t) => {
  const { a } = makeAuthenticator(ONE_WAY);
  const r = await a.step([['AuthMethod', 'CHAP'], ['CHAP_A', '7']]);
  t.equal(r.kind, 'continue');
  t.same(reply(r).map(([k]) => k), ['AuthMethod', 'CHAP_A', 'CHAP_I', 'CHAP_C']);
});

t.test('a wrong secret, a wrong name: the same 0x0201 failure', async (t) => {
  const wrongSecret = makeAuthenticator(ONE_WAY);
  await wrongSecret.a.step([['AuthMethod', 'CHAP']]);
  await wrongSecret.a.step([['CHAP_A', '5']]);
  const bad = Buffer.from(GOOD[5], 'hex');
  bad[0]! ^= 1;
  const f1 = await wrongSecret.a.step([['CHAP_N', 'alice'], ['CHAP_R', `0x${bad.toString('hex')}`]]);
  t.same(f1, { kind: 'fail', reason: 'wrong-response' });
  t.equal(wrongSecret.a.authenticated, false);
  t.equal(wrongSecret.throttle.failures('192.0.2.10'), 1);

  const wrongName = makeAuthenticator(ONE_WAY);
  await wrongName.a.step([['AuthMethod', 'CHAP']]);
  await wrongName.a.step([['CHAP_A', '5']]);
  const f2 = await wrongName.a.step([['CHAP_N', 'mallory'], ['CHAP_R', `0x${GOOD[5]}`]]);
  t.same(f2, { kind: 'fail', reason: 'wrong-name' });
  t.same(Object.keys(f1).sort(), Object.keys(f2).sort(), 'the outcome carries no reply keys either way');
  t.same(await wrongName.a.step([['CHAP_N', 'alice'], ['CHAP_R', `0x${GOOD[5]}`]]), { kind: 'fail', reason: 'protocol' },
    'no second try on the same connection');
});

t.test('a response of the wrong length fails', async (t) => {
  const { a } = makeAuthenticator(ONE_WAY);
  await a.step([['AuthMethod', 'CHAP']]);
  await a.step([['CHAP_A', '7']]);
  // An MD5-length answer to a SHA-256 challenge.
  t.same(await a.step([['CHAP_N', 'alice'], ['CHAP_R', `0x${GOOD[5]}`]]), { kind: 'fail', reason: 'wrong-response' });
});

t.test('bad encodings and missing keys fail as malformed', async (t) => {
  const cases: KeyValue[][] = [
    [['CHAP_N', 'alice'], ['CHAP_R', GOOD[5]]],
    [['CHAP_N', 'alice'], ['CHAP_R', `0x${GOOD[5]}zz`]],
    [['CHAP_N', 'alice'], ['CHAP_R', '0b%%%%']],
    [['CHAP_N', 'alice']],
    [['CHAP_R', `0x${GOOD[5]}`]],
    [['CHAP_N', 'alice'], ['CHAP_R', `0x${GOOD[5]}`], ['CHAP_R', `0x${GOOD[5]}`]],
    [['CHAP_N', 'alice'], ['CHAP_R', `0x${GOOD[5]}`], ['CHAP_I', '3']],
    [['CHAP_N', 'alice'], ['CHAP_R', `0x${GOOD[5]}`], ['CHAP_C', '0x0102']],
  ];
  for (const keys of cases) {
    const { a } = makeAuthenticator(MUTUAL);
    await a.step([['AuthMethod', 'CHAP']]);
    await a.step([['CHAP_A', '5']]);
    t.same(await a.step(keys), { kind: 'fail', reason: 'malformed' }, JSON.stringify(keys));
  }
  const mutualBad: KeyValue[][] = [
    [['CHAP_N', 'alice'], ['CHAP_R', `0x${GOOD[5]}`], ['CHAP_I', '300'], ['CHAP_C', '0x0102']],
    [['CHAP_N', 'alice'], ['CHAP_R', `0x${GOOD[5]}`], ['CHAP_I', '3'], ['CHAP_C', 'zz']],
  ];
  for (const keys of mutualBad) {
    const { a } = makeAuthenticator(MUTUAL);
    await a.step([['AuthMethod', 'CHAP']]);
    await a.step([['CHAP_A', '5']]);
    t.same(await a.step(keys), { kind: 'fail', reason: 'malformed' }, JSON.stringify(keys));
  }
});

t.test('mutual CHAP: the target answers with its own name and secret', async (t) => {
  const { a } = makeAuthenticator(MUTUAL);
  await a.step([['AuthMethod', 'CHAP,None']]);
  await a.step([['CHAP_A', '5']]);
  const r = await a.step([
    ['CHAP_N', 'alice'], ['CHAP_R', `0x${GOOD[5]}`],
    ['CHAP_I', '7'], ['CHAP_C', `0x${'aa'.repeat(16)}`],
  ]);
  // MD5(0x07 || 'targetSecret-456' || aa*16), computed with Python hashlib.
  t.same(r, { kind: 'done', reply: [['CHAP_N', 'target-bob'], ['CHAP_R', '0x510a44259325b4d6af8a9ce31e0a24d2']] });
});

t.test('mutual CHAP: base64 challenge and hex identifier from the initiator', async (t) => {
  const { a } = makeAuthenticator(MUTUAL);
  await a.step([['AuthMethod', 'CHAP']]);
  await a.step([['CHAP_A', '5']]);
  const r = await a.step([
    ['CHAP_N', 'alice'], ['CHAP_R', `0x${GOOD[5]}`],
    ['CHAP_I', '0x07'], ['CHAP_C', `0b${Buffer.alloc(16, 0xaa).toString('base64')}`],
  ]);
  t.same(reply(r), [['CHAP_N', 'target-bob'], ['CHAP_R', '0x510a44259325b4d6af8a9ce31e0a24d2']]);
});

t.test('mutual CHAP: a reflected challenge is refused', async (t) => {
  const { a } = makeAuthenticator(MUTUAL);
  await a.step([['AuthMethod', 'CHAP']]);
  const r2 = await a.step([['CHAP_A', '5']]);
  const ourChallenge = reply(r2).find(([k]) => k === 'CHAP_C')![1];
  const r3 = await a.step([['CHAP_N', 'alice'], ['CHAP_R', `0x${GOOD[5]}`], ['CHAP_I', '42'], ['CHAP_C', ourChallenge]]);
  t.same(r3, { kind: 'fail', reason: 'reflected-challenge' });
  // The same bytes written in base64 are the same challenge.
  const b = makeAuthenticator(MUTUAL);
  await b.a.step([['AuthMethod', 'CHAP']]);
  await b.a.step([['CHAP_A', '5']]);
  const asBase64 = `0b${Buffer.from(ourChallenge.slice(2), 'hex').toString('base64')}`;
  t.same(await b.a.step([['CHAP_N', 'alice'], ['CHAP_R', `0x${GOOD[5]}`], ['CHAP_I', '1'], ['CHAP_C', asBase64]]),
    { kind: 'fail', reason: 'reflected-challenge' });
});

t.test('mutual CHAP asked of a target without mutualChap fails', async (t) => {
  const { a } = makeAuthenticator(ONE_WAY);
  await a.step([['AuthMethod', 'CHAP']]);
  await a.step([['CHAP_A', '5']]);
  t.same(await a.step([['CHAP_N', 'alice'], ['CHAP_R', `0x${GOOD[5]}`], ['CHAP_I', '1'], ['CHAP_C', '0x0102030405060708']]),
    { kind: 'fail', reason: 'mutual-not-configured' });
});

t.test('an initiator response made with the target secret is refused', async (t) => {
  // Suppose the initiator was (wrongly) given the same secret both ways; the declaration
  // validator prevents equal secrets, this guards the protocol side (RFC 7143 12.1.3).
  const same = { chap: { username: 'alice', secret: 'sharedSecret-xyz' }, mutualChap: { username: 't', secret: 'sharedSecret-xyz' } };
  const { a } = makeAuthenticator(same);
  await a.step([['AuthMethod', 'CHAP']]);
  await a.step([['CHAP_A', '5']]);
  const { chapResponse } = await import('../../../../plugins/transport-iscsi-tcp/auth/ChapAlgorithm.js');
  const r = chapResponse(CHAP_MD5, 0x2a, 'sharedSecret-xyz', Buffer.from([...Array(16).keys()]));
  t.same(await a.step([['CHAP_N', 'alice'], ['CHAP_R', `0x${r.toString('hex')}`]]), { kind: 'fail', reason: 'same-secret' });
});

t.test('a target with CHAP refuses AuthMethod None and a skipped security stage', async (t) => {
  t.same(await makeAuthenticator(ONE_WAY).a.step([['AuthMethod', 'None']]), { kind: 'fail', reason: 'chap-required' });
  t.same(await makeAuthenticator(ONE_WAY).a.step([]), { kind: 'fail', reason: 'chap-required' });
  const skipped = makeAuthenticator(ONE_WAY);
  t.same(skipped.a.skip(), { kind: 'fail', reason: 'chap-required' });
  t.equal(skipped.throttle.failures('192.0.2.10'), 0, 'not a guess, not counted');
  const half = makeAuthenticator(ONE_WAY);
  await half.a.step([['AuthMethod', 'CHAP']]);
  t.same(half.a.skip(), { kind: 'fail', reason: 'chap-required' }, 'leaving in the middle of CHAP');
});

t.test('no CHAP declared: AuthMethod None', async (t) => {
  const none = makeAuthenticator(null);
  t.equal(none.a.required, false);
  t.same(await none.a.step([['AuthMethod', 'CHAP,None']]), { kind: 'done', reply: [['AuthMethod', 'None']] });
  t.same(makeAuthenticator(null).a.skip(), { kind: 'done', reply: [] });
  t.same(await makeAuthenticator(null).a.step([]), { kind: 'done', reply: [] });
  t.same(await makeAuthenticator(null).a.step([['AuthMethod', 'CHAP']]), { kind: 'fail', reason: 'no-common-method' });
  t.same(await makeAuthenticator({ chap: null, mutualChap: null }).a.step([['AuthMethod', 'None']]),
    { kind: 'done', reply: [['AuthMethod', 'None']] });
});

t.test('no common algorithm', async (t) => {
  const { a } = makeAuthenticator(ONE_WAY);
  await a.step([['AuthMethod', 'CHAP']]);
  t.same(await a.step([['CHAP_A', '1,2,3']]), { kind: 'fail', reason: 'no-common-algorithm' });
});

t.test('CHAP keys after authentication are a protocol error', async (t) => {
  const { a } = makeAuthenticator(ONE_WAY);
  await a.step([['AuthMethod', 'CHAP']]);
  await a.step([['CHAP_A', '5']]);
  await a.step([['CHAP_N', 'alice'], ['CHAP_R', `0x${GOOD[5]}`]]);
  t.same(await a.step([['CHAP_A', '5']]), { kind: 'fail', reason: 'protocol' });
});

t.test('non-security keys are left to the negotiator', async (t) => {
  const { a } = makeAuthenticator(ONE_WAY);
  t.same(await a.step([['InitiatorName', 'iqn.x'], ['AuthMethod', 'CHAP'], ['SessionType', 'Normal']]),
    { kind: 'continue', reply: [['AuthMethod', 'CHAP']] });
});

t.test('real random challenges: unique and as long as the digest', async (t) => {
  const { TargetAuthenticator } = await import('../../../../plugins/transport-iscsi-tcp/auth/TargetAuthenticator.js');
  const seen = new Set<string>();
  for (const code of ['5', '6', '7', '8']) {
    const a = new TargetAuthenticator({ auth: ONE_WAY, remoteAddress: '192.0.2.1' });
    await a.step([['AuthMethod', 'CHAP']]);
    const r = reply(await a.step([['CHAP_A', code]]));
    const c = r.find(([k]) => k === 'CHAP_C')![1];
    t.match(c, /^0x[0-9a-f]+$/);
    t.ok((c.length - 2) / 2 >= 16);
    seen.add(c);
  }
  t.equal(seen.size, 4);
});

t.test('failures are logged with their reason, never with a secret', async (t) => {
  const { MemoryLogger } = await import('../../../helpers/MemoryLogger.js');
  const log = new MemoryLogger();
  const { a } = makeAuthenticator(MUTUAL, { log });
  await a.step([['AuthMethod', 'CHAP']]);
  await a.step([['CHAP_A', '5']]);
  await a.step([['CHAP_N', 'alice'], ['CHAP_R', `0x${'00'.repeat(16)}`]]);
  t.equal(log.at('warn').length, 1);
  t.equal(log.at('warn')[0]!.fields.reason, 'wrong-response');
  t.equal(log.at('warn')[0]!.fields.remoteAddress, '192.0.2.10');
  const text = JSON.stringify(log.entries);
  t.notMatch(text, MUTUAL.chap!.secret);
  t.notMatch(text, MUTUAL.mutualChap!.secret);
  const quiet = new MemoryLogger();
  makeAuthenticator(ONE_WAY, { log: quiet }).a.skip();
  t.equal(quiet.at('warn').length, 0, 'a client without credentials is not a warning');
  t.equal(quiet.at('info').length, 1);
});
