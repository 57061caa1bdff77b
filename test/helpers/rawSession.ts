/**
 * Small steps over RawIscsiInitiator shared by the session, hostile-input
 * and limit tests: a login of one connection (leading or joining a session
 * by TSIH and CID), SCSI commands, NOP-Out pings and logouts. The CmdSN is
 * the caller's (`c.cmdSN`), so several connections can share one window.
 */
import { Opcode, LoginStage, RESERVED_TAG } from '../../plugins/transport-iscsi-tcp/pdu/Opcode.js';
import type { LoginResponsePdu, ScsiCommandPdu } from '../../plugins/transport-iscsi-tcp/pdu/PduTypes.js';
import type { KeyValue } from '../../plugins/transport-iscsi-tcp/text/TextKeys.js';
import { RawIscsiInitiator, type ReceivedFrame } from './RawIscsiInitiator.js';
import { HARNESS_INITIATOR } from './IscsiTransportHarness.js';

export interface ConnectionLogin {
  readonly conn: RawIscsiInitiator;
  readonly response: LoginResponsePdu;
  readonly keys: Map<string, string>;
}

export interface LoginConnectionOptions {
  readonly host?: string;
  readonly isid?: string;
  readonly tsih?: number;
  readonly cid?: number;
  readonly initiatorName?: string;
  /** Keys offered besides InitiatorName/TargetName/SessionType (e.g. MaxConnections). */
  readonly extra?: readonly KeyValue[];
}

/**
 * Connects and logs in straight in the operational stage (AuthMethod None),
 * accepting what the target proposes. Returns the last Login Response
 * (success or not) and every key the target sent.
 */
export async function loginConnection(port: number, targetName: string, o: LoginConnectionOptions = {}): Promise<ConnectionLogin> {
  const conn = await RawIscsiInitiator.connect(port, o.host);
  const step = { csg: LoginStage.OperationalNegotiation, nsg: LoginStage.FullFeaturePhase, transit: true, isid: o.isid ?? conn.isid, tsih: o.tsih ?? 0, cid: o.cid ?? 1 };
  let offered: KeyValue[] = [
    ['InitiatorName', o.initiatorName ?? HARNESS_INITIATOR], ['SessionType', 'Normal'], ['TargetName', targetName],
    ['HeaderDigest', 'None'], ['DataDigest', 'None'], ...(o.extra ?? []),
  ];
  const keys = new Map<string, string>();
  for (let round = 0; round < 4; round++) {
    const r = await conn.loginStep(offered, step);
    if (!r) throw new Error('no login response');
    for (const [k, v] of r.keys) keys.set(k, v);
    if (r.pdu.statusClass !== 0 || r.pdu.transit) {
      if (r.pdu.statusClass === 0) conn.cmdSN = r.pdu.expCmdSN;
      return { conn, response: r.pdu, keys };
    }
    const mine = new Set(offered.map(([k]) => k));
    offered = [...r.keys].filter(([k]) => !mine.has(k) && !['TargetPortalGroupTag', 'TargetAlias', 'MaxRecvDataSegmentLength'].includes(k));
  }
  throw new Error('login did not reach full feature phase');
}

/** Sends one SCSI Command (taking the next CmdSN unless immediate or `cmdSN` is given); returns its ITT. */
export function scsiCommand(c: RawIscsiInitiator, cdb: readonly number[], o: Partial<ScsiCommandPdu> & { data?: Buffer } = {}): number {
  const itt = c.nextItt();
  const cdbBuf = Buffer.alloc(16);
  Buffer.from(cdb).copy(cdbBuf);
  const data = o.data ?? null;
  const { data: _ignored, ...fields } = o;
  c.send({
    opcode: Opcode.ScsiCommand, totalAhsLength: 0, dataSegmentLength: data ? data.length : 0, immediate: false, final: true,
    read: false, write: false, attribute: 1, lun: 1, itt, expectedDataTransferLength: 0, cmdSN: c.cmdSN, expStatSN: c.expStatSN,
    cdb: cdbBuf, ...fields,
  }, data);
  if (!o.immediate && o.cmdSN === undefined) c.cmdSN = (c.cmdSN + 1) >>> 0;
  return itt;
}

/** WRITE(10) of `data` at `lba` on LUN 1 with immediate data. */
export function write10(c: RawIscsiInitiator, lba: number, data: Buffer, o: Partial<ScsiCommandPdu> = {}): number {
  const blocks = data.length / 512;
  return scsiCommand(c, [0x2a, 0, (lba >>> 24) & 0xff, (lba >>> 16) & 0xff, (lba >>> 8) & 0xff, lba & 0xff, 0, (blocks >> 8) & 0xff, blocks & 0xff, 0],
    { write: true, expectedDataTransferLength: data.length, data, ...o });
}

