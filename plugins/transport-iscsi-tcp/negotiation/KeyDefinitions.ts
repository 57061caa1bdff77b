/**
 * Every text key of RFC 7143 chapter 13 (and 13.24 iSCSIProtocolLevel from
 * RFC 7144), with its default, range and result function. The Negotiator
 * is driven by this table only.
 */

/** How a negotiated value is computed from the offer and our own value. */
export type KeyType =
  /** Numeric; result = min or max of the two (13.x "Result function"). */
  | { readonly kind: 'numeric'; readonly min: number; readonly max: number; readonly result: 'min' | 'max' }
  /** Yes/No; result = AND or OR. */
  | { readonly kind: 'boolean'; readonly result: 'and' | 'or' }
  /** Comma list of values in preference order; the responder picks the first it supports. */
  | { readonly kind: 'list'; readonly values: readonly string[] }
  /** Declared by the sender, no response (e.g. MaxRecvDataSegmentLength, InitiatorName). */
  | { readonly kind: 'declarative-numeric'; readonly min: number; readonly max: number }
  | { readonly kind: 'declarative'; readonly values?: readonly string[] }
  /** Keys obsoleted by RFC 7143 13.26: answered with Reject, never NotUnderstood. */
  | { readonly kind: 'obsolete' };

export interface KeyDefinition {
  readonly name: string;
  readonly type: KeyType;
  /** RFC default ('' when the key has none). */
  readonly defaultValue: string;
  /** Who may send it. */
  readonly sender: 'initiator' | 'target' | 'both';
  /** LO: leading login only; IO: login only (each connection); ALL: also in full feature phase; FFPO: FFP only. */
  readonly use: 'LO' | 'IO' | 'ALL' | 'FFPO';
  /** Session-wide (SW) or per connection (CO). */
  readonly scope: 'SW' | 'CO';
  /** "Irrelevant when: SessionType=Discovery". */
  readonly irrelevantForDiscovery: boolean;
  /** Handled by the Authenticator, not the Negotiator. */
  readonly security?: boolean;
}

const MAX_24 = 16777215;

