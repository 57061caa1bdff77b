/**
 * The target side of the iSCSI login phase on one connection (RFC 7143 6.3
 * and 11.12/11.13): security stage (through an Authenticator), operational
 * negotiation (through a Negotiator), CSG/NSG transitions with the T bit,
 * continued requests (C bit), and the checks that decide the login status.
 * It neither reads nor writes sockets: the connection feeds it requests and
 * sends what it returns. Authentication is the Authenticator's business
 * (auth/: AuthMethod None and CHAP); this class only routes security keys.
 */
import { LoginStage } from '../pdu/Opcode.js';
import type { LoginRequestPdu } from '../pdu/PduTypes.js';
import { parseTextKeys, TextFormatError, type KeyValue } from '../text/TextKeys.js';
import { isSecurityKey } from '../negotiation/KeyDefinitions.js';
import { Negotiator } from '../negotiation/Negotiator.js';
import { NegotiationError } from '../negotiation/NegotiationError.js';
import type { Authenticator } from '../auth/Authenticator.js';
import { LoginFailure, LoginStatus } from './LoginStatus.js';
import type { ServedTarget, TargetAuth } from '../../../core/transport/Transport.js';

/** What the login needs to know about where it happens. */
export interface LoginEnvironment {
  readonly remoteAddress: string;
  readonly portalGroupTag: number;
  /** The target of that name reachable on this connection's portal, or null. */
  findTarget(name: string): ServedTarget | null;
  readonly discoveryAuth: TargetAuth | null;
  /** Our negotiation values for a Normal session to `target`, or a Discovery session (null). */
  ourValues(target: ServedTarget | null): Readonly<Record<string, string>>;
  /** The authenticator for a login that must prove `auth` (null: AuthMethod None). */
  createAuthenticator(auth: TargetAuth | null): Authenticator;
  /** Our MaxRecvDataSegmentLength (declared to the initiator). */
  ourMaxRecvDataSegmentLength(target: ServedTarget | null): number;
}

/** A login that reached Full Feature Phase. */
export interface CompletedLogin {
  readonly discovery: boolean;
  readonly initiatorName: string;
  readonly initiatorAlias: string | null;
  readonly target: ServedTarget | null;
  readonly isid: string;
  readonly tsih: number;
  readonly cid: number;
  readonly cmdSN: number;
  readonly negotiator: Negotiator;
}

/** What to send back for one Login Request. */
export interface LoginReply {
  readonly transit: boolean;
  readonly csg: number;
  readonly nsg: number;
  readonly keys: KeyValue[];
  /** Set on the final response: the login is complete (the connection allocates the TSIH). */
  readonly completed: CompletedLogin | null;
}

/** Continued (C bit) login text we are willing to gather. */
const MAX_LOGIN_TEXT = 64 * 1024;

export class LoginStateMachine {
  private stage: number | null = null;
  private first: LoginRequestPdu | null = null;
  private partial: Buffer[] = [];
  private negotiator: Negotiator | null = null;
  private authenticator: Authenticator | null = null;
  private authenticated = false;
  private target: ServedTarget | null = null;
  private discovery = false;
  private initiatorName = '';
  private initiatorAlias: string | null = null;
  private sentTargetDeclarations = false;

  constructor(private readonly env: LoginEnvironment) {}

  /** The negotiator once the first request has been read (for the response's declared values). */
  get currentNegotiator(): Negotiator | null {
    return this.negotiator;
  }

  /** One Login Request with its data segment; throws LoginFailure to end the login. */
  async handle(req: LoginRequestPdu, data: Buffer): Promise<LoginReply> {
    this.checkHeader(req);
    if (req.continue) {
      // More text follows in the next request: answer with an empty response, same stage.
      if (req.transit) throw new LoginFailure(LoginStatus.InitiatorError, 'login request with both T and C bits set');
      this.partial.push(Buffer.from(data));
      if (this.partial.reduce((n, b) => n + b.length, 0) > MAX_LOGIN_TEXT) {
        throw new LoginFailure(LoginStatus.InitiatorError, `continued login text longer than ${MAX_LOGIN_TEXT} bytes`);
      }
      return { transit: false, csg: req.csg, nsg: 0, keys: [], completed: null };
    }
    const text = this.partial.length ? Buffer.concat([...this.partial, data]) : data;
    this.partial = [];
    let pairs: KeyValue[];
    try {
      const parsed = parseTextKeys(text);
      if (parsed.rest.length) throw new TextFormatError('login text does not end with NUL');
      pairs = parsed.pairs;
    } catch (err) {
      throw new LoginFailure(LoginStatus.InitiatorError, (err as Error).message);
    }
    if (this.first === null) this.begin(req, pairs);
    return await this.negotiate(req, pairs);
  }

  private checkHeader(req: LoginRequestPdu): void {
    if (req.versionMin > 0x00) throw new LoginFailure(LoginStatus.UnsupportedVersion, `initiator supports iSCSI versions ${req.versionMin}..${req.versionMax}, we speak 0`);
    if (req.csg === 2 || req.csg === LoginStage.FullFeaturePhase) throw new LoginFailure(LoginStatus.InitiatorError, `login request with invalid CSG ${req.csg}`);
    if (req.transit && (req.nsg === 2 || req.nsg <= req.csg)) throw new LoginFailure(LoginStatus.InitiatorError, `login request with invalid transition ${req.csg} -> ${req.nsg}`);
    const f = this.first;
    if (f === null) return;
    if (req.isid !== f.isid || req.tsih !== f.tsih || req.cid !== f.cid || req.itt !== f.itt) {
      throw new LoginFailure(LoginStatus.InitiatorError, 'ISID, TSIH, CID or ITT changed during login');
    }
    if (req.csg !== this.stage) throw new LoginFailure(LoginStatus.InitiatorError, `login request in stage ${req.csg}, expected ${this.stage}`);
  }