/** READ(10) of `blocks` blocks at `lba` on LUN 1. */
export function read10(c: RawIscsiInitiator, lba: number, blocks: number, o: Partial<ScsiCommandPdu> = {}): number {
  return scsiCommand(c, [0x28, 0, (lba >>> 24) & 0xff, (lba >>> 16) & 0xff, (lba >>> 8) & 0xff, lba & 0xff, 0, (blocks >> 8) & 0xff, blocks & 0xff, 0],
    { read: true, expectedDataTransferLength: blocks * 512, ...o });
}

/** The next PDU of one opcode (others, e.g. unit attention answers, are skipped); null when none came. */
export async function nextOf(c: RawIscsiInitiator, opcode: Opcode, ms = 5000): Promise<ReceivedFrame | null> {
  const deadline = Date.now() + ms;
  for (;;) {
    const f = await c.next(Math.max(1, deadline - Date.now()));
    if (!f) return null;
    if (f.pdu.opcode === opcode) return f;
  }
}

/** Collects the Data-In of one task and its status (from the SCSI Response or a Data-In with S). */
export async function taskResult(c: RawIscsiInitiator, itt: number, ms = 5000): Promise<{ status: number; data: Buffer } | null> {
  const parts: Buffer[] = [];
  const deadline = Date.now() + ms;
  for (;;) {
    const f = await c.next(Math.max(1, deadline - Date.now()));
    if (!f) return null;
    const p = f.pdu;
    if (p.opcode === Opcode.DataIn && p.itt === itt) {
      parts.push(f.data);
      if (p.hasStatus) return { status: p.status, data: Buffer.concat(parts) };
    } else if (p.opcode === Opcode.ScsiResponse && p.itt === itt) {
      return { status: p.status, data: Buffer.concat(parts) };
    }
  }
}

/** The statuses of several tasks on one connection, in any order of arrival (-1 for those not answered). */
export async function taskStatuses(c: RawIscsiInitiator, itts: readonly number[], ms = 5000): Promise<number[]> {
  const status = new Map<number, number>();
  const deadline = Date.now() + ms;
  while (status.size < itts.length) {
    const f = await c.next(Math.max(1, deadline - Date.now()));
    if (!f) break;
    const p = f.pdu;
    if (p.opcode === Opcode.ScsiResponse) status.set(p.itt, p.status);
    else if (p.opcode === Opcode.DataIn && p.hasStatus) status.set(p.itt, p.status);
  }
  return itts.map((itt) => status.get(itt) ?? -1);
}

/** An immediate NOP-Out ping; resolves the echoed text, or null when no answer came. */
export async function ping(c: RawIscsiInitiator, payload = 'ping', ms = 3000): Promise<string | null> {
  const data = Buffer.from(payload);
  const itt = c.nextItt();
  c.send({ opcode: Opcode.NopOut, totalAhsLength: 0, dataSegmentLength: data.length, immediate: true, lun: 0, itt, ttt: RESERVED_TAG, cmdSN: c.cmdSN, expStatSN: c.expStatSN }, data);
  const deadline = Date.now() + ms;
  for (;;) {
    const f = await c.next(Math.max(1, deadline - Date.now()));
    if (!f) return null;
    if (f.pdu.opcode === Opcode.NopIn && f.pdu.itt === itt) return f.data.toString();
  }
}

/** An immediate Logout Request; resolves the Logout Response code (-1 when none came). */
export async function logout(c: RawIscsiInitiator, reason: number, cid: number): Promise<number> {
  c.send({ opcode: Opcode.LogoutRequest, totalAhsLength: 0, dataSegmentLength: 0, immediate: true, reason, itt: c.nextItt(), cid, cmdSN: c.cmdSN, expStatSN: c.expStatSN });
  const f = await nextOf(c, Opcode.LogoutResponse);
  return f?.pdu.opcode === Opcode.LogoutResponse ? f.pdu.response : -1;
}

/** Clears the power-on unit attention of a new nexus (TEST UNIT READY until GOOD). */
export async function clearUnitAttention(c: RawIscsiInitiator): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const itt = scsiCommand(c, [0x00]);
    const r = await taskResult(c, itt);
    if (r?.status === 0) return;
  }
}
