/** A TargetDecl plus its SCSI side, as transports see it (a new object for every change). */
import type { TargetDecl } from '../config/Declaration.js';
import type { ScsiTargetDevice } from '../scsi/ScsiCommand.js';
import type { ServedTarget, TargetAuth } from '../transport/Transport.js';
import type { AuthDecl } from '../config/Declaration.js';
import { compileBindings } from './BindingMatcher.js';

export function servedTarget(decl: TargetDecl, scsi: ScsiTargetDevice): ServedTarget {
  return {
    name: decl.name,
    alias: decl.alias,
    portals: decl.portals,
    admits: compileBindings(decl.bindings),
    auth: toTargetAuth(decl.auth),
    options: decl.options,
    scsi,
  };
}

export function toTargetAuth(auth: AuthDecl | null): TargetAuth | null {
  if (!auth) return null;
  const creds = (c: AuthDecl['chap']) => (c ? { username: c.username, secret: c.secret } : null);
  return { chap: creds(auth.chap), mutualChap: creds(auth.mutualChap) };
}
