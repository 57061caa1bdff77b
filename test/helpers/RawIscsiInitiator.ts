/**
 * A minimal iSCSI initiator over a raw socket, built on the transport's own
 * codec, for protocol tests: log in, send any PDU (or any bytes), and take
 * the PDUs the target answers with one by one.
 */
import { connect, type Socket } from 'node:net';
import { Opcode, LoginStage } from '../../plugins/transport-iscsi-tcp/pdu/Opcode.js';
import { decodeBhs } from '../../plugins/transport-iscsi-tcp/pdu/PduCodec.js';
import type { AnyPdu, InitiatorPdu, LoginResponsePdu } from '../../plugins/transport-iscsi-tcp/pdu/PduTypes.js';
import { PduReader } from '../../plugins/transport-iscsi-tcp/pdu/PduReader.js';
import { framePdu, type DigestSettings } from '../../plugins/transport-iscsi-tcp/pdu/PduFrame.js';
import { dataAsBuffer } from '../../plugins/transport-iscsi-tcp/pdu/ReceivedPdu.js';
import { encodeTextKeys, parseTextKeys, type KeyValue } from '../../plugins/transport-iscsi-tcp/text/TextKeys.js';

export interface ReceivedFrame {
  readonly pdu: AnyPdu;
  readonly data: Buffer;
}

let nextIsid = 1;

export class RawIscsiInitiator {
  /** Each instance is its own initiator port (distinct ISID), so sessions do not reinstate each other. */
  readonly isid = `4000013${(nextIsid++).toString(16).padStart(5, '0')}`;
  private readonly queue: ReceivedFrame[] = [];
  private waiter: (() => void) | null = null;
  private readonly reader: PduReader;
  digests: DigestSettings = { headerDigest: false, dataDigest: false };
  ended = false;
  readonly endedPromise: Promise<void>;
  cmdSN = 1;
  expStatSN = 0;
  itt = 1;

  private constructor(private readonly socket: Socket) {
    this.reader = new PduReader({ maxDataSegmentLength: 1 << 24, headerDigest: false, dataDigest: false }, (p) => {
      this.queue.push({ pdu: decodeBhs(p.bhs), data: Buffer.from(dataAsBuffer(p)) });
      this.wake();
    });
    socket.on('data', (c: Buffer) => this.reader.push(c));
    this.endedPromise = new Promise((resolve) => {
      socket.on('close', () => { this.ended = true; this.wake(); resolve(); });
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawIscsiInitiator> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => resolve(new RawIscsiInitiator(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Switches digests on both directions (after a login that negotiated them). */
  useDigests(d: DigestSettings): void {
    this.digests = d;
    this.reader.options.headerDigest = d.headerDigest;
    this.reader.options.dataDigest = d.dataDigest;
  }

  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  send(pdu: InitiatorPdu, data: Buffer | null = null): void {
    for (const part of framePdu(pdu, data, this.digests)) this.socket.write(part);
  }

  /** The next PDU from the target, or null when the connection ended first or `ms` passed. */
  async next(ms = 5000): Promise<ReceivedFrame | null> {
    const deadline = Date.now() + ms;
    while (this.queue.length === 0) {
      if (this.ended) return null;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => { clearTimeout(timer); resolve(); };
      });
    }
    const f = this.queue.shift()!;
    const sn = (f.pdu as { statSN?: number }).statSN;
    if (sn !== undefined) this.expStatSN = (sn + 1) >>> 0;
    return f;
  }

  /** Resolves true when the target closes the connection within `ms`. */
  async closedWithin(ms: number): Promise<boolean> {
    if (this.ended) return true;
    await Promise.race([this.endedPromise, new Promise((r) => setTimeout(r, ms))]);
    return this.ended;
  }

  close(): void {
    this.socket.destroy();
  }

  /** Stops reading from the target (a client that never reads what it is sent). */
  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    this.socket.resume();
  }

  /** One Login Request; returns the response and its keys. */
  async loginStep(keys: readonly KeyValue[], o: { csg: number; nsg: number; transit: boolean; isid?: string; tsih?: number; cid?: number }): Promise<{ pdu: LoginResponsePdu; keys: Map<string, string> } | null> {
    const data = encodeTextKeys(keys);
    this.send({
      opcode: Opcode.LoginRequest, totalAhsLength: 0, dataSegmentLength: data.length, transit: o.transit, continue: false,
      csg: o.csg, nsg: o.nsg, versionMax: 0, versionMin: 0, isid: o.isid ?? this.isid, tsih: o.tsih ?? 0, itt: 0x1000,
      cid: o.cid ?? 1, cmdSN: this.cmdSN, expStatSN: this.expStatSN,
    }, data.length ? data : null);
    const f = await this.next();
    if (!f || f.pdu.opcode !== Opcode.LoginResponse) return null;
    return { pdu: f.pdu, keys: new Map(parseTextKeys(f.data).pairs) };
  }

  /** Keys the target sent during the last login() (all steps merged). */
  loginKeys = new Map<string, string>();

  /**
   * A full login to Full Feature Phase: security stage with AuthMethod=None
   * (unless `skipSecurity`), then operational negotiation with `extra`,
   * accepting whatever the target proposes itself.
   */
  async login(initiatorName: string, targetName: string | null, extra: readonly KeyValue[] = [], o: { skipSecurity?: boolean } = {}): Promise<LoginResponsePdu> {
    this.loginKeys = new Map();
    const leading: KeyValue[] = [['InitiatorName', initiatorName], ['SessionType', targetName ? 'Normal' : 'Discovery']];
    if (targetName) leading.push(['TargetName', targetName]);
    let offered: KeyValue[];
    if (!o.skipSecurity) {
      const r1 = await this.loginStep([...leading, ['AuthMethod', 'None']], { csg: LoginStage.SecurityNegotiation, nsg: LoginStage.OperationalNegotiation, transit: true });
      if (!r1) throw new Error('no login response');
      for (const [k, v] of r1.keys) this.loginKeys.set(k, v);
      if (r1.pdu.statusClass !== 0) return r1.pdu;
      offered = [['HeaderDigest', 'None'], ['DataDigest', 'None'], ...extra];
    } else {
      offered = [...leading, ...extra];
    }
    for (let round = 0; round < 4; round++) {
      const r = await this.loginStep(offered, { csg: LoginStage.OperationalNegotiation, nsg: LoginStage.FullFeaturePhase, transit: true });
      if (!r) throw new Error('no login response');
      for (const [k, v] of r.keys) this.loginKeys.set(k, v);
      if (r.pdu.statusClass !== 0 || r.pdu.transit) return r.pdu;
      // The target proposed keys of its own: accept its values.
      const mine = new Set(offered.map(([k]) => k));
      offered = [...r.keys].filter(([k]) => !mine.has(k) && !['TargetPortalGroupTag', 'TargetAlias', 'MaxRecvDataSegmentLength'].includes(k));
    }
    throw new Error('login did not reach full feature phase');
  }

  nextItt(): number {
    return this.itt++;
  }
}
