/**
 * Malformed and out-of-order input, one case per subtest. RFC 7143 7.x/11.17:
 * what can be answered gets a Reject and the connection goes on; what breaks
 * framing or the login ends that connection only. After every case a good
 * session, logged in beside the hostile one, still answers.
 * (Half-open and slowloris connections: session/LivenessAndLimits.test.ts.)
 */
import t from 'tap';
import type { Test } from 'tap';
import { IscsiTransportHarness } from '../../../helpers/IscsiTransportHarness.js';
import { RawIscsiInitiator } from '../../../helpers/RawIscsiInitiator.js';
import { Opcode, LoginStage, RESERVED_TAG } from '../../../../plugins/transport-iscsi-tcp/pdu/Opcode.js';
import { framePdu } from '../../../../plugins/transport-iscsi-tcp/pdu/PduFrame.js';
import { encodeTextKeys } from '../../../../plugins/transport-iscsi-tcp/text/TextKeys.js';
import { HARNESS_INITIATOR } from '../../../helpers/IscsiTransportHarness.js';
import { clearUnitAttention, loginConnection, nextOf, ping, read10, scsiCommand, taskResult } from '../../../helpers/rawSession.js';

const h = await IscsiTransportHarness.start({ portalOptions: { maxCommandsInFlight: 8 } });
t.teardown(() => h.close());
const good = (await loginConnection(h.port, h.iqn)).conn;
await clearUnitAttention(good);
t.teardown(() => good.close());

async function hostile(): Promise<RawIscsiInitiator> {
  const r = await loginConnection(h.port, h.iqn);
  if (r.response.statusClass !== 0) throw new Error('login failed');
  return r.conn;
}

async function rejectReason(c: RawIscsiInitiator): Promise<number> {
  const f = await nextOf(c, Opcode.Reject);
  return f?.pdu.opcode === Opcode.Reject ? f.pdu.reason : -1;
}

/** The good session still reads its data. */
async function goodStillServed(t: Test): Promise<void> {
  t.equal(await ping(good), 'ping', 'the good session answers pings');
  const r = await taskResult(good, read10(good, 0, 1));
  t.equal(r?.status, 0, 'and reads');
}

/** A BHS with the given opcode byte and lengths (for what the codec will not encode). */
function rawBhs(byte0: number, o: { ahsWords?: number; dataLength?: number; byte1?: number } = {}): Buffer {
  const b = Buffer.alloc(48);
  b[0] = byte0;
  b[1] = o.byte1 ?? 0x80;
  b[4] = o.ahsWords ?? 0;
  b.writeUIntBE(o.dataLength ?? 0, 5, 3);
  b.writeUInt32BE(0x7777, 16);
  return b;
}

t.test('unknown and target-only opcodes: Reject (command not supported), connection goes on', async (t) => {
  const c = await hostile();
  for (const op of [0x0f, 0x1c, 0x1e, 0x21, 0x3f]) {
    c.writeRaw(rawBhs(0x40 | op));
    t.equal(await rejectReason(c), 0x05, `opcode 0x${op.toString(16)}`);
  }
  t.equal(await ping(c), 'ping', 'still usable');
  await goodStillServed(t);
  c.close();
});

t.test('a data segment beyond MaxRecvDataSegmentLength: Reject, then that connection closes', async (t) => {
  const c = await hostile();
  // Only the header: the length alone is the violation (no need to send 16 MiB).
  c.writeRaw(rawBhs(0x40, { dataLength: 0xffffff }));
  t.equal(await rejectReason(c), 0x04, 'protocol error');
  t.ok(await c.closedWithin(3000), 'closed');
  await goodStillServed(t);
});

t.test('oversized login PDU (beyond the 8192 bytes of the login phase) ends that connection', async (t) => {
  const c = await RawIscsiInitiator.connect(h.port);
  c.writeRaw(rawBhs(0x43, { dataLength: 65536, byte1: 0x87 }));
  t.ok(await c.closedWithin(3000), 'closed');
  await goodStillServed(t);
});

