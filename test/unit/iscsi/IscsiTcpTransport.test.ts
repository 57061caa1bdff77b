/**
 * The iscsi-tcp transport over real sockets, driven by a raw initiator:
 * login outcomes, discovery, full feature phase PDUs, and hostile input that
 * must end at most its own connection while a good session keeps working.
 */
import t from 'tap';
import { createServer } from 'node:net';
import { IscsiTransportHarness, HARNESS_INITIATOR } from '../../helpers/IscsiTransportHarness.js';
import { RawIscsiInitiator } from '../../helpers/RawIscsiInitiator.js';
import { Opcode, LoginStage, RESERVED_TAG } from '../../../plugins/transport-iscsi-tcp/pdu/Opcode.js';
import { parseTextKeys, encodeTextKeys } from '../../../plugins/transport-iscsi-tcp/text/TextKeys.js';
import type { ScsiCommandPdu } from '../../../plugins/transport-iscsi-tcp/pdu/PduTypes.js';
import type { ServedTarget } from '../../../core/transport/Transport.js';
import { freePort } from '../../helpers/freePort.js';

const h = await IscsiTransportHarness.start({
  admits: (name) => name !== 'iqn.2026-11.io.example:banned',
  alias: 'test-disk',
});
t.teardown(() => h.close());

async function loggedIn(extra: Array<[string, string]> = []): Promise<RawIscsiInitiator> {
  const c = await RawIscsiInitiator.connect(h.port);
  const r = await c.login(HARNESS_INITIATOR, h.iqn, extra);
  if (r.statusClass !== 0 || !r.transit || r.nsg !== LoginStage.FullFeaturePhase) throw new Error(`login failed ${r.statusClass}/${r.statusDetail}`);
  c.cmdSN = r.expCmdSN;
  return c;
}

/** A NOP-Out ping; resolves the echoed data (null when no answer). */
async function ping(c: RawIscsiInitiator, payload = 'ping'): Promise<string | null> {
  const data = Buffer.from(payload);
  const itt = c.nextItt();
  c.send({ opcode: Opcode.NopOut, totalAhsLength: 0, dataSegmentLength: data.length, immediate: true, lun: 0, itt, ttt: RESERVED_TAG, cmdSN: c.cmdSN, expStatSN: c.expStatSN }, data);
  for (;;) {
    const f = await c.next(3000);
    if (!f) return null;
    if (f.pdu.opcode === Opcode.NopIn && f.pdu.itt === itt) return f.data.toString();
  }
}

function scsiCommand(c: RawIscsiInitiator, cdb: number[], o: Partial<ScsiCommandPdu> & { data?: Buffer } = {}): number {
  const itt = c.nextItt();
  const cdbBuf = Buffer.alloc(16);
  Buffer.from(cdb).copy(cdbBuf);
  const data = o.data ?? null;
  c.send({
    opcode: Opcode.ScsiCommand, totalAhsLength: 0, dataSegmentLength: data ? data.length : 0, immediate: false, final: true,
    read: false, write: false, attribute: 1, lun: 1, itt, expectedDataTransferLength: 0, cmdSN: c.cmdSN, expStatSN: c.expStatSN,
    cdb: cdbBuf, ...o,
  }, data);
  if (!o.immediate) c.cmdSN = (c.cmdSN + 1) >>> 0;
  return itt;
}

