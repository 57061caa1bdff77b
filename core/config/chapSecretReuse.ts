/**
 * RFC 7143 12.1.3: "Any CHAP secret used for initiator authentication MUST
 * NOT be configured for authentication of any target, and any CHAP secret
 * used for target authentication MUST NOT be configured for authentication
 * of any initiator." A single auth block is checked where it is read; this
 * looks across the whole declaration (every target and discovery).
 */
import type { AuthDecl } from './Declaration.js';
import type { FieldPath } from './DeclarationSource.js';

export interface AuthSite {
  /** Where the auth block is, e.g. ['targets', 2, 'auth'] or ['discovery', 'auth']. */
  readonly path: FieldPath;
  readonly auth: AuthDecl | null;
}

export interface SecretReuse {
  /** The mutualChap entry that repeats an initiator secret. */
  readonly path: FieldPath;
  readonly message: string;
}

function describe(path: FieldPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

export function findChapSecretReuse(sites: readonly AuthSite[]): SecretReuse[] {
  const initiatorSecrets = new Map<string, FieldPath>();
  for (const s of sites) {
    const chap = s.auth?.chap;
    if (chap && !initiatorSecrets.has(chap.secret)) initiatorSecrets.set(chap.secret, [...s.path, 'chap']);
  }
  const out: SecretReuse[] = [];
  for (const s of sites) {
    const mutual = s.auth?.mutualChap;
    if (!mutual) continue;
    // The same block's chap = mutualChap is reported where the block is read.
    if (s.auth?.chap?.secret === mutual.secret) continue;
    const other = initiatorSecrets.get(mutual.secret);
    if (!other) continue;
    out.push({
      path: [...s.path, 'mutualChap'],
      message: `mutualChap (${mutual.secretSource}) has the same secret as ${describe(other)}; ` +
        'a secret that authenticates initiators must never authenticate a target (RFC 7143 12.1.3): give the target a secret of its own',
    });
  }
  return out;
}
