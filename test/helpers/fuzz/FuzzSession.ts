/**
 * One fuzzed initiator session: a valid script - login (CHAP when the target
 * wants it, computed from the real challenge), operational negotiation,
 * then a random mix of full-feature PDUs (NOP-Out, SCSI reads and writes
 * with immediate data and Data-Out, Text SendTargets, task management,
 * SNACK, Logout, answers to NOP-In pings) - where each PDU is mutated with
 * probability `rate`. Some Normal sessions get a second connection (MC/S
 * join by TSIH, or reinstatement of CID 1) and spread their PDUs over both.
 */
import { LoginStage, Opcode } from '../../../plugins/transport-iscsi-tcp/pdu/Opcode.js';
import type { InitiatorPdu, LoginResponsePdu } from '../../../plugins/transport-iscsi-tcp/pdu/PduTypes.js';
import { encodeTextKeys, parseTextKeys, type KeyValue } from '../../../plugins/transport-iscsi-tcp/text/TextKeys.js';
import { CHAP_ALGORITHMS, chapResponse } from '../../../plugins/transport-iscsi-tcp/auth/ChapAlgorithm.js';
import type { ChapCredentials } from '../../../core/transport/Transport.js';
import { FuzzConnection } from './FuzzConnection.js';
import { mutateFrame, mutateKeys } from './PduMutator.js';
import type { SeededRandom } from './SeededRandom.js';

export interface FuzzTarget {
  readonly port: number;
  readonly targetName: string;
  readonly initiatorName: string;
  readonly chap: ChapCredentials | null;
  readonly mutualChap: ChapCredentials | null;
}

export interface SessionResult {
  readonly sent: number;
  /** Whether the (possibly mutated) login reached Full Feature Phase. */
  readonly loggedIn: boolean;
  /** Whether a second connection logged in to the session (MC/S join or reinstatement). */
  readonly joined?: boolean;
  readonly mutations: Record<string, number>;
}

const LOGIN_WAIT_MS = 250;