t.test('bad AHS: a CDB AHS whose length runs past the header ends that connection', async (t) => {
  const c = await hostile();
  const cdb = Buffer.alloc(16);
  cdb[0] = 0x00;
  const bhs = Buffer.concat(framePdu({
    opcode: Opcode.ScsiCommand, totalAhsLength: 0, dataSegmentLength: 0, immediate: false, final: true, read: false, write: false,
    attribute: 1, lun: 1, itt: 0x4001, expectedDataTransferLength: 0, cmdSN: c.cmdSN, expStatSN: c.expStatSN, cdb,
  }, null, { headerDigest: false, dataDigest: false }));
  bhs[4] = 1; // one AHS word follows
  const ahs = Buffer.from([0x00, 0x40, 0x01, 0x00]); // says 64 bytes, has 0
  c.writeRaw(Buffer.concat([bhs, ahs]));
  t.ok(await c.closedWithin(3000), 'closed');
  await goodStillServed(t);
});

t.test('an AHS of unknown type is skipped; the command runs', async (t) => {
  const c = await hostile();
  await clearUnitAttention(c);
  const bhs = Buffer.concat(framePdu({
    opcode: Opcode.ScsiCommand, totalAhsLength: 0, dataSegmentLength: 0, immediate: false, final: true, read: false, write: false,
    attribute: 1, lun: 1, itt: 0x4002, expectedDataTransferLength: 0, cmdSN: c.cmdSN, expStatSN: c.expStatSN, cdb: Buffer.alloc(16),
  }, null, { headerDigest: false, dataDigest: false }));
  bhs[4] = 2;
  c.writeRaw(Buffer.concat([bhs, Buffer.from([0x00, 0x05, 0x3e, 0, 1, 2, 3, 4])]));
  c.cmdSN++;
  t.equal((await taskResult(c, 0x4002))?.status, 0, 'TEST UNIT READY with a stray AHS: GOOD');
  c.close();
  await goodStillServed(t);
});

t.test('CmdSN outside the window is ignored; a duplicate ITT is rejected', async (t) => {
  const c = await hostile();
  await clearUnitAttention(c);
  scsiCommand(c, [0x00], { cmdSN: (c.cmdSN + 1000) >>> 0 });
  scsiCommand(c, [0x00], { cmdSN: (c.cmdSN - 5) >>> 0 });
  t.equal(await ping(c), 'ping', 'nothing came back for them; pings still answered');
  // Two commands with one ITT: the second is a task in progress.
  const itt = c.nextItt();
  c.send({ opcode: Opcode.ScsiCommand, totalAhsLength: 0, dataSegmentLength: 0, immediate: false, final: true, read: false, write: true,
    attribute: 1, lun: 1, itt, expectedDataTransferLength: 512, cmdSN: c.cmdSN, expStatSN: c.expStatSN, cdb: Buffer.from([0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]) });
  c.send({ opcode: Opcode.ScsiCommand, totalAhsLength: 0, dataSegmentLength: 0, immediate: false, final: true, read: false, write: false,
    attribute: 1, lun: 1, itt, expectedDataTransferLength: 0, cmdSN: (c.cmdSN + 1) >>> 0, expStatSN: c.expStatSN, cdb: Buffer.alloc(16) });
  c.cmdSN += 2;
  t.equal(await rejectReason(c), 0x07, 'task in progress');
  c.close();
  await goodStillServed(t);
});

t.test('immediate commands beyond the session limit: Reject (immediate command reject)', async (t) => {
  const c = await hostile();
  await clearUnitAttention(c);
  // Eight writes waiting for Data-Out hold the window (maxCommandsInFlight 8).
  for (let i = 0; i < 8; i++) {
    scsiCommand(c, [0x2a, 0, 0, 0, 0, i, 0, 0, 1, 0], { write: true, expectedDataTransferLength: 512, immediate: true });
  }
  scsiCommand(c, [0x00], { immediate: true });
  t.equal(await rejectReason(c), 0x06, 'the ninth is rejected');
  c.close();
  await goodStillServed(t);
});

