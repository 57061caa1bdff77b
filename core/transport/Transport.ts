/**
 * The interface between the host and a transport plugin (iSCSI/TCP, iSER).
 * A transport knows nothing of stores; it sees targets as ScsiTargetDevices.
 */
import type { Logger } from '../log/Logger.js';
import type { ScsiTargetDevice } from '../scsi/ScsiCommand.js';
import type { JsonSchemaObject } from '../plugin/JsonSchema.js';

/** A listening address of one transport, from the declaration's `portals:`. */
export interface PortalSpec {
  /** Name from the declaration (unique), used by targets to select portals. */
  readonly name: string;
  /** Host part: IPv4 address, IPv6 address (without brackets) or host name. */
  readonly host: string;
  readonly port: number;
  /** iSCSI target portal group tag (1..65535). */
  readonly portalGroupTag: number;
  /** Transport-specific options, already validated against the transport's optionsSchema. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** CHAP credentials (secrets already resolved from file/env by the host). */
export interface ChapCredentials {
  readonly username: string;
  readonly secret: string;
}

/** Authentication a target (or discovery) requires. null = AuthMethod None. */
export interface TargetAuth {
  /** What the initiator must prove (one-way CHAP). */
  readonly chap: ChapCredentials | null;
  /** What the target proves back (mutual CHAP), if declared. */
  readonly mutualChap: ChapCredentials | null;
}

/** A target as served by a transport. Replaced (not mutated) when the plan changes it. */
export interface ServedTarget {
  /** Target name (IQN/EUI/NAA). */
  readonly name: string;
  readonly alias: string | null;
  /** Names of the portals (PortalSpec.name) this target is reachable on. */
  readonly portals: readonly string[];
  /** Whether an initiator may log in to / discover this target. */
  admits(initiatorName: string, remoteAddress: string): boolean;
  readonly auth: TargetAuth | null;
  /** Target-level iSCSI/operational options from the declaration (validated). */
  readonly options: Readonly<Record<string, unknown>>;
  readonly scsi: ScsiTargetDevice;
}

/** What a transport reports about a session (management API, hooks). */
export interface SessionInfo {
  readonly id: string;
  readonly transport: string;
  readonly targetName: string | null;
  readonly initiatorName: string;
  readonly initiatorAlias: string | null;
  readonly remoteAddress: string;
  readonly discovery: boolean;
  readonly connections: number;
  /** Negotiated operational parameters, key → value as negotiated. */
  readonly parameters: Readonly<Record<string, string>>;
}

/** What the host gives a transport when it creates it. */
export interface TransportContext {
  readonly log: Logger;
  /** Discovery-session authentication (null = none). */
  readonly discoveryAuth: TargetAuth | null;
  /** Control-path events; the host turns them into lifecycle hooks. */
  sessionLoggedIn(session: SessionInfo): void;
  sessionLoggedOut(session: SessionInfo): void;
}

export interface Transport {
  /**
   * Serve exactly these portals and targets. Called at start and again on
   * every plan change with the complete new set: the transport opens new
   * listeners, closes removed ones, and swaps targets in place without
   * touching sessions of targets that did not change. Rejects with an Error
   * naming the portal when a listener cannot bind; the others stay served.
   */
  configure(portals: readonly PortalSpec[], targets: readonly ServedTarget[]): Promise<void>;
  /** Sessions now logged in. */
  sessions(): SessionInfo[];
  /** Close the sessions of one target (binding change, removed target): ask to log out, then drop. */
  dropSessions(targetName: string, filter?: (s: SessionInfo) => boolean): Promise<void>;
  /** Stop listening, ask initiators to log out, wait up to `graceMs`, close. */
  close(graceMs: number): Promise<void>;
}

export interface TransportProvider {
  /** Name used in `portals[].transport`, e.g. 'iscsi-tcp'. */
  readonly name: string;
  /** JSON Schema of `portals[].options` for this transport. */
  readonly optionsSchema: JsonSchemaObject;
  /** JSON Schema of `targets[].options` this transport understands (iSCSI keys, limits). */
  readonly targetOptionsSchema: JsonSchemaObject;
  /** Default port when a portal gives only a host. */
  readonly defaultPort: number;
  create(ctx: TransportContext): Transport;
}
