/**
 * The iscsi-tcp Transport: listeners per portal, the served targets, and the
 * session registry (TSIH allocation, session reinstatement, logout and
 * shutdown). Connections do the protocol work (session/IscsiConnection.ts).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { PortalSpec, ServedTarget, SessionInfo, Transport, TransportContext } from '../../core/transport/Transport.js';
import { IscsiConnection } from './session/IscsiConnection.js';
import { IscsiSession } from './session/IscsiSession.js';
import type { ConnectionHost } from './session/ConnectionHost.js';
import type { CompletedLogin } from './login/LoginStateMachine.js';
import { LoginFailure, LoginStatus } from './login/LoginStatus.js';
import { DEFAULT_MAX_SESSIONS, resolvePortalOptions, resolveTargetValues } from './IscsiTcpOptions.js';
import { formatAddress } from './discovery/SendTargets.js';
import type { Authenticator } from './auth/Authenticator.js';
import { TargetAuthenticator } from './auth/TargetAuthenticator.js';
import type { TargetAuth } from '../../core/transport/Transport.js';

interface Listener {
  spec: PortalSpec;
  readonly server: Server;
  readonly connections: Set<IscsiConnection>;
}

const BIND_ERRORS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this host',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  ENOTFOUND: 'host name does not resolve',
};

export class IscsiTcpTransport implements Transport, ConnectionHost {
  private readonly listeners = new Map<string, Listener>();
  private portalSpecs = new Map<string, PortalSpec>();
  private targetsByName = new Map<string, ServedTarget>();
  private readonly sessionsByTsih = new Map<number, IscsiSession>();
  /** Every open connection, logged in or not. */
  private readonly connections = new Set<IscsiConnection>();
  private nextTsih = 1;
  private closing = false;

  constructor(private readonly ctx: TransportContext) {}

  get log() { return this.ctx.log; }
  get discoveryAuth() { return this.ctx.discoveryAuth; }

  portals(): ReadonlyMap<string, PortalSpec> {
    return this.portalSpecs;
  }

  targets(): Iterable<ServedTarget> {
    return this.targetsByName.values();
  }

  createAuthenticator(auth: TargetAuth | null, remoteAddress: string): Authenticator {
    return new TargetAuthenticator({ auth, remoteAddress, log: this.ctx.log });
  }

  findTarget(portalName: string, targetName: string): ServedTarget | null {
    const t = this.targetsByName.get(targetName);
    return t && t.portals.includes(portalName) ? t : null;
  }

  /** Local address of a portal's listener (port 0 resolves to the real port). */
  address(portalName: string): { host: string; port: number } | null {
    const l = this.listeners.get(portalName);
    const a = l?.server.address();
    return a && typeof a === 'object' ? { host: a.address, port: a.port } : null;
  }

  async configure(portals: readonly PortalSpec[], targets: readonly ServedTarget[]): Promise<void> {
    if (this.closing) throw new Error('iscsi-tcp transport is closed');
    this.portalSpecs = new Map(portals.map((p) => [p.name, p]));
    // Targets: swap in place; sessions of removed targets (or targets no longer on their portal) end.
    this.targetsByName = new Map(targets.map((t) => [t.name, t]));
    for (const session of [...this.sessionsByTsih.values()]) {
      const prev = session.target;
      if (!prev) continue;
      const next = this.targetsByName.get(prev.name);
      if (!next || !next.portals.includes(session.identity.portalName)) {
        this.endSession(session, true);
        continue;
      }
      if (next !== prev) {
        session.target = next;
        if (next.scsi !== prev.scsi && session.nexus) {
          prev.scsi.nexusClosed(session.nexus);
          next.scsi.nexusOpened(session.nexus);
        }
      }
    }
    // Listeners: keep those whose address is unchanged, close removed or moved ones, open new ones.
    for (const [name, l] of [...this.listeners]) {
      const spec = this.portalSpecs.get(name);
      if (spec && spec.host === l.spec.host && spec.port === l.spec.port) {
        l.spec = spec;
        for (const c of l.connections) c.portal = spec;
        continue;
      }
      await this.closeListener(name, l);
    }
    const failures: string[] = [];
    await Promise.all(portals.filter((p) => !this.listeners.has(p.name)).map(async (p) => {
      try {
        await this.listen(p);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        failures.push(`portal ${formatAddress(p.host, p.port)} (${p.name}): ${BIND_ERRORS[code] ?? (err as Error).message}`);
      }
    }));
    if (failures.length) throw new Error(failures.join('; '));
  }

  private listen(spec: PortalSpec): Promise<void> {
    const connections = new Set<IscsiConnection>();
    const server = createServer({ noDelay: true }, (socket: Socket) => this.accept(name, socket));
    const name = spec.name;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: spec.host, port: spec.port, ipv6Only: false }, () => {
        server.off('error', reject);
        server.on('error', (err) => this.ctx.log.error('iSCSI portal listener error', { portal: spec.name, error: err.message }));
        this.listeners.set(name, { spec, server, connections });
        resolve();
      });
    });
  }

  private accept(portalName: string, socket: Socket): void {
    const l = this.listeners.get(portalName);
    if (!l || this.closing || l.connections.size >= resolvePortalOptions(l.spec.options).maxConnections) {
      socket.destroy();
      return;
    }
    socket.on('error', () => undefined);
    const conn = new IscsiConnection(socket, l.spec, this);
    if (conn.closed) return;
    l.connections.add(conn);
    this.connections.add(conn);
  }

  private async closeListener(name: string, l: Listener): Promise<void> {
    this.listeners.delete(name);
    // server.close() waits for open connections: end them first.
    const closed = new Promise<void>((resolve) => l.server.close(() => resolve()));
    for (const c of [...l.connections]) c.destroy();
    await closed;
  }

  openSession(login: CompletedLogin, conn: IscsiConnection): IscsiSession {
    if (this.closing) throw new LoginFailure(LoginStatus.ServiceUnavailable, 'the target is shutting down');
    if (login.tsih !== 0) return this.addConnection(login, conn);
    if (login.target) {
      const max = typeof login.target.options['MaxSessions'] === 'number' ? login.target.options['MaxSessions'] : DEFAULT_MAX_SESSIONS;
      let open = 0;
      for (const s of this.sessionsByTsih.values()) {
        const reinstated = s.identity.initiatorName === login.initiatorName && s.identity.isid === login.isid;
        if (s.target?.name === login.target.name && !reinstated) open++;
      }
      if (open >= max) throw new LoginFailure(LoginStatus.OutOfResources, `target ${login.target.name} already has ${open} sessions (MaxSessions ${max})`);
    }
    // Session reinstatement (RFC 7143 6.3.5): same initiator port to the same target port replaces the old session.
    for (const s of [...this.sessionsByTsih.values()]) {
      if (s.identity.initiatorName === login.initiatorName && s.identity.isid === login.isid
        && (s.target?.name ?? null) === (login.target?.name ?? null) && s.identity.portalGroupTag === conn.portal.portalGroupTag) {
        this.endSession(s, true);
      }
    }
    const tsih = this.allocateTsih();
    const targetOptions = login.target?.options ?? {};
    const portalOpts = resolvePortalOptions(conn.portal.options);
    const depthOpt = targetOptions['QueueDepth'];
    const depth = Math.min(portalOpts.maxCommandsInFlight, typeof depthOpt === 'number' ? depthOpt : portalOpts.maxCommandsInFlight);
    const session = new IscsiSession(
      {
        tsih, isid: login.isid, cid: login.cid, initiatorName: login.initiatorName, initiatorAlias: login.initiatorAlias,
        remoteAddress: conn.remoteAddress, portalName: conn.portal.name, portalGroupTag: conn.portal.portalGroupTag, discovery: login.discovery,
      },
      login.target, login.negotiator, login.cmdSN, depth,
      Number(resolveTargetValues(targetOptions)['MaxRecvDataSegmentLength']),
    );
    this.sessionsByTsih.set(tsih, session);
    session.connections.set(login.cid, conn);
    if (session.nexus && session.target) session.target.scsi.nexusOpened(session.nexus);
    this.ctx.sessionLoggedIn(session.info());
    return session;
  }

  /**
   * A login with a TSIH joins that session (RFC 7143 6.3.3): same initiator
   * port and target, within MaxConnections. A CID already in the session is
   * connection reinstatement: the old connection and its tasks end (ERL 0).
   */
  private addConnection(login: CompletedLogin, conn: IscsiConnection): IscsiSession {
    const session = this.sessionsByTsih.get(login.tsih);
    if (!session || session.identity.initiatorName !== login.initiatorName || session.identity.isid !== login.isid
      || session.identity.discovery !== login.discovery || (session.target?.name ?? null) !== (login.target?.name ?? null)) {
      throw new LoginFailure(LoginStatus.SessionDoesNotExist, `no session with TSIH ${login.tsih} for this initiator port and target`);
    }
    if (session.identity.portalGroupTag !== conn.portal.portalGroupTag) {
      throw new LoginFailure(LoginStatus.CannotIncludeInSession, `session ${login.tsih} is in portal group ${session.identity.portalGroupTag}, not ${conn.portal.portalGroupTag}`);
    }
    const old = session.connections.get(login.cid);
    if (!old && session.connections.size >= session.maxConnections) {
      throw new LoginFailure(LoginStatus.TooManyConnections, `session ${login.tsih} already has ${session.connections.size} connections (MaxConnections=${session.maxConnections})`);
    }
    // The new connection joins before the old one goes, so the session never looks empty.
    session.connections.set(login.cid, conn);
    if (old && old !== conn) {
      this.ctx.log.info('iSCSI connection reinstated', { session: session.id, cid: login.cid });
      old.destroy();
    }
    return session;
  }

  private allocateTsih(): number {
    for (;;) {
      const t = this.nextTsih;
      this.nextTsih = this.nextTsih >= 0xffff ? 1 : this.nextTsih + 1;
      if (!this.sessionsByTsih.has(t)) return t;
    }
  }

  connectionClosed(conn: IscsiConnection): void {
    this.connections.delete(conn);
    for (const l of this.listeners.values()) l.connections.delete(conn);
    const s = conn.session;
    if (!s || this.sessionsByTsih.get(s.identity.tsih) !== s) return;
    for (const [cid, c] of s.connections) if (c === conn) s.connections.delete(cid);
    // The session ends with its last connection (DefaultTime2Retain 0: nothing to keep at ERL 0).
    if (s.connections.size === 0) this.endSession(s, false);
  }

  /** Removes a session; `drop` also closes its connections. */
  endSession(session: IscsiSession, drop: boolean): void {
    if (this.sessionsByTsih.get(session.identity.tsih) !== session) return;
    this.sessionsByTsih.delete(session.identity.tsih);
    const conns = [...session.connections.values()];
    if (session.nexus && session.target) session.target.scsi.nexusClosed(session.nexus);
    this.ctx.sessionLoggedOut(session.info());
    session.connections.clear();
    if (drop) for (const c of conns) c.destroy();
  }

  sessions(): SessionInfo[] {
    return [...this.sessionsByTsih.values()].map((s) => s.info());
  }

  async dropSessions(targetName: string, filter?: (s: SessionInfo) => boolean): Promise<void> {
    const victims = [...this.sessionsByTsih.values()].filter((s) => s.target?.name === targetName && (!filter || filter(s.info())));
    await this.logoutThenDrop(victims, 2000);
  }

  async close(graceMs: number): Promise<void> {
    this.closing = true;
    // Stop accepting now; server.close() resolves only once every connection is gone.
    const closed = [...this.listeners].map(([name, l]) => {
      this.listeners.delete(name);
      return new Promise<void>((resolve) => l.server.close(() => resolve()));
    });
    await this.logoutThenDrop([...this.sessionsByTsih.values()], graceMs);
    for (const c of [...this.connections]) c.destroy();
    await Promise.all(closed);
  }

  /** Async Message "logout requested", wait until they go or `graceMs` passes, then drop the rest. */
  private async logoutThenDrop(victims: IscsiSession[], graceMs: number): Promise<void> {
    for (const s of victims) for (const c of s.connections.values()) c.requestLogout(Math.ceil(graceMs / 1000));
    const deadline = Date.now() + graceMs;
    while (victims.some((s) => this.sessionsByTsih.get(s.identity.tsih) === s) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
    }
    for (const s of victims) this.endSession(s, true);
  }
}