t.test('Data-Out for an unknown ITT and a Login in full feature phase: Reject, connection goes on', async (t) => {
  const c = await hostile();
  c.send({ opcode: Opcode.DataOut, totalAhsLength: 0, dataSegmentLength: 512, final: true, lun: 1, itt: 0xbad, ttt: 9, expStatSN: c.expStatSN, dataSN: 0, bufferOffset: 0 }, Buffer.alloc(512));
  t.equal(await rejectReason(c), 0x09, 'unknown ITT: invalid PDU field');
  c.send({ opcode: Opcode.LoginRequest, totalAhsLength: 0, dataSegmentLength: 0, transit: true, continue: false, csg: 1, nsg: 3, versionMax: 0, versionMin: 0, isid: c.isid, tsih: 0, itt: 3, cid: 1, cmdSN: c.cmdSN, expStatSN: c.expStatSN });
  t.equal(await rejectReason(c), 0x04, 'login in full feature phase: protocol error');
  t.equal(await ping(c), 'ping');
  c.close();
  await goodStillServed(t);
});

t.test('text negotiation loops are bounded', async (t) => {
  // Continued (C bit) Text Requests that never end, even empty ones.
  const c = await hostile();
  let answered = 0;
  for (let i = 0; i < 100 && !c.ended; i++) {
    c.send({ opcode: Opcode.TextRequest, totalAhsLength: 0, dataSegmentLength: 0, immediate: true, final: false, continue: true, lun: 0, itt: 0x600 + i, ttt: RESERVED_TAG, cmdSN: c.cmdSN, expStatSN: c.expStatSN });
    if (await nextOf(c, Opcode.TextResponse, 1000)) answered++;
  }
  t.ok(await c.closedWithin(3000), `endless continued text: closed after ${answered} pieces`);
  t.ok(answered < 100);

  // A login that keeps negotiating (T never set) is refused after a bounded number of rounds.
  const l = await RawIscsiInitiator.connect(h.port);
  let status = -1;
  for (let i = 0; i < 100; i++) {
    const keys = i === 0 ? [['InitiatorName', HARNESS_INITIATOR], ['TargetName', h.iqn]] as Array<[string, string]> : [[`X-loop-${i}`, 'x']] as Array<[string, string]>;
    const r = await l.loginStep(keys, { csg: LoginStage.OperationalNegotiation, nsg: LoginStage.FullFeaturePhase, transit: false });
    if (!r) break;
    if (r.pdu.statusClass !== 0) { status = (r.pdu.statusClass << 8) | r.pdu.statusDetail; break; }
  }
  t.equal(status, 0x0200, 'login loop: initiator error');
  t.ok(await l.closedWithin(3000), 'and closed');

  // SendTargets answers never fetched are not hoarded: keys of one answer stay bounded (checked by the session going on).
  const d = await hostile();
  for (let i = 0; i < 20; i++) {
    const data = encodeTextKeys([['SendTargets', '']]);
    d.send({ opcode: Opcode.TextRequest, totalAhsLength: 0, dataSegmentLength: data.length, immediate: true, final: true, continue: false, lun: 0, itt: 0x700 + i, ttt: RESERVED_TAG, cmdSN: d.cmdSN, expStatSN: d.expStatSN }, data);
    await nextOf(d, Opcode.TextResponse, 1000);
  }
  t.equal(await ping(d), 'ping', 'repeated complete text requests are each answered, nothing else happens');
  d.close();
  await goodStillServed(t);
});

t.test('a header cut off by a disconnect, and garbage instead of a login, end only their connection', async (t) => {
  const m = await hostile();
  m.writeRaw(rawBhs(0x01).subarray(0, 30));
  m.close();
  const g = await RawIscsiInitiator.connect(h.port);
  g.writeRaw(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.padEnd(96, 'z')));
  t.ok(await g.closedWithin(3000), 'garbage: closed');
  await goodStillServed(t);
  t.equal(h.log.at('error').length, 0, 'no internal errors logged');
});