  /** The leading request: who is logging in, to what. */
  private begin(req: LoginRequestPdu, pairs: readonly KeyValue[]): void {
    this.first = req;
    const get = (k: string): string | undefined => pairs.find(([key]) => key === k)?.[1];
    const initiatorName = get('InitiatorName');
    if (!initiatorName) throw new LoginFailure(LoginStatus.MissingParameter, 'the first login request has no InitiatorName');
    this.initiatorName = initiatorName;
    this.initiatorAlias = get('InitiatorAlias') ?? null;
    const sessionType = get('SessionType') ?? 'Normal';
    if (sessionType !== 'Normal' && sessionType !== 'Discovery') throw new LoginFailure(LoginStatus.InitiatorError, `SessionType=${sessionType} is not Normal or Discovery`);
    this.discovery = sessionType === 'Discovery';
    let auth: TargetAuth | null;
    if (this.discovery) {
      auth = this.env.discoveryAuth;
    } else {
      const targetName = get('TargetName');
      if (!targetName) throw new LoginFailure(LoginStatus.MissingParameter, 'a Normal session login without TargetName');
      const target = this.env.findTarget(targetName);
      if (!target) throw new LoginFailure(LoginStatus.NotFound, `target ${targetName} is not served on this portal`);
      if (!target.admits(initiatorName, this.env.remoteAddress)) {
        throw new LoginFailure(LoginStatus.AuthorizationFailure, `initiator ${initiatorName} at ${this.env.remoteAddress} is not bound to target ${targetName}`);
      }
      this.target = target;
      auth = target.auth;
    }
    this.authenticator = this.env.createAuthenticator(auth);
    this.negotiator = new Negotiator(this.env.ourValues(this.target), this.discovery);
    this.negotiator.leading = req.tsih === 0;
    this.stage = req.csg;
    if (req.csg === LoginStage.OperationalNegotiation) this.skipSecurity();
  }

  /** The initiator went to operational negotiation without (finishing) a security stage. */
  private skipSecurity(): void {
    const outcome = this.authenticator!.skip();
    if (outcome.kind === 'fail') {
      throw new LoginFailure(LoginStatus.AuthenticationFailure, `authentication failed (${outcome.reason}): security negotiation skipped`);
    }
    this.authenticated = outcome.kind === 'done';
  }

  private async negotiate(req: LoginRequestPdu, pairs: readonly KeyValue[]): Promise<LoginReply> {
    const negotiator = this.negotiator!;
    const security: KeyValue[] = [];
    const operational: KeyValue[] = [];
    for (const kv of pairs) (isSecurityKey(kv[0]) ? security : operational).push(kv);
    const keys: KeyValue[] = [];
    if (this.stage === LoginStage.SecurityNegotiation) {
      const outcome = await this.authenticator!.step(security);
      if (outcome.kind === 'fail') throw new LoginFailure(LoginStatus.AuthenticationFailure, `authentication failed (${outcome.reason})`);
      keys.push(...outcome.reply);
      if (outcome.kind === 'done') this.authenticated = true;
    } else if (security.length) {
      throw new LoginFailure(LoginStatus.InitiatorError, `security key ${security[0]![0]} in the operational negotiation stage`);
    }
    try {
      keys.push(...negotiator.respond(operational, 'login'));
    } catch (err) {
      if (err instanceof NegotiationError) throw new LoginFailure(LoginStatus.InitiatorError, err.message);
      throw err;
    }
    if (!this.sentTargetDeclarations) {
      this.sentTargetDeclarations = true;
      if (!this.discovery) {
        keys.push(['TargetPortalGroupTag', String(this.env.portalGroupTag)]);
        if (this.target?.alias) keys.push(['TargetAlias', this.target.alias]);
      }
    }
    // Our MaxRecvDataSegmentLength is declared once, in the operational stage or when leaving security for it or FFP.
    if (this.stage === LoginStage.OperationalNegotiation || (req.transit && this.authenticated)) {
      if (!this.declaredMrdsl) {
        this.declaredMrdsl = true;
        keys.push(['MaxRecvDataSegmentLength', String(this.env.ourMaxRecvDataSegmentLength(this.target))]);
      }
    }
    if (this.stage === LoginStage.OperationalNegotiation) {
      const answered = !negotiator.waitingForAnswers;
      if (!answered && req.transit) negotiator.abandonProposals(); // it ignored them: defaults stay
      keys.push(...negotiator.proposals());
    }

    let transit = false;
    if (req.transit && this.authenticated && !negotiator.waitingForAnswers) transit = true;
    // Leaving the security stage straight to FFP skips operational negotiation: we still declare our values above.
    if (!transit) return { transit: false, csg: this.stage!, nsg: 0, keys, completed: null };
    const from = this.stage!;
    this.stage = req.nsg;
    if (req.nsg !== LoginStage.FullFeaturePhase) return { transit: true, csg: from, nsg: req.nsg, keys, completed: null };
    return {
      transit: true,
      csg: from,
      nsg: req.nsg,
      keys,
      completed: {
        discovery: this.discovery,
        initiatorName: this.initiatorName,
        initiatorAlias: this.initiatorAlias,
        target: this.target,
        isid: this.first!.isid,
        tsih: this.first!.tsih,
        cid: this.first!.cid,
        cmdSN: this.first!.cmdSN,
        negotiator,
      },
    };
  }

  private declaredMrdsl = false;
}
