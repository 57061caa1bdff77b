/**
 * The iSER transport (iSCSI Extensions for RDMA, RFC 7145) as declared but
 * not available: this host has no RDMA. Every portal it is asked to serve
 * fails with an error naming the portal, so a declaration using it is
 * reported instead of silently serving nothing.
 */
import type { PortalSpec, ServedTarget, SessionInfo, Transport } from '../../core/transport/Transport.js';

export function rdmaUnavailable(portal: PortalSpec): string {
  const host = portal.host.includes(':') ? `[${portal.host}]` : portal.host;
  return `portal ${host}:${portal.port} (${portal.name}): transport 'iser' needs RDMA, which is unavailable on this host; use transport 'iscsi-tcp' for this portal`;
}

export class IserTransport implements Transport {
  async configure(portals: readonly PortalSpec[], _targets: readonly ServedTarget[]): Promise<void> {
    if (portals.length === 0) return;
    throw new Error(portals.map(rdmaUnavailable).join('; '));
  }

  sessions(): SessionInfo[] {
    return [];
  }

  async dropSessions(): Promise<void> {}

  async close(): Promise<void> {}
}
