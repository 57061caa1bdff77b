/**
 * The answer to SendTargets (RFC 7143 appendix C): TargetName followed by a
 * TargetAddress=host:port,tpgt for each portal the target is reachable on.
 * Only targets that admit the asking initiator are listed.
 */
import type { PortalSpec, ServedTarget } from '../../../core/transport/Transport.js';
import type { KeyValue } from '../text/TextKeys.js';

export interface SendTargetsContext {
  readonly initiatorName: string;
  readonly remoteAddress: string;
  /** The address the asking connection reached us on (stands in for wildcard portal hosts). */
  readonly localAddress: string;
  readonly portals: ReadonlyMap<string, PortalSpec>;
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; IPv6 in brackets. */
export function formatAddress(host: string, port: number): string {
  const h = host.startsWith('::ffff:') && host.includes('.') ? host.slice(7) : host;
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`;
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '' || host === '*';
}

export function targetAddresses(target: ServedTarget, ctx: SendTargetsContext): string[] {
  const out: string[] = [];
  for (const name of target.portals) {
    const p = ctx.portals.get(name);
    if (!p) continue;
    const host = isWildcard(p.host) ? ctx.localAddress : p.host;
    out.push(`${formatAddress(host, p.port)},${p.portalGroupTag}`);
  }
  return out;
}

/**
 * @param value the SendTargets value: 'All', a target name, or '' (the session's own target)
 * @param sessionTarget the target of a Normal session, null in a Discovery session
 */
export function sendTargets(value: string, targets: Iterable<ServedTarget>, sessionTarget: ServedTarget | null, ctx: SendTargetsContext): KeyValue[] {
  const out: KeyValue[] = [];
  const list = (t: ServedTarget): void => {
    if (!t.admits(ctx.initiatorName, ctx.remoteAddress)) return;
    const addresses = targetAddresses(t, ctx);
    if (addresses.length === 0) return;
    out.push(['TargetName', t.name]);
    for (const a of addresses) out.push(['TargetAddress', a]);
  };
  if (value === 'All') {
    if (sessionTarget !== null) return out; // All is for Discovery sessions only
    for (const t of targets) list(t);
  } else if (value === '') {
    if (sessionTarget) list(sessionTarget);
  } else {
    for (const t of targets) if (t.name === value && (sessionTarget === null || sessionTarget.name === value)) list(t);
  }
  return out;
}
