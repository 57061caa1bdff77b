/** Shared pieces of the CHAP unit tests: fixed "random" bytes, credentials, a recording sleep. */
import type { TargetAuth } from '../../../../core/transport/Transport.js';
import { AuthFailureThrottle } from '../../../../plugins/transport-iscsi-tcp/auth/AuthFailureThrottle.js';
import { TargetAuthenticator, type TargetAuthenticatorOptions } from '../../../../plugins/transport-iscsi-tcp/auth/TargetAuthenticator.js';

export const IDENTIFIER = 0x2a;
/** randomBytes(1) gives the identifier, randomBytes(n) gives 00 01 02 ... */
export function fixedRandom(n: number): Buffer {
  return n === 1 ? Buffer.from([IDENTIFIER]) : Buffer.from(Array.from({ length: n }, (_, i) => i));
}

export const ONE_WAY: TargetAuth = { chap: { username: 'alice', secret: 'chapSecret-0123' }, mutualChap: null };
export const MUTUAL: TargetAuth = {
  chap: { username: 'alice', secret: 'chapSecret-0123' },
  mutualChap: { username: 'target-bob', secret: 'targetSecret-456' },
};

export function makeAuthenticator(auth: TargetAuth | null, extra: Partial<TargetAuthenticatorOptions> = {}) {
  const sleeps: number[] = [];
  const throttle = extra.throttle ?? new AuthFailureThrottle();
  const a = new TargetAuthenticator({
    auth,
    remoteAddress: '192.0.2.10',
    throttle,
    randomBytes: fixedRandom,
    sleep: async (ms) => { sleeps.push(ms); },
    ...extra,
  });
  return { a, sleeps, throttle };
}
