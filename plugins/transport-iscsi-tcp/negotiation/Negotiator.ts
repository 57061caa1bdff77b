/**
 * Responder side of iSCSI text negotiation (RFC 7143 6.2 and chapter 13) for
 * one session/connection: answers each offered key from the table in
 * KeyDefinitions and our own values, records declarations and results, and
 * proposes the keys we want changed that the initiator did not offer.
 */
import {
  IRRELEVANT, KEY_DEFINITIONS, NEGOTIATED_KEYS, NOT_UNDERSTOOD, REJECT,
  type KeyDefinition,
} from './KeyDefinitions.js';
import { NegotiationError } from './NegotiationError.js';
import type { KeyValue } from '../text/TextKeys.js';

export type NegotiationPhase = 'login' | 'full-feature';

/** Keys we propose ourselves when our value differs from the default and the initiator stayed silent. */
const PROPOSED_KEYS: readonly string[] = [
  'InitialR2T', 'ImmediateData', 'MaxBurstLength', 'FirstBurstLength', 'MaxOutstandingR2T', 'DefaultTime2Wait', 'DefaultTime2Retain',
];

const SPECIAL_VALUES = new Set([NOT_UNDERSTOOD, IRRELEVANT, REJECT]);

/** Numbers in text keys: decimal or 0x-hex (RFC 7143 6.1 "numerical-value"). */
export function parseNumeric(value: string): number | null {
  if (/^[0-9]{1,20}$/.test(value)) return Number(value);
  if (/^0[xX][0-9a-fA-F]{1,16}$/.test(value)) return Number.parseInt(value.slice(2), 16);
  return null;
}

export class Negotiator {
  /** Declarations received (InitiatorName, TargetName, SessionType, InitiatorAlias, MaxRecvDataSegmentLength). */
  readonly declared = new Map<string, string>();
  /** Results of negotiated keys. */
  readonly results = new Map<string, string>();
  /** Keys the initiator offered or declared during this login (each at most once). */
  private readonly seen = new Set<string>();
  /** Our proposals still waiting for an answer. */
  private readonly pending = new Map<string, string>();
  private proposed = false;
  /** False for the login of a connection joining an existing session: leading-only keys are not negotiated again. */
  leading = true;

  /**
   * @param ours our value per key: numbers as decimal strings, Yes/No, or for list keys the
   *   acceptable values in our order of preference (comma separated)
   */
  constructor(private readonly ours: Readonly<Record<string, string>>, public discovery: boolean) {}

  /** Value in force: negotiated result or the RFC default. */
  value(key: string): string {
    return this.results.get(key) ?? KEY_DEFINITIONS.get(key)?.defaultValue ?? '';
  }

  numeric(key: string): number {
    return Number(this.value(key));
  }

  flag(key: string): boolean {
    return this.value(key) === 'Yes';
  }

  get waitingForAnswers(): boolean {
    return this.pending.size > 0;
  }

  /** Answers one request's keys (security keys excluded by the caller). */
  respond(pairs: readonly KeyValue[], phase: NegotiationPhase): KeyValue[] {
    const reply: KeyValue[] = [];
    for (const [key, value] of pairs) {
      const answer = this.answer(key, value, phase);
      if (answer !== null) reply.push([key, answer]);
    }
    this.fixBurstLengths(reply);
    return reply;
  }

  /** Our own proposals (once per login, operational stage of a Normal session). */
  proposals(): KeyValue[] {
    if (this.proposed || this.discovery || !this.leading) return [];
    this.proposed = true;
    const out: KeyValue[] = [];
    for (const key of PROPOSED_KEYS) {
      const ours = this.ours[key];
      const def = KEY_DEFINITIONS.get(key)!;
      if (ours === undefined || this.seen.has(key) || ours === def.defaultValue) continue;
      this.pending.set(key, ours);
      out.push([key, ours]);
    }
    return out;
  }

  /** Unanswered proposals are dropped (an initiator that ignores them keeps the defaults). */
  abandonProposals(): void {
    this.pending.clear();
  }

