/**
 * Multiple connections per session (RFC 7143 MC/S) with the raw initiator:
 * joining by TSIH + CID, one CmdSN window across connections, connection
 * allegiance of R2T/Data-Out/responses, MaxConnections, connection
 * reinstatement, and Logout reasons 0/1/2 on one connection or another.
 */
import t from 'tap';
import { IscsiTransportHarness } from '../../../helpers/IscsiTransportHarness.js';
import { Opcode } from '../../../../plugins/transport-iscsi-tcp/pdu/Opcode.js';
import { clearUnitAttention, loginConnection, logout, nextOf, ping, read10, taskResult, taskStatuses, write10, scsiCommand } from '../../../helpers/rawSession.js';

const h = await IscsiTransportHarness.start({ targetOptions: { MaxConnections: 4, QueueDepth: 4 } });
t.teardown(() => h.close());

t.test('the default stays one connection per session', async (t) => {
  const plain = await IscsiTransportHarness.start();
  t.teardown(() => plain.close());
  const a = await loginConnection(plain.port, plain.iqn, { extra: [['MaxConnections', '8']] });
  t.equal(a.keys.get('MaxConnections'), '1', 'MaxConnections negotiated down to 1');
  const b = await loginConnection(plain.port, plain.iqn, { isid: a.conn.isid, tsih: a.response.tsih, cid: 2 });
  t.equal((b.response.statusClass << 8) | b.response.statusDetail, 0x0206, 'a second connection: too many connections');
  t.equal(await ping(a.conn), 'ping', 'the session is untouched');
  a.conn.close();
  b.conn.close();
});

