/**
 * Slows down guessing: after a failed authentication from an address, its
 * next verification waits (0.5 s, 1 s, 2 s, ... up to a ceiling). Attempts
 * from one address are given consecutive slots, so opening many connections
 * at once does not multiply the guess rate; when the queue of slots reaches
 * `maxWaitMs`, further attempts are refused without being checked.
 * The table is bounded (oldest entries dropped) and forgets an address some
 * time after its last failure. IPv6 addresses are grouped by /64, since one
 * host usually owns a whole /64.
 */
import { isIPv6 } from 'node:net';

export interface AuthThrottleOptions {
  /** Wait after the first failure; doubles per further failure. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Attempts whose slot lies further ahead than this are refused outright. */
  readonly maxWaitMs?: number;
  readonly maxEntries?: number;
  /** An address is forgotten this long after its last failure. */
  readonly forgetAfterMs?: number;
  readonly now?: () => number;
}

export type ThrottleVerdict =
  | { readonly kind: 'wait'; readonly ms: number }
  | { readonly kind: 'refuse' };

interface Entry {
  failures: number;
  lastFailure: number;
  /** Earliest time the next verification from this address may be answered. */
  nextSlot: number;
}

export class AuthFailureThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxWaitMs: number;
  private readonly maxEntries: number;
  private readonly forgetAfterMs: number;
  private readonly now: () => number;

  constructor(opts: AuthThrottleOptions = {}) {
    this.baseDelayMs = opts.baseDelayMs ?? 500;
    this.maxDelayMs = opts.maxDelayMs ?? 8_000;
    // Below the transport's default login timeout (15 s): a queued attempt is answered before its connection gives up.
    this.maxWaitMs = opts.maxWaitMs ?? 10_000;
    this.maxEntries = opts.maxEntries ?? 4096;
    this.forgetAfterMs = opts.forgetAfterMs ?? 15 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Number of addresses remembered. */
  get size(): number { return this.entries.size; }

  /** Delay that follows `failures` consecutive failures. */
  delayAfter(failures: number): number {
    if (failures <= 0) return 0;
    return Math.min(this.baseDelayMs * 2 ** Math.min(failures - 1, 30), this.maxDelayMs);
  }

  /** Reserve the next verification slot for `address`: how long to wait before checking, or refuse. */
  admit(address: string): ThrottleVerdict {
    const key = throttleKey(address);
    const e = this.live(key);
    if (!e) return { kind: 'wait', ms: 0 };
    const now = this.now();
    const slot = Math.max(now, e.nextSlot);
    if (slot - now > this.maxWaitMs) return { kind: 'refuse' };
    e.nextSlot = slot + this.delayAfter(e.failures);
    return { kind: 'wait', ms: slot - now };
  }

  failed(address: string): void {
    const key = throttleKey(address);
    const now = this.now();
    const e = this.live(key) ?? { failures: 0, lastFailure: now, nextSlot: 0 };
    e.failures++;
    e.lastFailure = now;
    e.nextSlot = Math.max(e.nextSlot, now + this.delayAfter(e.failures));
    // Re-insert so Map order is least-recently-failed first.
    this.entries.delete(key);
    this.entries.set(key, e);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Forget every address (tests; an operator reset). */
  clear(): void {
    this.entries.clear();
  }

  succeeded(address: string): void {
    this.entries.delete(throttleKey(address));
  }

  /** Failures remembered for `address` (0 when none or forgotten). */
  failures(address: string): number {
    return this.live(throttleKey(address))?.failures ?? 0;
  }

  private live(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e && this.now() - e.lastFailure > this.forgetAfterMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }
}

/** IPv4-mapped IPv6 becomes plain IPv4; other IPv6 addresses their /64 prefix. */
export function throttleKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  const bare = address.split('%')[0]!;
  if (!isIPv6(bare)) return address;
  const groups = expandIpv6(bare);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

function expandIpv6(a: string): string[] {
  let text = a;
  // An embedded IPv4 tail (::1.2.3.4) counts as two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [b0, b1, b2, b3] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + `${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16).toString(16));
}