t.test('login: full feature phase, TSIH, declared keys, session reported', async (t) => {
  const c = await RawIscsiInitiator.connect(h.port);
  const r1 = await c.loginStep([['InitiatorName', HARNESS_INITIATOR], ['SessionType', 'Normal'], ['TargetName', h.iqn], ['AuthMethod', 'None']],
    { csg: 0, nsg: 1, transit: true });
  t.equal(r1?.pdu.statusClass, 0);
  t.equal(r1?.keys.get('AuthMethod'), 'None');
  t.equal(r1?.keys.get('TargetPortalGroupTag'), '1');
  t.equal(r1?.keys.get('TargetAlias'), 'test-disk');
  t.ok(r1?.pdu.transit);
  t.equal(r1?.pdu.tsih, 0, 'TSIH only in the final response');
  const r2 = await c.loginStep([['MaxRecvDataSegmentLength', '16384'], ['MaxBurstLength', '65536'], ['IFMarker', 'No'], ['X-com.example.Foo', 'x']], { csg: 1, nsg: 3, transit: true });
  t.equal(r2?.pdu.statusClass, 0);
  t.notOk(r2?.pdu.transit, 'no transit while our own proposals wait for answers');
  t.equal(r2?.keys.get('MaxBurstLength'), '65536');
  t.equal(r2?.keys.get('IFMarker'), 'Reject');
  t.equal(r2?.keys.get('X-com.example.Foo'), 'NotUnderstood');
  t.equal(r2?.keys.get('InitialR2T'), 'No', 'proposed: our InitialR2T differs from the default');
  t.equal(r2?.keys.get('MaxBurstLength'), '65536', 'answered, not proposed again');
  const answers = [...r2!.keys].filter(([k]) => ['InitialR2T', 'MaxOutstandingR2T', 'DefaultTime2Retain', 'FirstBurstLength'].includes(k));
  const r3 = await c.loginStep(answers, { csg: 1, nsg: 3, transit: true });
  t.ok(r3?.pdu.transit, 'transit once answered');
  t.ok(r3!.pdu.tsih > 0, 'TSIH allocated');
  t.equal(r3?.pdu.statSN, ((r1!.pdu.statSN + 2) >>> 0), 'StatSN advances through login');
  const s = h.transport.sessions().find((x) => x.initiatorName === HARNESS_INITIATOR && x.parameters['MaxBurstLength'] === '65536');
  t.ok(s, 'session listed with its parameters');
  t.equal(s?.parameters['MaxRecvDataSegmentLength'], '16384');
  t.ok(h.loggedIn.some((x) => x.id === s?.id), 'sessionLoggedIn called');
  c.close();
});

t.test('login failures carry the RFC status and end the connection', async (t) => {
  const cases: Array<[string, Array<[string, string]>, number, { versionMin?: number }?]> = [
    ['unknown target', [['InitiatorName', HARNESS_INITIATOR], ['TargetName', 'iqn.2026-11.io.example:nope']], 0x0203],
    ['initiator not bound', [['InitiatorName', 'iqn.2026-11.io.example:banned'], ['TargetName', h.iqn]], 0x0202],
    ['no InitiatorName', [['TargetName', h.iqn]], 0x0207],
    ['no TargetName in a Normal session', [['InitiatorName', HARNESS_INITIATOR]], 0x0207],
    ['bad SessionType', [['InitiatorName', HARNESS_INITIATOR], ['SessionType', 'Weird']], 0x0200],
    ['AuthMethod without None', [['InitiatorName', HARNESS_INITIATOR], ['TargetName', h.iqn], ['AuthMethod', 'KRB5']], 0x0201],
  ];
  for (const [name, keys, status] of cases) {
    const c = await RawIscsiInitiator.connect(h.port);
    const r = await c.loginStep(keys, { csg: 0, nsg: 1, transit: true });
    t.equal(r ? (r.pdu.statusClass << 8) | r.pdu.statusDetail : -1, status, `${name}: 0x${status.toString(16).padStart(4, '0')}`);
    t.ok(await c.closedWithin(3000), `${name}: connection closed`);
  }
  // An iSCSI version we do not speak.
  const c = await RawIscsiInitiator.connect(h.port);
  const data = encodeTextKeys([['InitiatorName', HARNESS_INITIATOR], ['TargetName', h.iqn]]);
  c.send({ opcode: Opcode.LoginRequest, totalAhsLength: 0, dataSegmentLength: data.length, transit: true, continue: false, csg: 0, nsg: 1, versionMax: 5, versionMin: 2, isid: '400001370000', tsih: 0, itt: 1, cid: 1, cmdSN: 1, expStatSN: 0 }, data);
  const f = await c.next();
  t.equal(f?.pdu.opcode === Opcode.LoginResponse ? (f.pdu.statusClass << 8) | f.pdu.statusDetail : -1, 0x0205, 'unsupported version');
  c.close();
});