t.test('connections join a session and share its CmdSN window', async (t) => {
  const a = await loginConnection(h.port, h.iqn, { extra: [['MaxConnections', '2']] });
  t.equal(a.response.statusClass, 0);
  t.equal(a.keys.get('MaxConnections'), '2', 'min(2, 4)');
  const tsih = a.response.tsih;
  t.not(tsih, 0);

  // A non-leading login may not renegotiate leading-only keys.
  const b = await loginConnection(h.port, h.iqn, { isid: a.conn.isid, tsih, cid: 2, extra: [['InitialR2T', 'Yes']] });
  t.equal(b.response.statusClass, 0, 'second connection logged in');
  t.equal(b.response.tsih, tsih, 'same TSIH');
  t.equal(b.keys.get('InitialR2T'), 'Reject', 'leading-only key rejected in a non-leading login');
  t.equal(b.response.expCmdSN, a.conn.cmdSN, 'the window is the session\'s');
  const mine = h.transport.sessions().filter((s) => s.id.endsWith(`|${tsih}`));
  t.equal(mine.length, 1, 'one session');
  t.equal(mine[0]?.connections, 2, 'with two connections');

  // A third connection is beyond MaxConnections=2.
  const c = await loginConnection(h.port, h.iqn, { isid: a.conn.isid, tsih, cid: 3 });
  t.equal((c.response.statusClass << 8) | c.response.statusDetail, 0x0206, 'too many connections');
  c.conn.close();
  // A wrong ISID for that TSIH does not join.
  const d = await loginConnection(h.port, h.iqn, { isid: '400001370dd0', tsih, cid: 3 });
  t.equal((d.response.statusClass << 8) | d.response.statusDetail, 0x020a, 'session does not exist for that initiator port');
  d.conn.close();

  await clearUnitAttention(a.conn);
  b.conn.cmdSN = a.conn.cmdSN;
  const n = a.conn.cmdSN;

  // CmdSN n+1 on B waits until CmdSN n arrives on A.
  const pattern = Buffer.alloc(4096, 0x5c);
  const readItt = read10(b.conn, 8, 8, { cmdSN: (n + 1) >>> 0 });
  t.equal(await b.conn.next(300), null, 'held: its CmdSN is not next');
  const writeItt = write10(a.conn, 8, pattern, { cmdSN: n });
  const w = await taskResult(a.conn, writeItt);
  t.equal(w?.status, 0, 'write (CmdSN n) on A');
  const r = await taskResult(b.conn, readItt);
  t.equal(r?.status, 0, 'read (CmdSN n+1) on B, answered on B');
  t.same(r?.data, pattern, 'and it saw the write made through A first');
  a.conn.cmdSN = b.conn.cmdSN = (n + 2) >>> 0;

  // Allegiance: the R2T of a write on A is answered on A only.
  const itt = write10(a.conn, 16, Buffer.alloc(0), { expectedDataTransferLength: 512, cmdSN: a.conn.cmdSN });
  a.conn.cmdSN = b.conn.cmdSN = (a.conn.cmdSN + 1) >>> 0;
  const r2t = await nextOf(a.conn, Opcode.ReadyToTransfer);
  t.ok(r2t, 'R2T on the connection of the command');
  const ttt = r2t?.pdu.opcode === Opcode.ReadyToTransfer ? r2t.pdu.ttt : 0;
  b.conn.send({ opcode: Opcode.DataOut, totalAhsLength: 0, dataSegmentLength: 512, final: true, lun: 1, itt, ttt, expStatSN: b.conn.expStatSN, dataSN: 0, bufferOffset: 0 }, Buffer.alloc(512, 1));
  const rej = await nextOf(b.conn, Opcode.Reject);
  t.equal(rej?.pdu.opcode === Opcode.Reject ? rej.pdu.reason : -1, 0x09, 'Data-Out on another connection: rejected there');
  a.conn.send({ opcode: Opcode.DataOut, totalAhsLength: 0, dataSegmentLength: 512, final: true, lun: 1, itt, ttt, expStatSN: a.conn.expStatSN, dataSN: 0, bufferOffset: 0 }, Buffer.alloc(512, 1));
  t.equal((await taskResult(a.conn, itt))?.status, 0, 'Data-Out on its own connection completes it');

  // Connection reinstatement: CID 2 logs in again while it holds a task waiting for data.
  const pending = write10(b.conn, 24, Buffer.alloc(0), { expectedDataTransferLength: 512, cmdSN: b.conn.cmdSN });
  a.conn.cmdSN = b.conn.cmdSN = (b.conn.cmdSN + 1) >>> 0;
  t.ok(await nextOf(b.conn, Opcode.ReadyToTransfer), 'task on B waits for Data-Out');
  t.ok(pending);
  const b2 = await loginConnection(h.port, h.iqn, { isid: a.conn.isid, tsih, cid: 2 });
  t.equal(b2.response.statusClass, 0, 'CID 2 logs in again');
  t.ok(await b.conn.closedWithin(3000), 'the old CID 2 connection is closed');
  t.equal(h.transport.sessions().find((s) => s.id.endsWith(`|${tsih}`))?.connections, 2, 'still two connections');
  // Its task ended and gave back its window slot: QueueDepth 4 commands at once are all served.
  b2.conn.cmdSN = a.conn.cmdSN;
  const burst = [0, 1, 2, 3].map((i) => scsiCommand(i % 2 ? b2.conn : a.conn, [0x00], { cmdSN: (a.conn.cmdSN + i) >>> 0 }));
  a.conn.cmdSN = b2.conn.cmdSN = (a.conn.cmdSN + 4) >>> 0;
  const [onA, onB] = await Promise.all([taskStatuses(a.conn, [burst[0]!, burst[2]!]), taskStatuses(b2.conn, [burst[1]!, burst[3]!])]);
  t.same([...onA, ...onB], [0, 0, 0, 0], 'a full window of commands across both connections');

  // Logout reason 2 (recovery) needs ERL 2; reason 1 for an unknown CID; reason 1 for the other connection.
  t.equal(await logout(a.conn, 2, 2), 2, 'reason 2: recovery not supported');
  t.equal(await logout(a.conn, 1, 9), 1, 'reason 1, unknown CID: CID not found');
  t.equal(await logout(a.conn, 1, 2), 0, 'reason 1 for CID 2, sent on CID 1');
  t.ok(await b2.conn.closedWithin(3000), 'CID 2 closed');
  t.equal(await ping(a.conn), 'ping', 'CID 1 goes on');
  t.equal(h.transport.sessions().find((s) => s.id.endsWith(`|${tsih}`))?.connections, 1);

  // Reason 0 ends the session and all its connections.
  const b3 = await loginConnection(h.port, h.iqn, { isid: a.conn.isid, tsih, cid: 5 });
  t.equal(b3.response.statusClass, 0);
  const out = h.loggedOut.length;
  t.equal(await logout(a.conn, 0, 1), 0, 'reason 0: session closed');
  t.ok(await a.conn.closedWithin(3000), 'CID 1 closed');
  t.ok(await b3.conn.closedWithin(3000), 'CID 5 closed');
  t.equal(h.transport.sessions().filter((s) => s.id.endsWith(`|${tsih}`)).length, 0, 'session gone');
  t.equal(h.loggedOut.length, out + 1, 'logged out once');
});

