/**
 * The target side of the iSCSI security negotiation (RFC 7143 6.3.1 and
 * 12.1.3): AuthMethod selection, then CHAP per RFC 1994 with the CHAP_A
 * algorithms MD5, SHA-1, SHA-256 and SHA3-256, one-way or mutual.
 *
 *   I: AuthMethod=CHAP,None      T: AuthMethod=CHAP
 *   I: CHAP_A=7,5                T: CHAP_A=7 CHAP_I=<id> CHAP_C=<challenge>
 *   I: CHAP_N CHAP_R [CHAP_I CHAP_C]
 *                                T: (mutual) CHAP_N CHAP_R     - or 0x0201
 *
 * With no CHAP declared the target accepts AuthMethod None only.
 */
import { randomBytes as cryptoRandomBytes, timingSafeEqual, createHash } from 'node:crypto';
import type { TargetAuth } from '../../../core/transport/Transport.js';
import type { Logger } from '../../../core/log/Logger.js';
import type { KeyValue } from '../text/TextKeys.js';
import type { AuthFailureReason, AuthOutcome, Authenticator } from './Authenticator.js';
import { CHAP_ALGORITHMS, chapResponse, chooseChapAlgorithm, type ChapAlgorithm } from './ChapAlgorithm.js';
import { ChapValueError, decodeChapBinary, decodeChapIdentifier, encodeChapBinary } from './ChapValue.js';
import { AuthFailureThrottle } from './AuthFailureThrottle.js';