t.test('discovery: SendTargets=All lists admitted targets with their portals, continued when long', async (t) => {
  const extra: ServedTarget[] = [];
  for (let i = 0; i < 40; i++) {
    extra.push({ ...h.served, name: `iqn.2026-11.io.lunhost.test:extra-${String(i).padStart(2, '0')}-${'x'.repeat(40)}`, admits: () => true });
  }
  extra.push({ ...h.served, name: 'iqn.2026-11.io.lunhost.test:hidden', admits: () => false });
  await h.transport.configure([h.portal], [h.served, ...extra]);
  t.teardown(() => h.transport.configure([h.portal], [h.served]));
  const c = await RawIscsiInitiator.connect(h.port);
  const r = await c.login(HARNESS_INITIATOR, null, [['MaxRecvDataSegmentLength', '512']]);
  t.equal(r.statusClass, 0);
  c.cmdSN = r.expCmdSN;
  const req = encodeTextKeys([['SendTargets', 'All']]);
  const itt = c.nextItt();
  c.send({ opcode: Opcode.TextRequest, totalAhsLength: 0, dataSegmentLength: req.length, immediate: false, final: true, continue: false, lun: 0, itt, ttt: RESERVED_TAG, cmdSN: c.cmdSN, expStatSN: c.expStatSN }, req);
  c.cmdSN++;
  const parts: Buffer[] = [];
  let pieces = 0;
  for (;;) {
    const f = await c.next();
    if (!f || f.pdu.opcode !== Opcode.TextResponse) { t.fail('text response expected'); break; }
    t.ok(f.data.length <= 512, 'each part fits the declared MaxRecvDataSegmentLength');
    parts.push(f.data);
    pieces++;
    if (f.pdu.final) { t.equal(f.pdu.ttt, RESERVED_TAG); break; }
    t.ok(f.pdu.continue, 'C bit on a partial response');
    c.send({ opcode: Opcode.TextRequest, totalAhsLength: 0, dataSegmentLength: 0, immediate: false, final: true, continue: false, lun: 0, itt, ttt: f.pdu.ttt, cmdSN: c.cmdSN, expStatSN: c.expStatSN });
    c.cmdSN++;
  }
  t.ok(pieces > 1, 'took several PDUs');
  const pairs = parseTextKeys(Buffer.concat(parts)).pairs;
  const names = pairs.filter(([k]) => k === 'TargetName').map(([, v]) => v);
  t.equal(names.length, 41);
  t.notOk(names.includes('iqn.2026-11.io.lunhost.test:hidden'), 'a target that does not admit the initiator is not listed');
  t.equal(pairs[1]?.[0], 'TargetAddress');
  t.equal(pairs[1]?.[1], `127.0.0.1:${h.port},1`);
  // SCSI commands make no sense in a Discovery session.
  scsiCommand(c, [0x00]);
  const rej = await c.next();
  t.equal(rej?.pdu.opcode, Opcode.Reject);
  c.close();
});

