/**
 * One TCP connection of the iscsi-tcp transport: login, then full feature
 * phase. Turns SCSI Command PDUs into ScsiCommands (collecting Data-Out with
 * R2Ts), sends Data-In/SCSI Response, answers NOP-Out, Text, Logout, Task
 * Management and rejects what it does not accept. Errors in what the
 * initiator sends end at most this connection.
 */
import type { Socket } from 'node:net';
import type { PortalSpec, ServedTarget } from '../../../core/transport/Transport.js';
import type { ScsiCommand, ScsiResult, TaskAttribute } from '../../../core/scsi/ScsiCommand.js';
import { AsyncEvent, LogoutReason, LogoutResponseCode, Opcode, RESERVED_TAG, RejectReason } from '../pdu/Opcode.js';
import { decodeBhs, UnknownOpcodeError, opcodeOf } from '../pdu/PduCodec.js';
import type {
  DataOutPdu, LoginRequestPdu, LogoutRequestPdu, NopOutPdu, ScsiCommandPdu, TargetPdu, TaskManagementRequestPdu, TextRequestPdu,
} from '../pdu/PduTypes.js';
import { PduReader, PduReadError } from '../pdu/PduReader.js';
import { dataAsBuffer, type ReceivedPdu } from '../pdu/ReceivedPdu.js';
import { framePdu, type DigestSettings } from '../pdu/PduFrame.js';
import { LoginStateMachine, type CompletedLogin } from '../login/LoginStateMachine.js';
import { LoginFailure, LoginStatus } from '../login/LoginStatus.js';
import { encodeTextKeys, parseTextKeys, TextFormatError, type KeyValue } from '../text/TextKeys.js';
import { NegotiationError } from '../negotiation/NegotiationError.js';
import { sendTargets } from '../discovery/SendTargets.js';
import { resolvePortalOptions, resolveTargetValues, type PortalOptions } from '../IscsiTcpOptions.js';
import { DataOutCollector, DataOutError, type BurstLimits } from './DataOutCollector.js';
import type { IscsiSession } from './IscsiSession.js';
import type { ScsiTask } from './ScsiTask.js';
import type { ConnectionHost } from './ConnectionHost.js';
import { buildFixedSense } from '../../../core/scsi/Sense.js';
import { SenseCodes } from '../../../core/scsi/SenseCodes.js';
import { snAdd } from './SerialNumber.js';
import { dataBuffers } from '../../../core/buffers/DataBufferPool.js';
import { TurnCork } from '../../../core/net/TurnCork.js';

const enum State { Login, FullFeature, LoggingOut, Closed }

/** A violation after which the connection cannot go on (ERL 0 recovery is dropping it). */
class ConnectionFatal extends Error {}

const STATUS_CHECK_CONDITION = 0x02;
/** Bounds on what one connection keeps for continued text (C bit) and unfetched text responses. */
const MAX_TEXT_BYTES = 64 * 1024;
const MAX_PENDING_TEXT = 8;
/** Output queued in the socket beyond which we stop reading new requests until it drains. */
const MAX_UNSENT_BYTES = 32 << 20;
const MAX_QUEUED_LOGIN_PDUS = 4;
/** Login Requests one login may take (CHAP and operational rounds need a handful): ends negotiation loops. */
const MAX_LOGIN_PDUS = 64;
/** Pieces of one continued Text Request (even empty ones). */
const MAX_TEXT_PIECES = 64;

/** SCSI status TASK ABORTED: core/scsi's result for a task some task management function ended. */
const TASK_ABORTED_STATUS = 0x40;

/** TMF functions whose affected tasks get no response of their own. */
const ABORTING_TMFS = new Set([1, 2, 4, 5, 6, 7]);

export class IscsiConnection {
  private state = State.Login;
  private readonly reader: PduReader;
  private digests: DigestSettings = { headerDigest: false, dataDigest: false };
  private statSN = 0;
  private login: LoginStateMachine;
  session: IscsiSession | null = null;
  private readonly tasks = new Map<number, ScsiTask>();
  private nextTtt = 1;
  private buffered = 0;
  private readonly bufferWaiters: ScsiTask[] = [];
  /** Text responses too long for one PDU, by the Target Transfer Tag the initiator asks for the rest with. */
  private readonly textRest = new Map<number, { itt: number; rest: Buffer }>();
  private textPartial: Buffer[] = [];
  private readonly loginTimer: NodeJS.Timeout;
  /** NOP-In pings (RFC 7143 11.19): the idle check, the outstanding ping's TTT and its deadline. */
  private pingTimer: NodeJS.Timeout | null = null;
  private pingDeadline: NodeJS.Timeout | null = null;
  private pingTtt: number | null = null;
  private pdusIn = 0;
  private pdusAtLastCheck = 0;
  /** CID of this connection in its session (from the login). */
  cid = 0;
  private options: PortalOptions;
  private initiatorMrdsl = 8192;
  private ourMrdsl = 8192;
  private maxBurst = 262144;
  readonly remoteAddress: string;
  readonly localAddress: string;

