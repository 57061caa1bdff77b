/**
 * CHAP credentials from the declaration: the secret comes from a file
 * (relative to the declaration), an environment variable, or - with a
 * warning - inline. RFC 7143 12.1.3: secrets shorter than 12 bytes are
 * refused, and the secret a target proves itself with must differ from the
 * one the initiator uses.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChapDecl } from './Declaration.js';

export const CHAP_SECRET_MIN = 12;
/** open-iscsi and tgt keep at most 255 bytes. */
export const CHAP_SECRET_MAX = 255;

export interface RawChap {
  readonly username: string;
  readonly secretFile?: string;
  readonly secretEnv?: string;
  readonly secret?: string;
}

export type ChapResult =
  | { readonly ok: true; readonly chap: ChapDecl; readonly warning: string | null }
  | { readonly ok: false; readonly field: string | null; readonly message: string };

export function resolveChap(raw: RawChap, baseDir: string, env: NodeJS.ProcessEnv): ChapResult {
  const given = (['secretFile', 'secretEnv', 'secret'] as const).filter((k) => raw[k] !== undefined);
  if (given.length !== 1) {
    return { ok: false, field: null, message: given.length === 0
      ? 'give the CHAP secret with secretFile (a file next to the declaration) or secretEnv (an environment variable)'
      : `give exactly one of secretFile, secretEnv, secret (got ${given.join(', ')})` };
  }
  let secret: string;
  let secretSource: string;
  let warning: string | null = null;
  if (raw.secretFile !== undefined) {
    const file = path.resolve(baseDir, raw.secretFile);
    try {
      // Editors add a final newline; it is never part of the secret.
      secret = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      return { ok: false, field: 'secretFile', message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; create it holding the secret (${CHAP_SECRET_MIN}..${CHAP_SECRET_MAX} bytes)` };
    }
    secretSource = `file ${raw.secretFile}`;
  } else if (raw.secretEnv !== undefined) {
    const value = env[raw.secretEnv];
    if (value === undefined) return { ok: false, field: 'secretEnv', message: `environment variable ${raw.secretEnv} is not set` };
    secret = value;
    secretSource = `env ${raw.secretEnv}`;
  } else {
    secret = raw.secret!;
    secretSource = 'inline';
    warning = 'CHAP secret written inline in the declaration; prefer secretFile or secretEnv so the file can be shared';
  }
  const bytes = Buffer.byteLength(secret);
  const field = given[0]!;
  if (bytes < CHAP_SECRET_MIN) {
    return { ok: false, field, message: `CHAP secret (${secretSource}) is ${bytes} bytes; RFC 7143 requires at least ${CHAP_SECRET_MIN}` };
  }
  if (bytes > CHAP_SECRET_MAX) {
    return { ok: false, field, message: `CHAP secret (${secretSource}) is ${bytes} bytes; initiators accept at most ${CHAP_SECRET_MAX}` };
  }
  return { ok: true, chap: { username: raw.username, secret, secretSource }, warning };
}