t.test('full feature phase: ping, INQUIRY with phase collapse and residual, write through R2T', async (t) => {
  const c = await loggedIn([['InitialR2T', 'Yes'], ['ImmediateData', 'No'], ['MaxRecvDataSegmentLength', '4096'], ['MaxBurstLength', '8192']]);
  t.equal(await ping(c, 'hello'), 'hello');
  // INQUIRY asking 96 bytes with EDTL 200: underflow, status in the last Data-In.
  const itt = scsiCommand(c, [0x12, 0, 0, 0, 96, 0], { read: true, expectedDataTransferLength: 200 });
  const d = await c.next();
  t.equal(d?.pdu.opcode, Opcode.DataIn);
  if (d?.pdu.opcode === Opcode.DataIn) {
    t.equal(d.pdu.itt, itt);
    t.ok(d.pdu.hasStatus && d.pdu.final, 'S and F bits');
    t.ok(d.pdu.underflow);
    t.equal(d.pdu.residualCount, 200 - d.data.length);
    t.equal(d.data[0], 0x00, 'direct access device');
  }
  // Clear the power-on unit attention.
  scsiCommand(c, [0x00]);
  await c.next();
  // WRITE(10) of 16 KiB at LBA 8: InitialR2T=Yes, ImmediateData=No, MaxBurstLength 8192 → two R2Ts.
  const payload = Buffer.alloc(16384);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
  const witt = scsiCommand(c, [0x2a, 0, 0, 0, 0, 8, 0, 0, 32, 0], { write: true, expectedDataTransferLength: payload.length });
  let got = 0;
  let response = null;
  while (!response) {
    const f = await c.next();
    if (!f) break;
    if (f.pdu.opcode === Opcode.ReadyToTransfer) {
      t.ok(f.pdu.desiredDataTransferLength <= 8192, 'R2T within MaxBurstLength');
      for (let off = 0, sn = 0; off < f.pdu.desiredDataTransferLength; off += 4096, sn++) {
        const len = Math.min(4096, f.pdu.desiredDataTransferLength - off);
        const at = f.pdu.bufferOffset + off;
        c.send({ opcode: Opcode.DataOut, totalAhsLength: 0, dataSegmentLength: len, final: off + len === f.pdu.desiredDataTransferLength, lun: 1, itt: witt, ttt: f.pdu.ttt, expStatSN: c.expStatSN, dataSN: sn, bufferOffset: at }, payload.subarray(at, at + len));
        got += len;
      }
    } else if (f.pdu.opcode === Opcode.ScsiResponse) {
      response = f.pdu;
    }
  }
  t.equal(got, 16384);
  t.equal(response?.status, 0, 'GOOD');
  t.same(h.stores.get(1)!.data.subarray(8 * 512, 8 * 512 + 16384), payload, 'data landed on the LUN');
  c.close();
});

