/**
 * The seam between the login state machine and authentication: the login
 * code hands every security key (AuthMethod, CHAP_*) of each Login Request
 * in the SecurityNegotiation stage to `step`, and sends back what it says.
 *
 *   continue  reply with these keys, stay in the security stage (T=0)
 *   done      reply with these keys; the initiator is authenticated and the
 *             target may now honour a transit request (T=1, NSG)
 *   fail      Login Response with status 0x0201 (authentication failure)
 *             and no keys; then close the connection. `reason` is for the
 *             log only - the initiator is never told which part failed.
 *
 * An initiator that starts in (or jumps to) LoginOperationalNegotiation
 * without a security stage is asked about through `skip()`.
 */
import type { KeyValue } from '../text/TextKeys.js';

/** Login status class/detail for every authentication failure (RFC 7143 11.13.5). */
export const AUTH_FAILURE_STATUS = { statusClass: 0x02, statusDetail: 0x01 } as const;

export type AuthFailureReason =
  /** The target requires CHAP; the initiator offered only other methods, or skipped the security stage. */
  | 'chap-required'
  /** No AuthMethod in common (e.g. the initiator insists on CHAP where none is declared). */
  | 'no-common-method'
  /** No CHAP_A value in common. */
  | 'no-common-algorithm'
  /** Missing, duplicated or badly encoded CHAP keys. */
  | 'malformed'
  | 'wrong-name'
  | 'wrong-response'
  /** The initiator's response was made with the target's own (mutual) secret (RFC 7143 12.1.3). */
  | 'same-secret'
  /** The initiator sent back the target's challenge as its own (reflection attack). */
  | 'reflected-challenge'
  /** The initiator asked the target to prove itself; no mutualChap is declared. */
  | 'mutual-not-configured'
  /** Too many failures from this address are queued; answered without checking. */
  | 'throttled'
  /** Security keys after authentication finished, or a step after a failure. */
  | 'protocol';

export type AuthOutcome =
  | { readonly kind: 'continue'; readonly reply: readonly KeyValue[] }
  | { readonly kind: 'done'; readonly reply: readonly KeyValue[] }
  | { readonly kind: 'fail'; readonly reason: AuthFailureReason };

export interface Authenticator {
  /** Whether this login must authenticate (CHAP declared); false = AuthMethod None is accepted. */
  readonly required: boolean;
  /** True once `step` or `skip` returned 'done'. */
  readonly authenticated: boolean;
  /** One Login Request's security keys, in order. May wait (failure back-off) before answering. */
  step(keys: readonly KeyValue[]): Promise<AuthOutcome>;
  /** The initiator went to operational negotiation without (finishing) a security stage. */
  skip(): AuthOutcome;
}
