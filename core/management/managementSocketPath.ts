/**
 * Where the management API listens: `management.socket` of the declaration
 * (relative to the declaration file), else `<stateDir>/lunhost.sock`.
 * The CLI computes the same path from the raw file, without validating it
 * (so `lunhost status` works even while the file on disk is invalid).
 */
import path from 'node:path';
import type { Declaration } from '../config/Declaration.js';

export const DEFAULT_SOCKET_NAME = 'lunhost.sock';
/** Mirrors validateDeclaration's default `stateDir`. */
export const DEFAULT_STATE_DIR = 'state';

export function managementSocketPath(decl: Pick<Declaration, 'baseDir' | 'stateDir' | 'management'>): string {
  if (decl.management) return path.resolve(decl.baseDir, decl.management.socket);
  return path.join(decl.stateDir, DEFAULT_SOCKET_NAME);
}

/** The same path from the raw (unvalidated) data of a declaration file in `baseDir`. */
export function managementSocketPathFromRaw(data: unknown, baseDir: string): string {
  const raw = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  const mgmt = raw.management;
  if (mgmt !== null && typeof mgmt === 'object' && typeof (mgmt as Record<string, unknown>).socket === 'string') {
    return path.resolve(baseDir, (mgmt as Record<string, string>).socket);
  }
  const stateDir = path.resolve(baseDir, typeof raw.stateDir === 'string' ? raw.stateDir : DEFAULT_STATE_DIR);
  return path.join(stateDir, DEFAULT_SOCKET_NAME);
}