t.test('hostile input ends only its own connection', async (t) => {
  const good = await loggedIn();
  t.equal(await ping(good), 'ping');

  // Garbage instead of a login.
  const g = await RawIscsiInitiator.connect(h.port);
  g.writeRaw(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.padEnd(96, 'z')));
  t.ok(await g.closedWithin(3000), 'garbage: closed');

  // Unknown opcode in full feature phase: Reject 0x05, connection goes on.
  const u = await loggedIn();
  const bhs = Buffer.alloc(48);
  bhs[0] = 0x1e; bhs[1] = 0x80;
  u.writeRaw(bhs);
  const rej = await u.next();
  t.equal(rej?.pdu.opcode, Opcode.Reject);
  if (rej?.pdu.opcode === Opcode.Reject) t.equal(rej.pdu.reason, 0x05, 'command not supported');
  t.same(rej?.data.subarray(0, 48), bhs, 'the rejected header comes back');
  t.equal(await ping(u), 'ping', 'still usable');

  // Data-Out for a task that does not exist: Reject, connection goes on.
  u.send({ opcode: Opcode.DataOut, totalAhsLength: 0, dataSegmentLength: 512, final: true, lun: 1, itt: 0xdead, ttt: 77, expStatSN: u.expStatSN, dataSN: 0, bufferOffset: 0 }, Buffer.alloc(512));
  const rej2 = await u.next();
  t.equal(rej2?.pdu.opcode === Opcode.Reject ? rej2.pdu.reason : -1, 0x09, 'invalid PDU field');
  t.equal(await ping(u), 'ping');

  // Login in full feature phase, SNACK at ERL 0: rejected.
  u.send({ opcode: Opcode.LoginRequest, totalAhsLength: 0, dataSegmentLength: 0, transit: false, continue: false, csg: 0, nsg: 0, versionMax: 0, versionMin: 0, isid: '400001370000', tsih: 0, itt: 1, cid: 1, cmdSN: u.cmdSN, expStatSN: 0 });
  const rej3 = await u.next();
  t.equal(rej3?.pdu.opcode === Opcode.Reject ? rej3.pdu.reason : -1, 0x04, 'login in FFP: protocol error');
  u.send({ opcode: Opcode.Snack, totalAhsLength: 0, dataSegmentLength: 0, type: 1, lun: 0, itt: RESERVED_TAG, ttt: 0, expStatSN: u.expStatSN, begRun: 0, runLength: 0 });
  const rej4 = await u.next();
  t.equal(rej4?.pdu.opcode === Opcode.Reject ? rej4.pdu.reason : -1, 0x03, 'SNACK reject');

  // A command far outside the CmdSN window is ignored (no answer), the session goes on.
  scsiCommand(u, [0x00], { cmdSN: (u.cmdSN + 100000) >>> 0 });
  u.cmdSN--; // that one took no CmdSN
  t.equal(await ping(u), 'ping', 'nothing came back for it, pings still answered');

  // Oversize data segment: Reject then close.
  const o = await loggedIn();
  const big = Buffer.alloc(300000);
  o.send({ opcode: Opcode.NopOut, totalAhsLength: 0, dataSegmentLength: big.length, immediate: true, lun: 0, itt: 5, ttt: RESERVED_TAG, cmdSN: o.cmdSN, expStatSN: o.expStatSN }, big);
  const rej5 = await o.next();
  t.equal(rej5?.pdu.opcode, Opcode.Reject, 'oversize: rejected');
  t.ok(await o.closedWithin(3000), 'oversize: closed');

  // Disconnect in the middle of a PDU.
  const m = await loggedIn();
  const half = Buffer.alloc(30);
  half[0] = 0x01;
  m.writeRaw(half);
  m.close();

  // Data-Out out of sequence (bad DataSN): Reject, the task ends, the connection goes on.
  const d = await loggedIn([['InitialR2T', 'Yes'], ['ImmediateData', 'No']]);
  const itt = scsiCommand(d, [0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0], { write: true, expectedDataTransferLength: 512 });
  const r2t = await d.next();
  if (r2t?.pdu.opcode === Opcode.ReadyToTransfer) {
    d.send({ opcode: Opcode.DataOut, totalAhsLength: 0, dataSegmentLength: 512, final: true, lun: 1, itt, ttt: r2t.pdu.ttt, expStatSN: 0, dataSN: 5, bufferOffset: 0 }, Buffer.alloc(512));
  } else {
    t.fail('R2T expected');
  }
  const rej6 = await d.next();
  t.equal(rej6?.pdu.opcode === Opcode.Reject ? rej6.pdu.reason : -1, 0x04, 'bad DataSN: protocol error');
  t.equal(await ping(d), 'ping', 'bad DataSN: the connection goes on');
  d.close();

  t.equal(await ping(good), 'ping', 'the good session never noticed');
  good.close();
});

t.test('logout, dropSessions and the async logout request', async (t) => {
  const c = await loggedIn();
  const before = h.loggedOut.length;
  c.send({ opcode: Opcode.LogoutRequest, totalAhsLength: 0, dataSegmentLength: 0, immediate: true, reason: 0, itt: 77, cid: 1, cmdSN: c.cmdSN, expStatSN: c.expStatSN });
  const f = await c.next();
  t.equal(f?.pdu.opcode, Opcode.LogoutResponse);
  if (f?.pdu.opcode === Opcode.LogoutResponse) t.equal(f.pdu.response, 0);
  t.ok(await c.closedWithin(3000));
  await new Promise((r) => setTimeout(r, 50));
  t.equal(h.loggedOut.length, before + 1, 'sessionLoggedOut called');

  const r = await loggedIn();
  r.send({ opcode: Opcode.LogoutRequest, totalAhsLength: 0, dataSegmentLength: 0, immediate: true, reason: 2, itt: 78, cid: 1, cmdSN: r.cmdSN, expStatSN: r.expStatSN });
  const f2 = await r.next();
  t.equal(f2?.pdu.opcode === Opcode.LogoutResponse ? f2.pdu.response : -1, 2, 'connection recovery not supported at ERL 0');

  const drop = h.transport.dropSessions(h.iqn, (s) => s.remoteAddress === '127.0.0.1');
  const a = await r.next();
  t.equal(a?.pdu.opcode, Opcode.AsyncMessage);
  if (a?.pdu.opcode === Opcode.AsyncMessage) t.equal(a.pdu.asyncEvent, 1, 'logout requested');
  await drop;
  t.ok(await r.closedWithin(3000), 'dropped after the grace period');
  t.equal(h.transport.sessions().filter((s) => s.targetName === h.iqn).length, 0);
});