export async function runFuzzSession(rng: SeededRandom, target: FuzzTarget, rate: number, maxPdus: number): Promise<SessionResult> {
  const c = await FuzzConnection.open(target.port);
  const mutations: Record<string, number> = {};
  const mutate = (frame: Buffer): Buffer => {
    if (!rng.chance(rate)) return frame;
    const m = mutateFrame(rng, frame);
    mutations[m.mutation] = (mutations[m.mutation] ?? 0) + 1;
    return m.bytes;
  };
  const keysOf = (keys: KeyValue[]): KeyValue[] => {
    if (!rng.chance(rate)) return keys;
    mutations['keys'] = (mutations['keys'] ?? 0) + 1;
    return mutateKeys(rng, keys);
  };
  let cmdSN = rng.u32();
  let expStatSN = 0;
  const isid = `40${rng.bytes(5).toString('hex')}`;
  const loginItt = rng.u32();

  type LoginAnswer = { pdu: LoginResponsePdu; keys: Map<string, string> } | null;
  const loginOn = async (conn: FuzzConnection, tsih: number, cid: number, keys: KeyValue[], csg: number, nsg: number, transit: boolean): Promise<LoginAnswer> => {
    const data = encodeTextKeys(keysOf(keys));
    conn.send({
      opcode: Opcode.LoginRequest, totalAhsLength: 0, dataSegmentLength: data.length, transit, continue: false, csg, nsg,
      versionMax: 0, versionMin: 0, isid, tsih, itt: loginItt, cid, cmdSN, expStatSN,
    }, data, mutate);
    const f = await conn.takeLoginResponse(LOGIN_WAIT_MS);
    if (!f || f.pdu.opcode !== Opcode.LoginResponse) return null;
    expStatSN = (f.pdu.statSN + 1) >>> 0;
    let parsed: Map<string, string>;
    try { parsed = new Map(parseTextKeys(f.data).pairs); } catch { parsed = new Map(); }
    return { pdu: f.pdu, keys: parsed };
  };
  const login = (keys: KeyValue[], csg: number, nsg: number, transit: boolean): Promise<LoginAnswer> => loginOn(c, 0, 1, keys, csg, nsg, transit);
  let second: FuzzConnection | null = null;
  let joined = false;

  let loggedIn = false;
  try {
    const discovery = rng.chance(0.15);
    const first: KeyValue[] = [['InitiatorName', target.initiatorName], ['SessionType', discovery ? 'Discovery' : 'Normal']];
    if (!discovery) first.push(['TargetName', target.targetName]);
    const needsChap = !discovery && target.chap !== null;
    let r = await login([...first, ['AuthMethod', needsChap ? 'CHAP,None' : 'None']], LoginStage.SecurityNegotiation, LoginStage.OperationalNegotiation, true);
    if (!r || r.pdu.statusClass !== 0) return { sent: c.sent, loggedIn, mutations };
    if (needsChap && !r.pdu.transit) {
      const offer = rng.pick(['5', '7,5', '8,7,6,5', '6', '8']);
      r = await login([['CHAP_A', offer]], LoginStage.SecurityNegotiation, LoginStage.OperationalNegotiation, false);
      if (!r || r.pdu.statusClass !== 0) return { sent: c.sent, loggedIn, mutations };
      const alg = CHAP_ALGORITHMS.find((a) => String(a.code) === r!.keys.get('CHAP_A'));
      const id = Number(r.keys.get('CHAP_I'));
      const chText = r.keys.get('CHAP_C') ?? '0x00';
      const challenge = Buffer.from(chText.slice(2), 'hex');
      const answer = alg && Number.isInteger(id) ? chapResponse(alg, id, target.chap!.secret, challenge) : rng.bytes(16);
      const keys: KeyValue[] = [['CHAP_N', target.chap!.username], ['CHAP_R', rng.chance(0.5) ? `0x${answer.toString('hex')}` : `0b${answer.toString('base64')}`]];
      if (target.mutualChap && rng.chance(0.5)) keys.push(['CHAP_I', String(rng.int(256))], ['CHAP_C', `0x${rng.bytes(16).toString('hex')}`]);
      r = await login(keys, LoginStage.SecurityNegotiation, LoginStage.OperationalNegotiation, true);
      if (!r || r.pdu.statusClass !== 0) return { sent: c.sent, loggedIn, mutations };
    }
    let keys: KeyValue[] = [
      ['HeaderDigest', 'None'], ['DataDigest', 'None'], ['ImmediateData', 'Yes'], ['InitialR2T', rng.pick(['Yes', 'No'])],
      ['MaxRecvDataSegmentLength', String(rng.pick([512, 8192, 65536, 262144]))], ['MaxConnections', rng.pick(['1', '2', '4'])],
    ];
    for (let round = 0; round < 4 && !loggedIn; round++) {
      r = await login(keys, LoginStage.OperationalNegotiation, LoginStage.FullFeaturePhase, true);
      if (!r || r.pdu.statusClass !== 0) return { sent: c.sent, loggedIn, mutations };
      if (r.pdu.transit && r.pdu.nsg === LoginStage.FullFeaturePhase) loggedIn = true;
      const answered = new Set(keys.map(([k]) => k));
      keys = [...r.keys].filter(([k]) => !answered.has(k));
    }
    if (!loggedIn) return { sent: c.sent, loggedIn, mutations };
    c.discard();
    const tsih = r!.pdu.tsih;

    if (!discovery && rng.chance(0.3)) {
      // A second connection: joins the session (CID 2, 3) or reinstates CID 1.
      second = await FuzzConnection.open(target.port);
      const answer = await loginOn(second, rng.chance(0.9) ? tsih : rng.u32() & 0xffff, rng.pick([1, 2, 2, 3]), [
        ['InitiatorName', target.initiatorName], ['SessionType', 'Normal'], ['TargetName', target.targetName], ['HeaderDigest', 'None'], ['DataDigest', 'None'],
      ], LoginStage.OperationalNegotiation, LoginStage.FullFeaturePhase, true);
      if (!answer || answer.pdu.statusClass !== 0) { second.close(); second = null; }
      else { second.discard(); joined = true; }
    }

    let itt = rng.u32();
    const writes: number[] = [];
    const count = Math.max(1, Math.min(maxPdus - c.sent - (second?.sent ?? 0), 5 + rng.int(40)));
    for (let i = 0; i < count && !(c.ended && (second?.ended ?? true)); i++) {
      const conn = second && !second.ended && (c.ended || rng.chance(0.5)) ? second : c;
      const pdu = fullFeaturePdu(rng, { itt: itt++, cmdSN, expStatSN, writes, discovery });
      if (pdu.advancesCmdSN) cmdSN = (cmdSN + 1) >>> 0;
      conn.send(pdu.pdu, pdu.data, mutate);
      if (i % 8 === 7) {
        c.discard();
        second?.discard();
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    await c.closedWithin(rng.chance(0.1) ? 50 : 5);
    return { sent: c.sent + (second?.sent ?? 0), loggedIn, joined, mutations };
  } finally {
    c.close();
    second?.close();
  }
}

interface FfpState {
  readonly itt: number;
  readonly cmdSN: number;
  readonly expStatSN: number;
  readonly writes: number[];
  readonly discovery: boolean;
}

function fullFeaturePdu(rng: SeededRandom, s: FfpState): { pdu: InitiatorPdu; data: Buffer | null; advancesCmdSN: boolean } {
  const lun = rng.chance(0.9) ? 1 : rng.int(4);
  const immediate = rng.chance(0.1);
  const kinds = s.discovery ? ['nop', 'text', 'logout', 'ping-answer'] : ['nop', 'read', 'read', 'write', 'write', 'dataout', 'inquiry', 'tur', 'text', 'tmf', 'snack', 'logout', 'ping-answer'];
  const kind = rng.pick(kinds);
  const scsi = (cdb: Buffer, read: boolean, write: boolean, edtl: number, data: Buffer | null) => ({
    pdu: {
      opcode: Opcode.ScsiCommand, totalAhsLength: 0, dataSegmentLength: data ? data.length : 0, immediate, final: true, read, write,
      attribute: 1, lun, itt: s.itt, expectedDataTransferLength: edtl, cmdSN: s.cmdSN, expStatSN: s.expStatSN, cdb,
    } as InitiatorPdu,
    data,
    advancesCmdSN: !immediate,
  });
  switch (kind) {
    case 'nop': {
      const data = rng.chance(0.3) ? rng.bytes(rng.int(64)) : null;
      return {
        pdu: { opcode: Opcode.NopOut, totalAhsLength: 0, dataSegmentLength: data ? data.length : 0, immediate, lun: 0, itt: s.itt, ttt: 0xffffffff, cmdSN: s.cmdSN, expStatSN: s.expStatSN },
        data, advancesCmdSN: !immediate,
      };
    }
    case 'ping-answer':
      // A NOP-Out answering a NOP-In ping (TTT set, ITT reserved), mostly for a ping never sent.
      return {
        pdu: { opcode: Opcode.NopOut, totalAhsLength: 0, dataSegmentLength: 0, immediate: true, lun: 0, itt: 0xffffffff, ttt: rng.int(64), cmdSN: s.cmdSN, expStatSN: s.expStatSN },
        data: null, advancesCmdSN: false,
      };
    case 'read': {
      const blocks = 1 + rng.int(16);
      const cdb = Buffer.alloc(16);
      cdb[0] = 0x28; cdb.writeUInt32BE(rng.int(60000), 2); cdb.writeUInt16BE(blocks, 7);
      return scsi(cdb, true, false, blocks * 512, null);
    }
    case 'write': {
      const blocks = 1 + rng.int(8);
      const cdb = Buffer.alloc(16);
      cdb[0] = 0x2a; cdb.writeUInt32BE(rng.int(60000), 2); cdb.writeUInt16BE(blocks, 7);
      const immediateBytes = rng.pick([0, 512, blocks * 512]);
      s.writes.push(s.itt);
      return scsi(cdb, false, true, blocks * 512, immediateBytes ? Buffer.alloc(Math.min(immediateBytes, blocks * 512), 0xa5) : null);
    }
    case 'dataout': {
      const data = Buffer.alloc(512 * (1 + rng.int(4)), 0x5a);
      return {
        pdu: {
          opcode: Opcode.DataOut, totalAhsLength: 0, dataSegmentLength: data.length, final: rng.chance(0.7), lun,
          itt: s.writes.length ? rng.pick(s.writes) : rng.u32(), ttt: rng.chance(0.5) ? 0xffffffff : rng.int(16),
          expStatSN: s.expStatSN, dataSN: rng.int(4), bufferOffset: 512 * rng.int(8),
        },
        data, advancesCmdSN: false,
      };
    }
    case 'inquiry': {
      const cdb = Buffer.alloc(16);
      cdb[0] = 0x12; cdb.writeUInt16BE(255, 3);
      if (rng.chance(0.5)) { cdb[1] = 1; cdb[2] = rng.pick([0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2, 0x55]); }
      return scsi(cdb, true, false, 255, null);
    }
    case 'tur':
      return scsi(Buffer.alloc(16), false, false, 0, null);
    case 'text': {
      const data = encodeTextKeys([['SendTargets', rng.pick(['All', '', 'iqn.nope'])]]);
      return {
        pdu: { opcode: Opcode.TextRequest, totalAhsLength: 0, dataSegmentLength: data.length, immediate, final: true, continue: false, lun: 0, itt: s.itt, ttt: 0xffffffff, cmdSN: s.cmdSN, expStatSN: s.expStatSN },
        data, advancesCmdSN: !immediate,
      };
    }
    case 'tmf':
      return {
        pdu: {
          opcode: Opcode.TaskManagementRequest, totalAhsLength: 0, dataSegmentLength: 0, immediate: true, fn: 1 + rng.int(8), lun,
          itt: s.itt, referencedTaskTag: s.writes.length ? rng.pick(s.writes) : rng.u32(), cmdSN: s.cmdSN, expStatSN: s.expStatSN,
          refCmdSN: s.cmdSN, expDataSN: 0,
        },
        data: null, advancesCmdSN: false,
      };
    case 'snack':
      return {
        pdu: { opcode: Opcode.Snack, totalAhsLength: 0, dataSegmentLength: 0, type: rng.int(4), lun, itt: s.itt, ttt: 0xffffffff, expStatSN: s.expStatSN, begRun: 0, runLength: rng.int(4) },
        data: null, advancesCmdSN: false,
      };
    default:
      return {
        pdu: { opcode: Opcode.LogoutRequest, totalAhsLength: 0, dataSegmentLength: 0, immediate, reason: rng.int(3), itt: s.itt, cid: rng.pick([1, 1, 2, 3]), cmdSN: s.cmdSN, expStatSN: s.expStatSN },
        data: null, advancesCmdSN: !immediate,
      };
  }
}
