/**
 * The validated, normalised declaration: what targets.yaml says, with
 * defaults filled in, sizes in bytes, secrets resolved and store-specific
 * LUN fields gathered into `options`. plan() compares two of these (or one
 * against the running state).
 */

export interface PluginRef {
  /** npm package name or a path relative to the declaration file. */
  readonly package: string;
  readonly options: Readonly<Record<string, unknown>>;
}

export interface PortalDecl {
  readonly name: string;
  /** Transport plugin name, default 'iscsi-tcp'. */
  readonly transport: string;
  readonly host: string;
  readonly port: number;
  readonly portalGroupTag: number;
  readonly options: Readonly<Record<string, unknown>>;
}

/** One initiator binding: ALL, or an initiator name (exact or glob) and/or an address/CIDR. */
export type BindingDecl =
  | { readonly kind: 'all' }
  | { readonly kind: 'match'; readonly initiator: string | null; readonly address: string | null };

export interface ChapDecl {
  readonly username: string;
  /** Resolved secret (from file or env at load time). */
  readonly secret: string;
  /** Where the secret came from, for messages (never the secret itself). */
  readonly secretSource: string;
}

export interface AuthDecl {
  readonly chap: ChapDecl | null;
  readonly mutualChap: ChapDecl | null;
}

export interface LunDecl {
  readonly lun: number;
  readonly store: string;
  /** Bytes, 'auto', or null when neither declared nor defaulted by the store. */
  readonly size: number | 'auto' | null;
  readonly readOnly: boolean;
  readonly allowShrink: boolean;
  readonly blockSize: number;
  /** Physical block size for READ CAPACITY(16); null = blockSize. */
  readonly physicalBlockSize: number | null;
  /** Removable medium (START STOP UNIT ejects it). */
  readonly removable: boolean;
  /** SANITIZE is allowed on this LUN. */
  readonly allowSanitize: boolean;
  /** SCSI unit serial number (VPD 0x80); default derived from target + LUN. */
  readonly serial: string | null;
  /** Store-specific fields (everything that is not a common LUN field). */
  readonly options: Readonly<Record<string, unknown>>;
  /** YAML path for messages, e.g. 'targets[0].luns[1]'. */
  readonly where: string;
}

export interface TargetDecl {
  readonly name: string;
  readonly alias: string | null;
  /** Portal names; default: every portal. */
  readonly portals: readonly string[];
  readonly bindings: readonly BindingDecl[];
  readonly auth: AuthDecl | null;
  /** Transport options for this target (iSCSI keys, limits), validated by the transports. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly luns: readonly LunDecl[];
  readonly where: string;
}

export interface ManagementDecl {
  /** Unix socket path of the management API (relative to the declaration file). */
  readonly socket: string;
}

export interface Declaration {
  /** Absolute path of the file it came from, or null (built in code / tests). */
  readonly file: string | null;
  /** Directory relative paths resolve against. */
  readonly baseDir: string;
  readonly plugins: readonly PluginRef[];
  readonly portals: readonly PortalDecl[];
  readonly targets: readonly TargetDecl[];
  readonly discoveryAuth: AuthDecl | null;
  /** Where stores and the host keep state (PR APTPL data, ...), absolute. */
  readonly stateDir: string;
  readonly management: ManagementDecl | null;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Seconds between periodic re-reads of store sizes (size: auto); 0 = off. */
  readonly sizeCheckInterval: number;
}