t.test('header and data digests (CRC32C) both ways', async (t) => {
  const c = await RawIscsiInitiator.connect(h.port);
  const r = await c.login(HARNESS_INITIATOR, h.iqn, [['HeaderDigest', 'CRC32C,None'], ['DataDigest', 'CRC32C,None']], { skipSecurity: true });
  t.equal(r.statusClass, 0);
  t.equal(c.loginKeys.get('HeaderDigest'), 'CRC32C');
  t.equal(c.loginKeys.get('DataDigest'), 'CRC32C');
  c.cmdSN = r.expCmdSN;
  c.useDigests({ headerDigest: true, dataDigest: true });
  t.equal(await ping(c, 'digest'), 'digest');
  c.close();
});

t.test('configure: a portal that cannot bind is named, the others stay served', async (t) => {
  const blocker = createServer();
  const busyPort = await freePort();
  await new Promise<void>((r) => blocker.listen(busyPort, '127.0.0.1', () => r()));
  t.teardown(() => blocker.close());
  const second = { ...h.portal, name: 'busy', port: busyPort, portalGroupTag: 2 };
  let err: Error | null = null;
  try {
    await h.transport.configure([h.portal, second], [h.served]);
  } catch (e) { err = e as Error; }
  t.equal(err?.message, `portal 127.0.0.1:${busyPort} (busy): address already in use`);
  const c = await loggedIn();
  t.equal(await ping(c), 'ping', 'the default portal still serves');
  c.close();
  await h.transport.configure([h.portal], [h.served]);
});

t.test('close(): logout requested, then everything is dropped', async (t) => {
  const other = await IscsiTransportHarness.start();
  const c = await RawIscsiInitiator.connect(other.port);
  const r = await c.login(HARNESS_INITIATOR, other.iqn);
  t.equal(r.statusClass, 0);
  const closing = other.close();
  const a = await c.next();
  t.equal(a?.pdu.opcode, Opcode.AsyncMessage);
  await closing;
  t.ok(await c.closedWithin(3000));
  t.equal(other.loggedOut.length, 1);
});

t.test('session reinstatement: the same initiator port replaces its old session', async (t) => {
  const a = await RawIscsiInitiator.connect(h.port);
  const r1 = await a.loginStep([['InitiatorName', HARNESS_INITIATOR], ['TargetName', h.iqn]], { csg: 1, nsg: 3, transit: true, isid: '40000137aaaa' });
  const keys = [...r1!.keys].filter(([k]) => ['InitialR2T', 'MaxBurstLength', 'MaxOutstandingR2T', 'DefaultTime2Retain', 'FirstBurstLength'].includes(k));
  const r1b = await a.loginStep(keys, { csg: 1, nsg: 3, transit: true, isid: '40000137aaaa' });
  t.ok(r1b?.pdu.transit);
  const b = await RawIscsiInitiator.connect(h.port);
  const r2 = await b.loginStep([['InitiatorName', HARNESS_INITIATOR], ['TargetName', h.iqn], ...keys], { csg: 1, nsg: 3, transit: true, isid: '40000137aaaa' });
  t.ok(r2?.pdu.transit);
  t.ok(await a.closedWithin(3000), 'the old session is closed');
  t.equal(h.transport.sessions().filter((s) => s.id.includes('0x40000137aaaa')).length, 1);
  // A connection that names a TSIH we never gave out.
  const c = await RawIscsiInitiator.connect(h.port);
  const r3 = await c.loginStep([['InitiatorName', HARNESS_INITIATOR], ['TargetName', h.iqn], ...keys], { csg: 1, nsg: 3, transit: true, isid: '40000137bbbb', tsih: 0x7777 });
  t.equal(r3 ? (r3.pdu.statusClass << 8) | r3.pdu.statusDetail : -1, 0x020a, 'session does not exist');
  b.close();
  c.close();
});