const defs: KeyDefinition[] = [
  { name: 'HeaderDigest', type: { kind: 'list', values: ['CRC32C', 'None'] }, defaultValue: 'None', sender: 'both', use: 'IO', scope: 'CO', irrelevantForDiscovery: false },
  { name: 'DataDigest', type: { kind: 'list', values: ['CRC32C', 'None'] }, defaultValue: 'None', sender: 'both', use: 'IO', scope: 'CO', irrelevantForDiscovery: false },
  { name: 'MaxConnections', type: { kind: 'numeric', min: 1, max: 65535, result: 'min' }, defaultValue: '1', sender: 'both', use: 'LO', scope: 'SW', irrelevantForDiscovery: false },
  { name: 'SendTargets', type: { kind: 'declarative' }, defaultValue: '', sender: 'initiator', use: 'FFPO', scope: 'SW', irrelevantForDiscovery: false },
  { name: 'TargetName', type: { kind: 'declarative' }, defaultValue: '', sender: 'both', use: 'IO', scope: 'SW', irrelevantForDiscovery: false },
  { name: 'InitiatorName', type: { kind: 'declarative' }, defaultValue: '', sender: 'initiator', use: 'IO', scope: 'SW', irrelevantForDiscovery: false },
  { name: 'TargetAlias', type: { kind: 'declarative' }, defaultValue: '', sender: 'target', use: 'ALL', scope: 'SW', irrelevantForDiscovery: false },
  { name: 'InitiatorAlias', type: { kind: 'declarative' }, defaultValue: '', sender: 'initiator', use: 'ALL', scope: 'SW', irrelevantForDiscovery: false },
  { name: 'TargetAddress', type: { kind: 'declarative' }, defaultValue: '', sender: 'target', use: 'ALL', scope: 'SW', irrelevantForDiscovery: false },
  { name: 'TargetPortalGroupTag', type: { kind: 'declarative' }, defaultValue: '', sender: 'target', use: 'IO', scope: 'SW', irrelevantForDiscovery: false },
  { name: 'InitialR2T', type: { kind: 'boolean', result: 'or' }, defaultValue: 'Yes', sender: 'both', use: 'LO', scope: 'SW', irrelevantForDiscovery: true },
  { name: 'ImmediateData', type: { kind: 'boolean', result: 'and' }, defaultValue: 'Yes', sender: 'both', use: 'LO', scope: 'SW', irrelevantForDiscovery: true },
  { name: 'MaxRecvDataSegmentLength', type: { kind: 'declarative-numeric', min: 512, max: MAX_24 }, defaultValue: '8192', sender: 'both', use: 'ALL', scope: 'CO', irrelevantForDiscovery: false },
  { name: 'MaxBurstLength', type: { kind: 'numeric', min: 512, max: MAX_24, result: 'min' }, defaultValue: '262144', sender: 'both', use: 'LO', scope: 'SW', irrelevantForDiscovery: true },
  { name: 'FirstBurstLength', type: { kind: 'numeric', min: 512, max: MAX_24, result: 'min' }, defaultValue: '65536', sender: 'both', use: 'LO', scope: 'SW', irrelevantForDiscovery: true },
  { name: 'DefaultTime2Wait', type: { kind: 'numeric', min: 0, max: 3600, result: 'max' }, defaultValue: '2', sender: 'both', use: 'LO', scope: 'SW', irrelevantForDiscovery: false },
  { name: 'DefaultTime2Retain', type: { kind: 'numeric', min: 0, max: 3600, result: 'min' }, defaultValue: '20', sender: 'both', use: 'LO', scope: 'SW', irrelevantForDiscovery: false },
  { name: 'MaxOutstandingR2T', type: { kind: 'numeric', min: 1, max: 65535, result: 'min' }, defaultValue: '1', sender: 'both', use: 'LO', scope: 'SW', irrelevantForDiscovery: true },
  { name: 'DataPDUInOrder', type: { kind: 'boolean', result: 'or' }, defaultValue: 'Yes', sender: 'both', use: 'LO', scope: 'SW', irrelevantForDiscovery: true },
  { name: 'DataSequenceInOrder', type: { kind: 'boolean', result: 'or' }, defaultValue: 'Yes', sender: 'both', use: 'LO', scope: 'SW', irrelevantForDiscovery: true },
  { name: 'ErrorRecoveryLevel', type: { kind: 'numeric', min: 0, max: 2, result: 'min' }, defaultValue: '0', sender: 'both', use: 'LO', scope: 'SW', irrelevantForDiscovery: false },
  { name: 'SessionType', type: { kind: 'declarative', values: ['Discovery', 'Normal'] }, defaultValue: 'Normal', sender: 'initiator', use: 'LO', scope: 'SW', irrelevantForDiscovery: false },
  { name: 'AuthMethod', type: { kind: 'list', values: ['None'] }, defaultValue: 'None', sender: 'both', use: 'IO', scope: 'CO', irrelevantForDiscovery: false, security: true },
  { name: 'TaskReporting', type: { kind: 'list', values: ['RFC3720'] }, defaultValue: 'RFC3720', sender: 'both', use: 'LO', scope: 'SW', irrelevantForDiscovery: true },
  { name: 'iSCSIProtocolLevel', type: { kind: 'numeric', min: 0, max: 31, result: 'min' }, defaultValue: '0', sender: 'both', use: 'LO', scope: 'SW', irrelevantForDiscovery: true },
  { name: 'IFMarker', type: { kind: 'obsolete' }, defaultValue: '', sender: 'both', use: 'IO', scope: 'CO', irrelevantForDiscovery: false },
  { name: 'OFMarker', type: { kind: 'obsolete' }, defaultValue: '', sender: 'both', use: 'IO', scope: 'CO', irrelevantForDiscovery: false },
  { name: 'IFMarkInt', type: { kind: 'obsolete' }, defaultValue: '', sender: 'both', use: 'IO', scope: 'CO', irrelevantForDiscovery: false },
  { name: 'OFMarkInt', type: { kind: 'obsolete' }, defaultValue: '', sender: 'both', use: 'IO', scope: 'CO', irrelevantForDiscovery: false },
];

/** CHAP keys (RFC 7143 12.1.3): security stage only, owned by the Authenticator. */
export const CHAP_KEYS: readonly string[] = ['CHAP_A', 'CHAP_I', 'CHAP_C', 'CHAP_N', 'CHAP_R'];

export const KEY_DEFINITIONS: ReadonlyMap<string, KeyDefinition> = new Map(defs.map((d) => [d.name, d]));

/** Keys whose results make up a session's operational parameters. */
export const NEGOTIATED_KEYS: readonly string[] = defs
  .filter((d) => d.type.kind === 'numeric' || d.type.kind === 'boolean' || (d.type.kind === 'list' && !d.security))
  .map((d) => d.name);

export function isSecurityKey(key: string): boolean {
  return key === 'AuthMethod' || CHAP_KEYS.includes(key);
}

/** The special values of RFC 7143 6.2. */
export const NOT_UNDERSTOOD = 'NotUnderstood';
export const IRRELEVANT = 'Irrelevant';
export const REJECT = 'Reject';
