/**
 * CHAP digest algorithms (RFC 1994 section 4.1; IANA "PPP Authentication
 * Algorithms" codes as open-iscsi offers them in CHAP_A). The response is
 * H(identifier || secret || challenge), identifier being one octet.
 */
import { createHash } from 'node:crypto';

export interface ChapAlgorithm {
  /** Value of CHAP_A. */
  readonly code: number;
  /** Name for messages and configuration. */
  readonly name: string;
  /** node:crypto hash name. */
  readonly hash: string;
  /** Response length in bytes. */
  readonly digestLength: number;
}

export const CHAP_MD5: ChapAlgorithm = { code: 5, name: 'MD5', hash: 'md5', digestLength: 16 };
export const CHAP_SHA1: ChapAlgorithm = { code: 6, name: 'SHA-1', hash: 'sha1', digestLength: 20 };
export const CHAP_SHA256: ChapAlgorithm = { code: 7, name: 'SHA-256', hash: 'sha256', digestLength: 32 };
export const CHAP_SHA3_256: ChapAlgorithm = { code: 8, name: 'SHA3-256', hash: 'sha3-256', digestLength: 32 };

/** Every algorithm the target accepts (the initiator's order decides). */
export const CHAP_ALGORITHMS: readonly ChapAlgorithm[] = [CHAP_MD5, CHAP_SHA1, CHAP_SHA256, CHAP_SHA3_256];

/**
 * The first algorithm of the initiator's CHAP_A list (preference order,
 * RFC 7143 12.1.3) that `supported` holds; null when none. Values that are
 * not decimal numbers are skipped like any unknown list value.
 */
export function chooseChapAlgorithm(offer: string, supported: readonly ChapAlgorithm[] = CHAP_ALGORITHMS): ChapAlgorithm | null {
  for (const item of offer.split(',')) {
    const text = item.trim();
    if (!/^\d{1,3}$/.test(text)) continue;
    const code = Number(text);
    const found = supported.find((a) => a.code === code);
    if (found) return found;
  }
  return null;
}

/** RFC 1994: H(identifier || secret || challenge). */
export function chapResponse(algorithm: ChapAlgorithm, identifier: number, secret: string | Buffer, challenge: Buffer): Buffer {
  const h = createHash(algorithm.hash);
  h.update(Uint8Array.of(identifier & 0xff));
  h.update(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret);
  h.update(challenge);
  return h.digest();
}