t.test('configure swaps targets in place; a removed target loses its sessions', async (t) => {
  const c = await loggedIn();
  const replaced: ServedTarget = { ...h.served, alias: 'renamed' };
  await h.transport.configure([h.portal], [replaced]);
  t.equal(await ping(c), 'ping', 'session of an unchanged target untouched');
  const itt = scsiCommand(c, [0x12, 0, 0, 0, 36, 0], { read: true, expectedDataTransferLength: 36 });
  const d = await c.next();
  t.equal(d?.pdu.opcode === Opcode.DataIn ? d.pdu.itt : -1, itt, 'commands still served');
  await h.transport.configure([h.portal], []);
  t.ok(await c.closedWithin(3000), 'removed target: session dropped');
  await h.transport.configure([h.portal], [h.served]);
  c.close();
});

t.test('many commands in flight on one connection, answered by tag', async (t) => {
  const c = await loggedIn();
  scsiCommand(c, [0x00]);
  await c.next(); // power-on unit attention
  const store = h.stores.get(1)!;
  for (let lba = 0; lba < 64; lba++) store.data.fill(lba, lba * 512, lba * 512 + 512);
  const tags = new Map<number, number>();
  for (let lba = 0; lba < 64; lba++) {
    tags.set(scsiCommand(c, [0x28, 0, 0, 0, 0, lba, 0, 0, 1, 0], { read: true, expectedDataTransferLength: 512 }), lba);
  }
  let ok = 0;
  for (let i = 0; i < 64; i++) {
    const f = await c.next();
    if (f?.pdu.opcode !== Opcode.DataIn) break;
    const lba = tags.get(f.pdu.itt);
    if (lba !== undefined && f.pdu.hasStatus && f.data.length === 512 && f.data.every((b) => b === lba)) ok++;
  }
  t.equal(ok, 64, 'each READ got its own block back');
  c.close();
});

t.test('Data-In: PDUs within the initiator MaxRecvDataSegmentLength, sequences within MaxBurstLength', async (t) => {
  const c = await loggedIn([['MaxRecvDataSegmentLength', '3000'], ['MaxBurstLength', '8192']]);
  scsiCommand(c, [0x00]);
  await c.next(); // power-on unit attention
  const store = h.stores.get(1)!;
  for (let i = 0; i < 20480; i++) store.data[4096 + i] = (i * 13) & 0xff;
  const itt = scsiCommand(c, [0x28, 0, 0, 0, 0, 8, 0, 0, 40, 0], { read: true, expectedDataTransferLength: 20480 });
  const got: Buffer[] = [];
  let offset = 0;
  let dataSN = 0;
  let sequence = 0;
  let ok = true;
  for (;;) {
    const f = await c.next();
    if (f?.pdu.opcode !== Opcode.DataIn || f.pdu.itt !== itt) { t.fail('Data-In expected'); break; }
    if (f.data.length > 3000 || f.pdu.bufferOffset !== offset || f.pdu.dataSN !== dataSN) ok = false;
    offset += f.data.length;
    dataSN++;
    sequence += f.data.length;
    if (sequence > 8192) ok = false;
    if (f.pdu.final) sequence = 0;
    got.push(f.data);
    if (f.pdu.hasStatus) break;
  }
  t.ok(ok, 'sizes, offsets, DataSN and burst lengths as negotiated');
  t.same(Buffer.concat(got), store.data.subarray(4096, 4096 + 20480), 'the data');
  c.close();
});
