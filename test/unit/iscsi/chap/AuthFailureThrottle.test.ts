import t from 'tap';
import { AuthFailureThrottle, throttleKey } from '../../../../plugins/transport-iscsi-tcp/auth/AuthFailureThrottle.js';
import { makeAuthenticator, ONE_WAY } from './chapFixtures.js';

function clock(start = 1_000_000) {
  const c = { now: start };
  return { c, now: () => c.now };
}

t.test('no failures: no wait', async (t) => {
  const th = new AuthFailureThrottle();
  t.same(th.admit('10.0.0.1'), { kind: 'wait', ms: 0 });
  t.equal(th.size, 0);
});

t.test('the wait doubles per failure up to the ceiling', async (t) => {
  const { c, now } = clock();
  const th = new AuthFailureThrottle({ baseDelayMs: 100, maxDelayMs: 800, now });
  const waits: number[] = [];
  for (let i = 0; i < 6; i++) {
    th.failed('10.0.0.1');
    const v = th.admit('10.0.0.1');
    if (v.kind !== 'wait') throw new Error('refused');
    waits.push(v.ms);
    c.now += v.ms; // the attempt waited its turn, then failed again
  }
  t.same(waits, [100, 200, 400, 800, 800, 800]);
  t.equal(th.failures('10.0.0.1'), 6);
  t.same(th.admit('10.0.0.2'), { kind: 'wait', ms: 0 }, 'other addresses are not slowed');
});

t.test('parallel attempts from one address get consecutive slots, then are refused', async (t) => {
  const { now } = clock();
  const th = new AuthFailureThrottle({ baseDelayMs: 1000, maxDelayMs: 1000, maxWaitMs: 3000, now });
  th.failed('10.0.0.1');
  const verdicts = [1, 2, 3, 4].map(() => th.admit('10.0.0.1'));
  t.same(verdicts, [
    { kind: 'wait', ms: 1000 }, { kind: 'wait', ms: 2000 }, { kind: 'wait', ms: 3000 }, { kind: 'refuse' },
  ]);
});

t.test('success clears, time forgets', async (t) => {
  const { c, now } = clock();
  const th = new AuthFailureThrottle({ forgetAfterMs: 60_000, now });
  th.failed('10.0.0.1');
  th.succeeded('10.0.0.1');
  t.equal(th.failures('10.0.0.1'), 0);
  th.failed('10.0.0.3');
  c.now += 60_001;
  t.equal(th.failures('10.0.0.3'), 0);
  t.same(th.admit('10.0.0.3'), { kind: 'wait', ms: 0 });
});

t.test('the table is bounded', async (t) => {
  const th = new AuthFailureThrottle({ maxEntries: 8 });
  for (let i = 0; i < 100; i++) th.failed(`10.0.${i >> 8}.${i & 255}`);
  t.equal(th.size, 8);
  t.equal(th.failures('10.0.0.99'), 1, 'the newest are kept');
  t.equal(th.failures('10.0.0.0'), 0, 'the oldest were dropped');
});

t.test('addresses: mapped IPv4 and IPv6 /64', async (t) => {
  t.equal(throttleKey('::ffff:192.0.2.1'), '192.0.2.1');
  t.equal(throttleKey('192.0.2.1'), '192.0.2.1');
  t.equal(throttleKey('2001:db8:1:2::1'), throttleKey('2001:db8:1:2:ffff:0:0:9'));
  t.equal(throttleKey('2001:db8:1:2::1'), '2001:db8:1:2::/64');
  t.not(throttleKey('2001:db8:1:2::1'), throttleKey('2001:db8:1:3::1'));
  t.equal(throttleKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  t.equal(throttleKey('::1'), '0:0:0:0::/64');
  const th = new AuthFailureThrottle();
  th.failed('::ffff:192.0.2.1');
  t.equal(th.failures('192.0.2.1'), 1);
});

t.test('the authenticator waits before checking once an address has failed', async (t) => {
  const throttle = new AuthFailureThrottle({ baseDelayMs: 500, maxDelayMs: 8000 });
  const allSleeps: number[] = [];
  for (let i = 0; i < 3; i++) {
    const { a, sleeps } = makeAuthenticator(ONE_WAY, { throttle });
    await a.step([['AuthMethod', 'CHAP']]);
    await a.step([['CHAP_A', '5']]);
    const r = await a.step([['CHAP_N', 'alice'], ['CHAP_R', `0x${'00'.repeat(16)}`]]);
    t.same(r, { kind: 'fail', reason: 'wrong-response' });
    allSleeps.push(...sleeps);
  }
  t.equal(allSleeps.length, 2, 'the first attempt is not delayed');
  t.ok(allSleeps[0]! > 0 && allSleeps[1]! > allSleeps[0]!, `waits grow: ${allSleeps.join(', ')}`);
  t.equal(throttle.failures('192.0.2.10'), 3);
});

t.test('a refused attempt is answered without checking and not counted', async (t) => {
  const throttle = new AuthFailureThrottle({ baseDelayMs: 1000, maxDelayMs: 1000, maxWaitMs: 0 });
  throttle.failed('192.0.2.10');
  const { a, sleeps } = makeAuthenticator(ONE_WAY, { throttle });
  await a.step([['AuthMethod', 'CHAP']]);
  await a.step([['CHAP_A', '5']]);
  t.same(await a.step([['CHAP_N', 'alice'], ['CHAP_R', '0x747fe267ecb0baec31e0f4ab05949481']]), { kind: 'fail', reason: 'throttled' });
  t.same(sleeps, []);
  t.equal(throttle.failures('192.0.2.10'), 1);
});