  /** All operational values of the session as they stand (for SessionInfo.parameters). */
  parameters(ourMaxRecvDataSegmentLength: number): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of NEGOTIATED_KEYS) {
      const def = KEY_DEFINITIONS.get(key)!;
      if (this.discovery && def.irrelevantForDiscovery) continue;
      out[key] = this.value(key);
    }
    out['MaxRecvDataSegmentLength'] = this.declared.get('MaxRecvDataSegmentLength') ?? '8192';
    out['TargetMaxRecvDataSegmentLength'] = String(ourMaxRecvDataSegmentLength);
    return out;
  }

  private answer(key: string, value: string, phase: NegotiationPhase): string | null {
    const def = KEY_DEFINITIONS.get(key);
    if (this.pending.has(key)) return this.takeAnswer(key, value, def!);
    if (!def) return NOT_UNDERSTOOD; // includes X- and X# extension keys we do not know
    if (phase === 'login') {
      if (this.seen.has(key)) {
        // libiscsi declares InitiatorName, TargetName and SessionType again in its first operational
        // request after AuthMethod=None; the same value again changes nothing (tgt accepts it too).
        if (def.type.kind === 'declarative' && this.declared.get(key) === value) return null;
        throw new NegotiationError(`key ${key} sent twice during login`);
      }
      this.seen.add(key);
    }
    if (def.sender === 'target') return REJECT;
    if (phase === 'full-feature' && (def.use === 'LO' || def.use === 'IO')) return REJECT;
    if (phase === 'login' && def.use === 'FFPO') return REJECT;
    if (phase === 'login' && def.use === 'LO' && !this.leading) return REJECT; // RFC 7143 6.2: LO keys belong to the leading login
    const t = def.type;
    if (t.kind === 'obsolete') return REJECT;
    if (this.discovery && def.irrelevantForDiscovery) return IRRELEVANT;
    if (SPECIAL_VALUES.has(value)) return null; // a response to nothing we offered: nothing to say
    switch (t.kind) {
      case 'numeric': {
        const n = parseNumeric(value);
        if (n === null || n < t.min || n > t.max) return REJECT;
        const ours = Number(this.ours[key] ?? def.defaultValue);
        const result = t.result === 'min' ? Math.min(n, ours) : Math.max(n, ours);
        this.results.set(key, String(result));
        return String(result);
      }
      case 'boolean': {
        if (value !== 'Yes' && value !== 'No') return REJECT;
        const ours = (this.ours[key] ?? def.defaultValue) === 'Yes';
        const offered = value === 'Yes';
        const result = t.result === 'and' ? offered && ours : offered || ours;
        this.results.set(key, result ? 'Yes' : 'No');
        return result ? 'Yes' : 'No';
      }
      case 'list': {
        const offered = value.split(',');
        if (offered.some((v) => !/^[A-Za-z0-9.\-+@_:]+$/.test(v))) return REJECT;
        const acceptable = (this.ours[key] ?? t.values.join(',')).split(',');
        const pick = offered.find((v) => acceptable.includes(v) && t.values.includes(v));
        if (pick === undefined) return REJECT;
        this.results.set(key, pick);
        return pick;
      }
      case 'declarative-numeric': {
        const n = parseNumeric(value);
        if (n === null || n < t.min || n > t.max) throw new NegotiationError(`${key}=${value} is outside ${t.min}..${t.max}`);
        this.declared.set(key, String(n));
        return null;
      }
      case 'declarative': {
        if (t.values && !t.values.includes(value)) throw new NegotiationError(`${key}=${value} is not one of ${t.values.join(', ')}`);
        if (value.length > 255 && key !== 'SendTargets') throw new NegotiationError(`${key} value longer than 255 bytes`);
        this.declared.set(key, value);
        return null;
      }
    }
  }

  /** The initiator answers one of our proposals. */
  private takeAnswer(key: string, value: string, def: KeyDefinition): null {
    const ours = this.pending.get(key)!;
    this.pending.delete(key);
    this.seen.add(key);
    if (SPECIAL_VALUES.has(value)) return null; // default stays
    const t = def.type;
    if (t.kind === 'numeric') {
      const n = parseNumeric(value);
      const o = Number(ours);
      const valid = n !== null && n >= t.min && n <= t.max && (t.result === 'min' ? n <= o : n >= o);
      if (!valid) throw new NegotiationError(`answer ${key}=${value} to our ${key}=${ours} breaks its result function`);
      this.results.set(key, String(n));
    } else if (t.kind === 'boolean') {
      if (value !== 'Yes' && value !== 'No') throw new NegotiationError(`answer ${key}=${value} is not Yes or No`);
      const expected = t.result === 'and' ? (ours === 'Yes' && value === 'Yes') : (ours === 'Yes' || value === 'Yes');
      if ((value === 'Yes') !== expected) throw new NegotiationError(`answer ${key}=${value} to our ${key}=${ours} breaks its result function`);
      this.results.set(key, value);
    }
    return null;
  }

  /** FirstBurstLength never exceeds MaxBurstLength; it is irrelevant with InitialR2T=Yes and ImmediateData=No (13.14). */
  private fixBurstLengths(reply: KeyValue[]): void {
    const i = reply.findIndex(([k]) => k === 'FirstBurstLength');
    const fbl = this.results.get('FirstBurstLength');
    const mbl = this.numeric('MaxBurstLength');
    if (fbl !== undefined && Number(fbl) > mbl) {
      this.results.set('FirstBurstLength', String(mbl));
      if (i >= 0) reply[i] = ['FirstBurstLength', String(mbl)];
    }
    if (i >= 0 && this.value('InitialR2T') === 'Yes' && this.value('ImmediateData') === 'No') {
      reply[i] = ['FirstBurstLength', IRRELEVANT];
    }
  }
}