export interface TargetAuthenticatorOptions {
  /** What this login must prove: ServedTarget.auth, or TransportContext.discoveryAuth for discovery. */
  readonly auth: TargetAuth | null;
  /** Initiator's address, for the failure back-off. */
  readonly remoteAddress: string;
  /** Shared by all connections of a transport; default: one per process. */
  readonly throttle?: AuthFailureThrottle;
  /** Algorithms accepted, default all four. */
  readonly algorithms?: readonly ChapAlgorithm[];
  /** Failures are logged here (reason and address, never secrets). */
  readonly log?: Logger;
  /** Tests inject fixed bytes and a clock-free sleep. */
  readonly randomBytes?: (n: number) => Buffer;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Shared by every authenticator that is not given a throttle. */
export const processAuthThrottle = new AuthFailureThrottle();

type State = 'method' | 'algorithm' | 'response' | 'done' | 'failed';

interface Challenge {
  readonly algorithm: ChapAlgorithm;
  readonly identifier: number;
  readonly challenge: Buffer;
}

const SECURITY_KEYS = new Set(['AuthMethod', 'CHAP_A', 'CHAP_I', 'CHAP_C', 'CHAP_N', 'CHAP_R']);

export class TargetAuthenticator implements Authenticator {
  private state: State = 'method';
  private issued: Challenge | null = null;
  private readonly auth: TargetAuth | null;
  private readonly throttle: AuthFailureThrottle;
  private readonly algorithms: readonly ChapAlgorithm[];
  private readonly randomBytes: (n: number) => Buffer;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: TargetAuthenticatorOptions) {
    this.auth = opts.auth;
    this.throttle = opts.throttle ?? processAuthThrottle;
    this.algorithms = opts.algorithms ?? CHAP_ALGORITHMS;
    this.randomBytes = opts.randomBytes ?? cryptoRandomBytes;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get required(): boolean { return this.auth?.chap != null; }
  get authenticated(): boolean { return this.state === 'done'; }

  skip(): AuthOutcome {
    if (this.state === 'failed') return { kind: 'fail', reason: 'protocol' };
    if (this.state === 'done') return { kind: 'done', reply: [] };
    if (this.required) return this.fail('chap-required', false);
    this.state = 'done';
    return { kind: 'done', reply: [] };
  }

  async step(keys: readonly KeyValue[]): Promise<AuthOutcome> {
    if (this.state === 'failed') return { kind: 'fail', reason: 'protocol' };
    const map = new Map<string, string>();
    for (const [k, v] of keys) {
      if (!SECURITY_KEYS.has(k)) continue;
      // RFC 7143 6.1: a key may appear only once per negotiation step.
      if (map.has(k)) return this.fail('malformed', this.state === 'response');
      map.set(k, v);
    }
    switch (this.state) {
      case 'method': return this.onMethod(map);
      case 'algorithm': return this.onAlgorithm(map, []);
      case 'response': return this.onResponse(map);
      case 'done': return map.size === 0 ? { kind: 'done', reply: [] } : this.fail('protocol', false);
    }
  }

  private onMethod(map: Map<string, string>): AuthOutcome {
    const offer = map.get('AuthMethod');
    const methods = offer === undefined ? [] : offer.split(',').map((m) => m.trim());
    if (!this.required) {
      if (offer === undefined) {
        // AuthMethod defaults to None (RFC 7143 13.x); CHAP keys without it are out of place.
        if (map.size > 0) return this.fail('protocol', false);
        this.state = 'done';
        return { kind: 'done', reply: [] };
      }
      if (!methods.includes('None')) return this.fail('no-common-method', false);
      this.state = 'done';
      return { kind: 'done', reply: [['AuthMethod', 'None']] };
    }
    if (!methods.includes('CHAP')) return this.fail('chap-required', false);
    this.state = 'algorithm';
    const reply: KeyValue[] = [['AuthMethod', 'CHAP']];
    // Some initiators send CHAP_A together with AuthMethod.
    if (map.has('CHAP_A')) return this.onAlgorithm(map, reply);
    return { kind: 'continue', reply };
  }

  private onAlgorithm(map: Map<string, string>, reply: KeyValue[]): AuthOutcome {
    const offer = map.get('CHAP_A');
    if (offer === undefined) return this.fail('malformed', false);
    const algorithm = chooseChapAlgorithm(offer, this.algorithms);
    if (!algorithm) return this.fail('no-common-algorithm', false);
    const identifier = this.randomBytes(1)[0]!;
    // RFC 1994: a challenge at least as long as the digest; never under 16 bytes.
    const challenge = this.randomBytes(Math.max(16, algorithm.digestLength));
    this.issued = { algorithm, identifier, challenge };
    this.state = 'response';
    return {
      kind: 'continue',
      reply: [...reply, ['CHAP_A', String(algorithm.code)], ['CHAP_I', String(identifier)], ['CHAP_C', encodeChapBinary(challenge)]],
    };
  }

  private async onResponse(map: Map<string, string>): Promise<AuthOutcome> {
    const issued = this.issued!;
    const chap = this.auth!.chap!;
    const name = map.get('CHAP_N');
    const responseText = map.get('CHAP_R');
    const idText = map.get('CHAP_I');
    const challengeText = map.get('CHAP_C');
    if (name === undefined || responseText === undefined) return this.fail('malformed', true);
    if ((idText === undefined) !== (challengeText === undefined)) return this.fail('malformed', true);

    const verdict = this.throttle.admit(this.opts.remoteAddress);
    if (verdict.kind === 'refuse') return this.fail('throttled', false);
    if (verdict.ms > 0) await this.sleep(verdict.ms);

    let response: Buffer;
    let mutual: { identifier: number; challenge: Buffer } | null = null;
    try {
      response = decodeChapBinary(responseText);
      if (idText !== undefined && challengeText !== undefined) {
        mutual = { identifier: decodeChapIdentifier(idText), challenge: decodeChapBinary(challengeText) };
      }
    } catch (err) {
      if (err instanceof ChapValueError) return this.fail('malformed', true);
      throw err;
    }

    const expected = chapResponse(issued.algorithm, issued.identifier, chap.secret, issued.challenge);
    // Both checks always run so the time taken does not tell which one failed.
    const responseOk = sameBytes(response, expected);
    const nameOk = sameText(name, chap.username);
    if (!nameOk) return this.fail('wrong-name', true);
    if (!responseOk) return this.fail('wrong-response', true);

    const targetSecret = this.auth!.mutualChap?.secret;
    if (targetSecret !== undefined && sameBytes(response, chapResponse(issued.algorithm, issued.identifier, targetSecret, issued.challenge))) {
      // RFC 7143 12.1.3: a secret must not serve both directions.
      return this.fail('same-secret', true);
    }

    let reply: KeyValue[] = [];
    if (mutual) {
      const target = this.auth!.mutualChap;
      if (!target) return this.fail('mutual-not-configured', false);
      if (sameBytes(mutual.challenge, issued.challenge)) return this.fail('reflected-challenge', true);
      const answer = chapResponse(issued.algorithm, mutual.identifier, target.secret, mutual.challenge);
      reply = [['CHAP_N', target.username], ['CHAP_R', encodeChapBinary(answer)]];
    }
    this.throttle.succeeded(this.opts.remoteAddress);
    this.state = 'done';
    this.issued = null;
    return { kind: 'done', reply };
  }

  private fail(reason: AuthFailureReason, counts: boolean): AuthOutcome {
    this.state = 'failed';
    this.issued = null;
    if (counts) this.throttle.failed(this.opts.remoteAddress);
    const fields = { reason, remoteAddress: this.opts.remoteAddress, failures: this.throttle.failures(this.opts.remoteAddress) };
    // A wrong secret is worth a warning; refusals while throttled could flood the log.
    if (counts) this.opts.log?.warn('iSCSI login authentication failed', fields);
    else if (reason === 'throttled') this.opts.log?.debug('iSCSI login authentication refused while throttled', fields);
    else this.opts.log?.info('iSCSI login authentication failed', fields);
    return { kind: 'fail', reason };
  }
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Compares digests so neither the length nor the first differing byte shows in the timing. */
function sameText(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
