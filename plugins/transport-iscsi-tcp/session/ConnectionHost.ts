/** What a connection needs from its transport (lookups and the session registry). */
import type { Logger } from '../../../core/log/Logger.js';
import type { PortalSpec, ServedTarget, TargetAuth } from '../../../core/transport/Transport.js';
import type { CompletedLogin } from '../login/LoginStateMachine.js';
import type { IscsiSession } from './IscsiSession.js';
import type { IscsiConnection } from './IscsiConnection.js';
import type { Authenticator } from '../auth/Authenticator.js';

export interface ConnectionHost {
  readonly log: Logger;
  readonly discoveryAuth: TargetAuth | null;
  portals(): ReadonlyMap<string, PortalSpec>;
  targets(): Iterable<ServedTarget>;
  /** The target of that name reachable on the given portal. */
  findTarget(portalName: string, targetName: string): ServedTarget | null;
  /** The authenticator of one login (AuthMethod None or CHAP, per `auth`). */
  createAuthenticator(auth: TargetAuth | null, remoteAddress: string): Authenticator;
  /** Registers a completed login as a session (allocates the TSIH); throws LoginFailure. */
  openSession(login: CompletedLogin, conn: IscsiConnection): IscsiSession;
  /** The connection is gone (its session, if any, ended with it). */
  connectionClosed(conn: IscsiConnection): void;
}