t.test('reason 1 on the last connection ends the session; dropSessions asks every connection', async (t) => {
  const a = await loginConnection(h.port, h.iqn, { extra: [['MaxConnections', '4']] });
  const b = await loginConnection(h.port, h.iqn, { isid: a.conn.isid, tsih: a.response.tsih, cid: 2 });
  t.equal(b.response.statusClass, 0);
  const drop = h.transport.dropSessions(h.iqn);
  const ea = await nextOf(a.conn, Opcode.AsyncMessage);
  const eb = await nextOf(b.conn, Opcode.AsyncMessage);
  t.equal(ea?.pdu.opcode === Opcode.AsyncMessage ? ea.pdu.asyncEvent : -1, 1, 'logout requested on CID 1');
  t.equal(eb?.pdu.opcode === Opcode.AsyncMessage ? eb.pdu.asyncEvent : -1, 1, 'logout requested on CID 2');
  t.equal(await logout(b.conn, 1, 2), 0);
  t.ok(await b.conn.closedWithin(3000));
  t.equal(h.transport.sessions().length, 1, 'session lives on with CID 1');
  t.equal(await logout(a.conn, 1, 1), 0, 'the last connection logs out');
  t.ok(await a.conn.closedWithin(3000));
  await drop;
  t.equal(h.transport.sessions().length, 0, 'and the session ended with it');
});

t.test('task management on one connection reaches tasks of another', async (t) => {
  const a = await loginConnection(h.port, h.iqn, { extra: [['MaxConnections', '2']] });
  const b = await loginConnection(h.port, h.iqn, { isid: a.conn.isid, tsih: a.response.tsih, cid: 2 });
  t.equal(b.response.statusClass, 0);
  await clearUnitAttention(a.conn);
  b.conn.cmdSN = a.conn.cmdSN;
  // A write on B waits for its Data-Out.
  const itt = write10(b.conn, 32, Buffer.alloc(0), { expectedDataTransferLength: 512 });
  a.conn.cmdSN = b.conn.cmdSN;
  const r2t = await nextOf(b.conn, Opcode.ReadyToTransfer);
  t.ok(r2t, 'R2T on B');
  // ABORT TASK for it, sent on A.
  a.conn.send({ opcode: Opcode.TaskManagementRequest, totalAhsLength: 0, dataSegmentLength: 0, immediate: true, fn: 1, lun: 1, itt: 0x9001,
    referencedTaskTag: itt, cmdSN: a.conn.cmdSN, expStatSN: a.conn.expStatSN, refCmdSN: (a.conn.cmdSN - 1) >>> 0, expDataSN: 0 });
  const tmf = await nextOf(a.conn, Opcode.TaskManagementResponse);
  t.equal(tmf?.pdu.opcode === Opcode.TaskManagementResponse ? tmf.pdu.response : -1, 0, 'function complete');
  const ttt = r2t?.pdu.opcode === Opcode.ReadyToTransfer ? r2t.pdu.ttt : 0;
  b.conn.send({ opcode: Opcode.DataOut, totalAhsLength: 0, dataSegmentLength: 512, final: true, lun: 1, itt, ttt, expStatSN: b.conn.expStatSN, dataSN: 0, bufferOffset: 0 }, Buffer.alloc(512));
  const rej = await nextOf(b.conn, Opcode.Reject);
  t.equal(rej?.pdu.opcode === Opcode.Reject ? rej.pdu.reason : -1, 0x09, 'its late Data-Out on B: the task is gone');
  t.equal(await ping(b.conn), 'ping');
  t.equal(await logout(a.conn, 0, 1), 0);
  t.ok(await b.conn.closedWithin(3000));
});