  constructor(
    private readonly socket: Socket,
    public portal: PortalSpec,
    private readonly host: ConnectionHost,
  ) {
    this.remoteAddress = stripMapped(socket.remoteAddress ?? '');
    this.localAddress = stripMapped(socket.localAddress ?? '');
    this.options = resolvePortalOptions(portal.options);
    this.output = new TurnCork(socket, () => this.releaseSentData());
    this.login = this.newLogin();
    // During login the initiator may send up to 8192 bytes per PDU (the default).
    this.reader = new PduReader({ maxDataSegmentLength: 8192, headerDigest: false, dataDigest: false }, (pdu) => this.onPdu(pdu));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.destroy());
    socket.on('drain', () => this.releaseSentData());
    socket.on('close', () => this.destroy());
    this.loginTimer = setTimeout(() => {
      if (this.state === State.Login) this.destroy();
    }, this.options.loginTimeoutMs);
    this.loginTimer.unref();
  }

  get closed(): boolean {
    return this.state === State.Closed;
  }

  /** Async Message: the target asks for a logout within `seconds`. */
  requestLogout(seconds: number): void {
    if (this.state !== State.FullFeature || !this.session) return;
    this.sendPdu(this.asyncPdu(AsyncEvent.LogoutRequest, 0, 0, Math.min(65535, Math.max(0, seconds))), null);
  }

  /** Drop now (no logout). `reset`: abort with a TCP RST (after hostile input) rather than a FIN. */
  destroy(reset = false): void {
    if (this.state === State.Closed) return;
    this.state = State.Closed;
    clearTimeout(this.loginTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.pingDeadline) clearTimeout(this.pingDeadline);
    for (const t of this.tasks.values()) {
      this.release(t);
      // Its window slot goes back to the session, which other connections may go on using.
      if (t.delivered) this.finished();
    }
    this.tasks.clear();
    this.bufferWaiters.length = 0;
    if (reset && !this.socket.destroyed) this.socket.resetAndDestroy();
    else this.socket.destroy();
    this.host.connectionClosed(this);
  }

  // ---- input -------------------------------------------------------------

  private onData(chunk: Buffer): void {
    if (this.state === State.Closed) return;
    try {
      this.reader.push(chunk);
    } catch (err) {
      this.fail(err);
    }
    this.throttleInput();
  }

  /** An initiator that does not read what we send (Data-In, Rejects, NOP-In echoes) stops being read from. */
  private throttleInput(): void {
    if (this.socket.writableLength > MAX_UNSENT_BYTES && !this.socket.isPaused() && (this.state === State.Login || this.state === State.FullFeature)) {
      this.socket.pause();
      this.socket.once('drain', () => { if (this.state !== State.Closed) this.socket.resume(); });
    }
  }

  private fail(err: unknown): void {
    if (err instanceof PduReadError) {
      // Reject is a full feature phase PDU; before login completes the connection just ends.
      if (this.session) {
        if (err.kind === 'data-digest') this.sendReject(RejectReason.DataDigestError, err.bhs);
        else if (err.kind === 'oversize') this.sendReject(RejectReason.ProtocolError, err.bhs);
      }
      this.host.log.warn('closing iSCSI connection', { remote: this.remoteAddress, reason: err.message });
    } else if (err instanceof ConnectionFatal) {
      this.host.log.warn('closing iSCSI connection', { remote: this.remoteAddress, reason: err.message });
    } else {
      this.host.log.error('closing iSCSI connection after an internal error', { remote: this.remoteAddress, error: String((err as Error)?.stack ?? err) });
    }
    this.closeAfterFlush(true);
  }

  /**
   * Sends what is queued (a Login or Logout Response, a Reject), then closes.
   * After a protocol violation the rest of the peer's input is not read and
   * the connection is reset, so even a peer that never reads learns it is gone.
   */
  private closeAfterFlush(reset = false): void {
    if (this.state === State.Closed || this.state === State.LoggingOut) return;
    this.state = State.LoggingOut;
    if (reset) this.socket.pause();
    this.socket.end(() => this.destroy(reset));
    setTimeout(() => this.destroy(reset), 2000).unref();
  }

  private onPdu(pdu: ReceivedPdu): void {
    if (this.state === State.Closed || this.state === State.LoggingOut) return;
    this.pdusIn++;
    if (this.state === State.Login || this.loginQueue !== null) {
      // Login steps may wait (authentication back-off): PDUs are taken in order, one at a time.
      // An initiator waits for each Login Response, so more than a few queued PDUs is abuse.
      if (++this.loginQueued > MAX_QUEUED_LOGIN_PDUS && this.state === State.Login) throw new ConnectionFatal('too many PDUs sent without waiting for the login response');
      const prev = this.loginQueue ?? Promise.resolve();
      const next = prev.then(() => {
        this.loginQueued--;
        if (this.state === State.Closed || this.state === State.LoggingOut) return;
        if (this.state === State.Login) return this.onLoginPdu(pdu);
        this.onFullFeaturePdu(pdu);
      }).catch((err: unknown) => this.fail(err));
      this.loginQueue = next;
      void next.then(() => { if (this.loginQueue === next) this.loginQueue = null; });
      return;
    }
    this.onFullFeaturePdu(pdu);
  }

  private loginQueue: Promise<void> | null = null;
  private loginQueued = 0;

  // ---- login -------------------------------------------------------------

  private newLogin(): LoginStateMachine {
    return new LoginStateMachine({
      remoteAddress: this.remoteAddress,
      portalGroupTag: this.portal.portalGroupTag,
      discoveryAuth: this.host.discoveryAuth,
      findTarget: (name) => this.host.findTarget(this.portal.name, name),
      ourValues: (target) => resolveTargetValues(target?.options ?? {}),
      ourMaxRecvDataSegmentLength: (target) => this.ourMaxRecvFor(target),
      createAuthenticator: (auth) => this.host.createAuthenticator(auth, this.remoteAddress),
    });
  }

  private ourMaxRecvFor(target: ServedTarget | null): number {
    return Number(resolveTargetValues(target?.options ?? {})['MaxRecvDataSegmentLength']);
  }

  private async onLoginPdu(pdu: ReceivedPdu): Promise<void> {
    const op = opcodeOf(pdu.bhs);
    if (op !== Opcode.LoginRequest) {
      // Anything but a Login Request before login completes: protocol error, connection ends.
      throw new ConnectionFatal(`opcode 0x${op.toString(16)} received before login completed`);
    }
    const req = decodeBhs(pdu.bhs) as LoginRequestPdu;
    if (this.statSN === 0 && !this.loginStarted) {
      this.loginStarted = true;
      this.statSN = (Math.random() * 0xffffffff) >>> 0;
    }
    try {
      if (++this.loginPdus > MAX_LOGIN_PDUS) throw new LoginFailure(LoginStatus.InitiatorError, `login not finished after ${MAX_LOGIN_PDUS} requests`);
      const reply = await this.login.handle(req, Buffer.from(dataAsBuffer(pdu)));
      if (this.state !== State.Login) return;
      let tsih = req.tsih;
      let completedSession: IscsiSession | null = null;
      if (reply.completed) {
        completedSession = this.host.openSession(reply.completed, this);
        tsih = completedSession.identity.tsih;
      }
      const data = encodeTextKeys(reply.keys);
      const expCmdSN = completedSession ? completedSession.window.expCmdSN : req.cmdSN;
      const maxCmdSN = completedSession ? completedSession.window.maxCmdSN : snAdd(req.cmdSN, this.options.maxCommandsInFlight - 1);
      this.sendPdu({
        opcode: Opcode.LoginResponse, totalAhsLength: 0, dataSegmentLength: data.length,
        transit: reply.transit, continue: false, csg: reply.csg, nsg: reply.nsg, versionMax: 0, versionActive: 0,
        isid: req.isid, tsih, itt: req.itt, statSN: this.takeStatSN(), expCmdSN, maxCmdSN, statusClass: 0, statusDetail: 0,
      }, data);
      if (completedSession && reply.completed) this.enterFullFeature(completedSession, reply.completed);
    } catch (err) {
      if (!(err instanceof LoginFailure)) throw err;
      this.host.log.info('iSCSI login refused', { remote: this.remoteAddress, status: `0x${err.status.toString(16).padStart(4, '0')}`, reason: err.message });
      this.sendPdu({
        opcode: Opcode.LoginResponse, totalAhsLength: 0, dataSegmentLength: 0,
        transit: false, continue: false, csg: 0, nsg: 0, versionMax: 0, versionActive: 0,
        isid: req.isid, tsih: req.tsih, itt: req.itt, statSN: this.takeStatSN(), expCmdSN: req.cmdSN, maxCmdSN: req.cmdSN,
        statusClass: err.status >> 8, statusDetail: err.status & 0xff,
      }, null);
      this.closeAfterFlush();
    }
  }

  private loginStarted = false;
  private loginPdus = 0;

  private enterFullFeature(session: IscsiSession, login: CompletedLogin): void {
    clearTimeout(this.loginTimer);
    this.session = session;
    this.cid = login.cid;
    this.state = State.FullFeature;
    // Connection keys (digests, MaxRecvDataSegmentLength) from this login; session keys from the leading one.
    const n = login.negotiator;
    this.digests = { headerDigest: n.value('HeaderDigest') === 'CRC32C', dataDigest: n.value('DataDigest') === 'CRC32C' };
    this.initiatorMrdsl = Number(n.declared.get('MaxRecvDataSegmentLength') ?? 8192);
    this.ourMrdsl = this.ourMaxRecvFor(login.target);
    this.maxBurst = session.negotiator.numeric('MaxBurstLength');
    this.startPings();
    this.reader.options.headerDigest = this.digests.headerDigest;
    this.reader.options.dataDigest = this.digests.dataDigest;
    this.reader.options.maxDataSegmentLength = this.ourMrdsl;
  }

  /** Pings a connection that has been silent for an interval; one not answered in time is closed (dead peer, slowloris). */
  private startPings(): void {
    const interval = this.options.nopInIntervalMs;
    if (interval <= 0) return;
    this.pingTimer = setInterval(() => {
      if (this.state !== State.FullFeature) return;
      const idle = this.pdusIn === this.pdusAtLastCheck;
      this.pdusAtLastCheck = this.pdusIn;
      if (!idle || this.pingTtt !== null) return;
      const ttt = this.allocateTtt();
      this.pingTtt = ttt;
      this.sendPdu(this.withSN({ opcode: Opcode.NopIn, totalAhsLength: 0, dataSegmentLength: 0, lun: 0, itt: RESERVED_TAG, ttt }, false), null);
      this.pingDeadline = setTimeout(() => {
        if (this.pingTtt !== ttt || this.state === State.Closed) return;
        this.host.log.warn('closing iSCSI connection', { remote: this.remoteAddress, reason: `NOP-In ping not answered within ${this.options.nopInTimeoutMs} ms` });
        this.destroy(true);
      }, this.options.nopInTimeoutMs);
      this.pingDeadline.unref();
    }, interval);
    this.pingTimer.unref();
  }

  /** A NOP-Out carrying a TTT answers our ping (RFC 7143 11.18.3); other TTTs are stale and ignored. */
  private pingAnswered(ttt: number): void {
    if (ttt !== this.pingTtt) return;
    this.pingTtt = null;
    if (this.pingDeadline) clearTimeout(this.pingDeadline);
    this.pingDeadline = null;
  }

  // ---- full feature phase -------------------------------------------------

  private onFullFeaturePdu(pdu: ReceivedPdu): void {
    let header;
    try {
      header = decodeBhs(pdu.bhs);
    } catch (err) {
      if (err instanceof UnknownOpcodeError) {
        this.sendReject(RejectReason.CommandNotSupported, pdu.bhs);
        return;
      }
      throw err;
    }
    const session = this.session!;
    switch (header.opcode) {
      case Opcode.ScsiCommand:
        if (session.identity.discovery) { this.sendReject(RejectReason.ProtocolError, pdu.bhs); return; }
        this.onScsiCommand(header, pdu);
        return;
      case Opcode.DataOut:
        this.onDataOut(header, pdu);
        return;
      case Opcode.NopOut:
        if (header.ttt !== RESERVED_TAG) { this.pingAnswered(header.ttt); return; }
        this.ordered(header.immediate, header.cmdSN, () => this.onNopOut(header, pdu), pdu.bhs);
        return;
      case Opcode.TextRequest:
        this.ordered(header.immediate, header.cmdSN, () => this.onText(header, pdu), pdu.bhs);
        return;
      case Opcode.LogoutRequest:
        this.ordered(header.immediate, header.cmdSN, () => this.onLogout(header), pdu.bhs);
        return;
      case Opcode.TaskManagementRequest:
        if (session.identity.discovery) { this.sendReject(RejectReason.ProtocolError, pdu.bhs); return; }
        this.ordered(header.immediate, header.cmdSN, () => this.onTaskManagement(header), pdu.bhs);
        return;
      case Opcode.LoginRequest:
        this.sendReject(RejectReason.ProtocolError, pdu.bhs);
        return;
      case Opcode.Snack:
        this.sendReject(RejectReason.SnackReject, pdu.bhs); // ErrorRecoveryLevel 0
        return;
      default:
        // A target opcode sent by the initiator.
        this.sendReject(RejectReason.CommandNotSupported, pdu.bhs);
    }
  }

  /** Runs a request in CmdSN order (or now, when immediate); each calls `finished()` once done. */
  private ordered(immediate: boolean, cmdSN: number, run: () => void, bhs: Buffer): void {
    const w = this.session!.window;
    if (immediate) {
      if (w.inFlight >= this.options.maxCommandsInFlight) { this.sendReject(RejectReason.ImmediateCommandReject, bhs); return; }
      w.startImmediate();
      run();
      return;
    }
    // It may run later from another connection's input (MC/S): its failures stay this connection's.
    w.submit(cmdSN, () => {
      try { run(); } catch (err) { this.fail(err); }
    }); // outside the window: ignored (RFC 7143 4.2.2.1)
  }

  private finished(): void {
    this.session?.window.finished();
  }

  private onNopOut(h: NopOutPdu, pdu: ReceivedPdu): void {
    if (h.itt !== RESERVED_TAG) {
      const data = pdu.dataLength ? Buffer.from(dataAsBuffer(pdu)) : null;
      this.finished();
      this.sendPdu(this.withSN({
        opcode: Opcode.NopIn, totalAhsLength: 0, dataSegmentLength: data ? data.length : 0, lun: h.lun, itt: h.itt, ttt: RESERVED_TAG,
      }, true), data);
      return;
    }
    this.finished(); // an answer to our ping, or a ping that wants no answer
  }

  private onText(h: TextRequestPdu, pdu: ReceivedPdu): void {
    const session = this.session!;
    const data = pdu.dataLength ? Buffer.from(dataAsBuffer(pdu)) : Buffer.alloc(0);
    if (h.ttt !== RESERVED_TAG) {
      const pending = this.textRest.get(h.ttt);
      this.textRest.delete(h.ttt);
      if (!pending || pending.itt !== h.itt) {
        this.finished();
        this.sendReject(RejectReason.InvalidPduField, pdu.bhs);
        return;
      }
      this.finished();
      this.sendText(h, pending.rest);
      return;
    }
    if (h.continue) {
      this.textPartial.push(data);
      if (this.textPartial.length > MAX_TEXT_PIECES || this.textPartial.reduce((n, b) => n + b.length, 0) > MAX_TEXT_BYTES) {
        throw new ConnectionFatal(`continued Text Request longer than ${MAX_TEXT_BYTES} bytes or ${MAX_TEXT_PIECES} PDUs`);
      }
      this.finished();
      this.sendPdu(this.withSN({
        opcode: Opcode.TextResponse, totalAhsLength: 0, dataSegmentLength: 0, final: false, continue: false, lun: h.lun, itt: h.itt,
        ttt: this.allocateTtt(),
      }, true), null);
      return;
    }
    const text = this.textPartial.length ? Buffer.concat([...this.textPartial, data]) : data;
    this.textPartial = [];
    const reply: KeyValue[] = [];
    try {
      const { pairs } = parseTextKeys(text);
      const other: KeyValue[] = [];
      for (const kv of pairs) {
        if (kv[0] === 'SendTargets') {
          reply.push(...sendTargets(kv[1], this.host.targets(), session.target, {
            initiatorName: session.identity.initiatorName,
            remoteAddress: this.remoteAddress,
            localAddress: this.localAddress,
            portals: this.host.portals(),
          }));
        } else {
          other.push(kv);
        }
      }
      reply.push(...session.negotiator.respond(other, 'full-feature'));
      const mrdsl = session.negotiator.declared.get('MaxRecvDataSegmentLength');
      if (mrdsl) this.initiatorMrdsl = Number(mrdsl);
    } catch (err) {
      if (!(err instanceof NegotiationError) && !(err instanceof TextFormatError)) throw err;
      this.finished();
      this.sendReject(RejectReason.ProtocolError, pdu.bhs);
      return;
    }
    this.finished();
    this.sendText(h, encodeTextKeys(reply));
  }

  /** Sends a text response, continued (C bit + TTT) when longer than the initiator takes in one PDU. */
  private sendText(h: TextRequestPdu, body: Buffer): void {
    const max = this.initiatorMrdsl;
    const last = body.length <= max;
    const part = last ? body : body.subarray(0, max);
    let ttt = RESERVED_TAG;
    if (!last) {
      ttt = this.allocateTtt();
      // An initiator that never fetches the rest must not make us hoard: keep the newest few.
      if (this.textRest.size >= MAX_PENDING_TEXT) this.textRest.delete(this.textRest.keys().next().value!);
      this.textRest.set(ttt, { itt: h.itt, rest: body.subarray(max) });
    }
    this.sendPdu(this.withSN({
      opcode: Opcode.TextResponse, totalAhsLength: 0, dataSegmentLength: part.length, final: last, continue: !last, lun: h.lun,
      itt: h.itt, ttt,
    }, true), part.length ? part : null);
  }

  /**
   * Logout (RFC 7143 11.14): reason 0 ends the session (its other connections
   * are dropped), reason 1 ends the connection named by CID (this one, or
   * another of the session), reason 2 needs ERL 2.
   */
  private onLogout(h: LogoutRequestPdu): void {
    const session = this.session!;
    let response: number = LogoutResponseCode.Success;
    let closeThis = false;
    if (h.reason === LogoutReason.CloseSession) {
      closeThis = true;
      for (const c of [...session.connections.values()]) if (c !== this) c.destroy();
    } else if (h.reason === LogoutReason.CloseConnection) {
      const c = session.connections.get(h.cid);
      if (!c) response = LogoutResponseCode.CidNotFound;
      else if (c === this) closeThis = true;
      else c.destroy();
    } else if (h.reason === LogoutReason.RemoveConnectionForRecovery) {
      response = LogoutResponseCode.RecoveryNotSupported;
    } else {
      response = LogoutResponseCode.CleanupFailed;
    }
    this.finished();
    this.sendPdu(this.withSN({
      opcode: Opcode.LogoutResponse, totalAhsLength: 0, dataSegmentLength: 0, response, itt: h.itt, time2Wait: 0, time2Retain: 0,
    }, true), null);
    if (closeThis) this.closeAfterFlush();
  }

  private onTaskManagement(h: TaskManagementRequestPdu): void {
    const session = this.session!;
    const target = session.target!;
    const respond = (response: number): void => {
      this.finished();
      this.sendPdu(this.withSN({ opcode: Opcode.TaskManagementResponse, totalAhsLength: 0, dataSegmentLength: 0, response, itt: h.itt }, true), null);
    };
    if (h.fn === 8) { respond(4); return; } // TASK REASSIGN: needs ERL 2
    // Tasks still with us (not yet handed to core/scsi) end here, on every connection of the
    // session (MC/S: the affected tasks may have arrived elsewhere); the rest core/scsi aborts.
    let handledLocally = false;
    if (ABORTING_TMFS.has(h.fn)) {
      const conns = new Set<IscsiConnection>([this, ...session.connections.values()]);
      for (const c of conns) if (c.abortTasks(h)) handledLocally = true;
    }
    if (handledLocally) { respond(0); return; }
    target.scsi.taskManagement({ nexus: session.nexus!, fn: h.fn, lun: h.lun, referencedTaskTag: h.referencedTaskTag }).then(
      (r) => {
        let code: number = r;
        if (r === 254) code = 7; // FUNCTION SUCCEEDED (RFC 7144 11.5.1 response code 7)
        if (r === 255) code = 255;
        respond(code);
      },
      () => respond(255),
    ).catch((err: unknown) => this.fail(err));
  }

  /**
   * Marks the tasks a TMF affects as aborted (no response of their own) and
   * ends those not yet handed to core/scsi; true when ABORT TASK found its
   * task still here.
   */
  abortTasks(h: TaskManagementRequestPdu): boolean {
    let handledLocally = false;
    for (const t of this.tasks.values()) {
      const hit = h.fn === 1 ? t.itt === h.referencedTaskTag
        : h.fn === 2 || h.fn === 4 || h.fn === 5 ? t.lun === h.lun
          : true;
      if (!hit) continue;
      t.aborted = true;
      if (!t.executing) {
        this.release(t);
        this.tasks.delete(t.itt);
        if (t.delivered) this.finished();
        if (h.fn === 1) handledLocally = true;
      }
    }
    return handledLocally;
  }

  // ---- SCSI commands ------------------------------------------------------

  private onScsiCommand(h: ScsiCommandPdu, pdu: ReceivedPdu): void {
    const session = this.session!;
    const n = session.negotiator;
    if (this.tasks.has(h.itt)) { this.sendReject(RejectReason.TaskInProgress, pdu.bhs); return; }
    if (h.immediate && session.window.inFlight >= this.options.maxCommandsInFlight) {
      this.sendReject(RejectReason.ImmediateCommandReject, pdu.bhs);
      return;
    }
    let cdb = Buffer.from(h.cdb);
    let bidiReadLength = -1;
    if (pdu.ahs) {
      for (let off = 0; off + 4 <= pdu.ahs.length;) {
        const len = pdu.ahs.readUInt16BE(off);
        const type = pdu.ahs[off + 2]!;
        if (off + 3 + len > pdu.ahs.length) throw new ConnectionFatal('AHS length runs past the header');
        if (type === 1 && len > 1) cdb = Buffer.concat([cdb, pdu.ahs.subarray(off + 4, off + 3 + len)]);
        else if (type === 2 && len === 5) bidiReadLength = pdu.ahs.readUInt32BE(off + 4);
        off += (3 + len + 3) & ~3;
      }
    }
    const edtl = h.expectedDataTransferLength;
    const writeLength = h.write ? edtl : 0;
    const readLength = h.read ? (h.write ? Math.max(0, bidiReadLength) : edtl) : 0;
    if (pdu.dataLength > 0 && (!h.write || !n.flag('ImmediateData'))) {
      throw new ConnectionFatal(h.write ? 'immediate data sent although ImmediateData=No' : 'data segment on a SCSI command without the W bit');
    }
    if (!h.final && (!h.write || n.flag('InitialR2T'))) {
      throw new ConnectionFatal('unsolicited Data-Out announced (F bit clear) although InitialR2T=Yes or no write');
    }
    const task: ScsiTask = {
      itt: h.itt, pdu: h, lun: h.lun, cdb, readLength, writeLength, collector: null,
      delivered: false, executing: false, aborted: false, charged: 0, waitingForBuffer: false, refusal: null,
    };
    this.tasks.set(h.itt, task);
    if (writeLength > 0) {
      const unsolicited = pdu.dataLength > 0 || !h.final;
      if (writeLength > this.options.maxBufferedWriteBytes) {
        // More than we ever buffer: INVALID FIELD IN CDB; unsolicited data is dropped on arrival.
        task.refusal = { status: STATUS_CHECK_CONDITION, sense: buildFixedSense(SenseCodes.invalidFieldInCdb) };
      } else if (unsolicited || this.buffered + writeLength <= this.options.maxBufferedWriteBytes) {
        // All of the write as immediate data in one socket chunk: write from that view (no copy).
        const whole = h.final && pdu.dataLength === writeLength && pdu.data.length === 1 ? pdu.data[0]! : null;
        this.startCollecting(task, whole);
        if (pdu.dataLength > 0) {
          try {
            task.collector!.acceptImmediate(pdu.data, pdu.dataLength);
          } catch (err) {
            if (err instanceof DataOutError) throw new ConnectionFatal(err.message);
            throw err;
          }
        }
        this.sendR2ts(task);
      } else {
        task.waitingForBuffer = true;
        this.bufferWaiters.push(task);
      }
    }
    const deliver = (): void => {
      task.delivered = true;
      // Delivered after this connection ended (another connection filled the CmdSN gap): give the slot back.
      if (this.state === State.Closed) { this.finished(); return; }
      try { this.maybeExecute(task); } catch (err) { this.fail(err); }
    };
    if (h.immediate) {
      session.window.startImmediate();
      deliver();
    } else {
      const r = session.window.submit(h.cmdSN, deliver);
      if (r === 'outside-window' || r === 'duplicate') {
        this.release(task);
        this.tasks.delete(h.itt);
      }
    }
  }

  /** `whole`: the command's immediate data when it is the entire write, used as the buffer itself. */
  private startCollecting(task: ScsiTask, whole: Buffer | null = null): void {
    task.charged = task.writeLength;
    this.buffered += task.writeLength;
    // A pooled buffer: it passes to core/scsi with the command (ScsiCommand.dataOut), which releases it.
    task.collector = new DataOutCollector(whole ?? dataBuffers.acquire(task.writeLength), this.burstLimits(), !task.pdu.final, this.allocateTttFn);
  }

  /** The session's negotiated burst limits, read once (they are fixed after login). */
  private limits: BurstLimits | null = null;
  private burstLimits(): BurstLimits {
    if (this.limits === null) {
      const n = this.session!.negotiator;
      this.limits = {
        firstBurstLength: n.numeric('FirstBurstLength'),
        maxBurstLength: n.numeric('MaxBurstLength'),
        maxOutstandingR2T: n.numeric('MaxOutstandingR2T'),
      };
    }
    return this.limits;
  }

  private readonly allocateTttFn = (): number => this.allocateTtt();

  private sendR2ts(task: ScsiTask): void {
    const c = task.collector;
    if (!c || task.aborted) return;
    const r2ts = c.nextR2ts();
    if (r2ts.length === 0) return;
    this.socket.cork();
    for (const r of r2ts) {
      this.sendPdu(this.withSN({
        opcode: Opcode.ReadyToTransfer, totalAhsLength: 0, dataSegmentLength: 0, lun: task.lun, itt: task.itt, ttt: r.ttt,
        r2tSN: r.r2tSN, bufferOffset: r.bufferOffset, desiredDataTransferLength: r.length,
      }, false), null);
    }
    this.socket.uncork();
  }

  private onDataOut(h: DataOutPdu, pdu: ReceivedPdu): void {
    const task = this.tasks.get(h.itt);
    if (!task || task.aborted || task.executing) {
      // Late data of an aborted task, or a tag we never saw: not this connection's end.
      this.sendReject(RejectReason.InvalidPduField, pdu.bhs);
      return;
    }
    if (task.refusal) return; // dropping the unsolicited data of a refused write
    const c = task.collector;
    if (!c) throw new ConnectionFatal(`Data-Out for task 0x${h.itt.toString(16)} before any R2T`);
    try {
      c.acceptDataOut(h, pdu.data, pdu.dataLength);
    } catch (err) {
      if (err instanceof DataOutError) {
        // A Data-Out out of sequence (DataSN, offset, F bit): reject it and end the task here,
        // keeping the connection (ERL 0). The Reject fails the command at the initiator
        // (libiscsi's iSCSIDataSnInvalid expects that); later Data-Out for it is rejected as unknown.
        this.sendReject(RejectReason.ProtocolError, pdu.bhs);
        task.aborted = true;
        this.release(task);
        this.tasks.delete(task.itt);
        if (task.delivered) this.finished();
        return;
      }
      throw err;
    }
    if (c.complete) this.maybeExecute(task);
    else if (h.final) this.sendR2ts(task);
  }

  private maybeExecute(task: ScsiTask): void {
    if (!task.delivered || task.executing || task.aborted || this.state === State.Closed) return;
    if (task.refusal) {
      task.executing = true;
      this.complete(task, { status: task.refusal.status, sense: task.refusal.sense, dataIn: null });
      return;
    }
    if (task.writeLength > 0 && !(task.collector?.complete ?? false)) return;
    const session = this.session!;
    task.executing = true;
    const attr = task.pdu.attribute;
    const cmd: ScsiCommand = {
      nexus: session.nexus!,
      lun: task.lun,
      cdb: task.cdb,
      taskTag: task.itt,
      taskAttribute: (attr >= 1 && attr <= 4 ? attr - 1 : 0) as TaskAttribute,
      expectedDataLength: task.pdu.expectedDataTransferLength,
      dataOut: task.collector ? task.collector.buffer : null,
    };
    session.target!.scsi.execute(cmd).then(
      (result) => this.complete(task, result),
      (err: unknown) => {
        this.host.log.error('SCSI layer rejected a command (it must not)', { error: String(err) });
        this.complete(task, null);
      },
    ).catch((err: unknown) => this.fail(err));
  }

  /** Sends Data-In and/or the SCSI Response of a task (null result: iSCSI "target failure"). */
  private complete(task: ScsiTask, result: ScsiResult | null): void {
    if (this.tasks.get(task.itt) !== task) return; // aborted and removed, or connection gone
    this.tasks.delete(task.itt);
    this.release(task);
    if (this.state === State.Closed) return;
    this.finished();
    // Aborted by this session's TMF, or by another nexus (CLEAR TASK SET, LUN RESET): with TAS=0
    // the task ends without a response (SAM-5; core/scsi's contract); the other initiator gets a UA.
    if (task.aborted || result?.status === TASK_ABORTED_STATUS) return;
    if (!this.output.holding && this.tasks.size === 0) {
      // Nothing else in flight on this connection (queue depth 1): nothing to batch with, send now.
      this.socket.cork();
      this.respond(task, result);
      this.socket.uncork();
      this.releaseSentData();
      this.throttleInput();
      return;
    }
    // Responses of every command finishing in this event-loop turn leave in one writev.
    this.output.hold();
    this.respond(task, result);
    this.throttleInput();
  }

  private readonly output: TurnCork;

  /** Data-In buffers (ScsiResult.dataIn, ours once execute() resolved) handed to the socket and not yet known to be written. */
  private sentData: Buffer[] = [];

  /**
   * Gives the sent Data-In buffers back to the pool once the socket holds
   * nothing unwritten: then the kernel has copied all of them. (A write the
   * socket could not finish keeps writableLength above 0 until it is done.)
   */
  private releaseSentData(): void {
    if (this.sentData.length === 0 || this.socket.writableLength !== 0) return;
    for (const b of this.sentData) dataBuffers.release(b);
    this.sentData.length = 0;
  }

  private respond(task: ScsiTask, result: ScsiResult | null): void {
    const itt = task.itt;
    if (result === null) {
      this.sendPdu(this.withSN(scsiResponse(itt, 1, 0, null, 0, 0), true), null);
      return;
    }
    // Residuals (RFC 7143 11.4.5): against what the initiator expects in its direction.
    const edtl = task.pdu.expectedDataTransferLength;
    let residual = 0;
    let over = false;
    let under = false;
    let dataSNs = 0;
    const dataIn = result.dataIn;
    if (task.readLength > 0 || (dataIn && dataIn.length > 0)) {
      const expected = task.readLength;
      const have = dataIn ? dataIn.length : 0;
      if (have > expected) { over = true; residual = have - expected; }
      else if (have < expected) { under = true; residual = expected - have; }
      const send = Math.min(have, expected);
      const collapse = result.sense === null;
      if (send > 0) {
        dataSNs = this.sendDataIn(task, dataIn!.subarray(0, send), collapse ? result.status : null, over, under, residual);
        this.sentData.push(dataIn!);
        if (collapse) return;
      }
    } else if (result.commandDataLength !== undefined && result.commandDataLength !== edtl) {
      if (result.commandDataLength > edtl) { over = true; residual = result.commandDataLength - edtl; }
      else { under = true; residual = edtl - result.commandDataLength; }
    } else if (task.writeLength === 0 && edtl > 0 && !task.pdu.read && !task.pdu.write) {
      // A command that moved no data although the initiator expected some.
      under = true; residual = edtl;
    }
    // ExpDataSN counts the R2Ts (writes) or Data-In PDUs (reads) sent for the command.
    if (task.collector) dataSNs = task.collector.r2tCount;
    const sense = result.sense;
    let data: Buffer | null = null;
    if (sense && sense.length) {
      data = Buffer.allocUnsafe(2 + sense.length);
      data.writeUInt16BE(sense.length, 0);
      sense.copy(data, 2);
    }
    const pdu = scsiResponse(itt, 0, result.status, data, residual, dataSNs);
    pdu.overflow = over;
    pdu.underflow = under;
    this.sendPdu(this.withSN(pdu, true), data);
  }

  /** Data-In PDUs of at most the initiator's MaxRecvDataSegmentLength (views of `data`); returns how many. */
  private sendDataIn(task: ScsiTask, data: Buffer, status: number | null, over: boolean, under: boolean, residual: number): number {
    const max = this.initiatorMrdsl;
    let dataSN = 0;
    for (let off = 0; off < data.length; dataSN++) {
      // A Data-In sequence (ended by F) never exceeds MaxBurstLength: PDUs are cut at burst ends too.
      const burstLimit = (Math.floor(off / this.maxBurst) + 1) * this.maxBurst;
      const len = Math.min(max, data.length - off, burstLimit - off);
      const end = off + len;
      const last = end === data.length;
      const burstEnd = end === burstLimit;
      const withStatus = last && status !== null;
      this.sendPdu(this.withSN({
        opcode: Opcode.DataIn, totalAhsLength: 0, dataSegmentLength: len, final: last || burstEnd, acknowledge: false,
        overflow: withStatus && over, underflow: withStatus && under, hasStatus: withStatus, status: withStatus ? status : 0,
        lun: task.lun, itt: task.itt, ttt: RESERVED_TAG, dataSN, bufferOffset: off, residualCount: withStatus ? residual : 0,
      }, withStatus), data.subarray(off, end));
      off = end;
    }
    return dataSN;
  }

  private release(task: ScsiTask): void {
    // Data-Out collected for a command that never ran is still ours to give back.
    if (task.collector !== null && !task.executing) {
      dataBuffers.release(task.collector.buffer);
      task.collector = null;
    }
    if (task.charged) {
      this.buffered -= task.charged;
      task.charged = 0;
      this.admitWaiters();
    }
    if (task.waitingForBuffer) {
      task.waitingForBuffer = false;
      const i = this.bufferWaiters.indexOf(task);
      if (i >= 0) this.bufferWaiters.splice(i, 1);
    }
  }

  private admitWaiters(): void {
    while (this.bufferWaiters.length && this.state !== State.Closed) {
      const next = this.bufferWaiters[0]!;
      if (this.buffered + next.writeLength > this.options.maxBufferedWriteBytes && this.buffered > 0) return;
      this.bufferWaiters.shift();
      next.waitingForBuffer = false;
      this.startCollecting(next);
      this.sendR2ts(next);
    }
  }

  // ---- output -------------------------------------------------------------

  private takeStatSN(): number {
    const sn = this.statSN;
    this.statSN = snAdd(this.statSN, 1);
    return sn;
  }

  /** Fills StatSN (taking a new one when the PDU carries status), ExpCmdSN and MaxCmdSN. */
  private withSN<T extends object>(pdu: T, takesStatSN: boolean): T & { statSN: number; expCmdSN: number; maxCmdSN: number } {
    const w = this.session!.window;
    // Sets the fields on the caller's fresh literal (no copy per PDU on the hot path).
    const p = pdu as T & { statSN: number; expCmdSN: number; maxCmdSN: number };
    p.statSN = takesStatSN ? this.takeStatSN() : this.statSN;
    p.expCmdSN = w.expCmdSN;
    p.maxCmdSN = w.maxCmdSN;
    return p;
  }

  private asyncPdu(event: number, p1: number, p2: number, p3: number): TargetPdu {
    return this.withSN({
      opcode: Opcode.AsyncMessage as const, totalAhsLength: 0, dataSegmentLength: 0, lun: 0, asyncEvent: event, asyncVCode: 0,
      parameter1: p1, parameter2: p2, parameter3: p3,
    }, true);
  }

  private sendReject(reason: number, bhs: Buffer): void {
    if (this.state === State.Closed) return;
    const w = this.session?.window;
    const header = Buffer.from(bhs.subarray(0, 48));
    this.sendPdu({
      opcode: Opcode.Reject, totalAhsLength: 0, dataSegmentLength: header.length, reason, statSN: this.statSN,
      expCmdSN: w ? w.expCmdSN : 0, maxCmdSN: w ? w.maxCmdSN : 0, dataSN: 0,
    }, header);
  }

  private sendPdu(pdu: TargetPdu, data: Buffer | null): void {
    if (this.state === State.Closed || this.socket.destroyed) return;
    for (const part of framePdu(pdu, data, this.digests)) this.socket.write(part);
  }

  private allocateTtt(): number {
    const t = this.nextTtt;
    this.nextTtt = this.nextTtt >= 0x7fffffff ? 1 : this.nextTtt + 1;
    return t;
  }
}

function scsiResponse(itt: number, response: number, status: number, data: Buffer | null, residual: number, expDataSN: number) {
  return {
    opcode: Opcode.ScsiResponse as const, totalAhsLength: 0, dataSegmentLength: data ? data.length : 0,
    bidiOverflow: false, bidiUnderflow: false, overflow: false, underflow: false, response, status, itt,
    snackTag: 0, expDataSN, bidiResidualCount: 0, residualCount: residual, statSN: 0, expCmdSN: 0, maxCmdSN: 0,
  };
}

function stripMapped(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

