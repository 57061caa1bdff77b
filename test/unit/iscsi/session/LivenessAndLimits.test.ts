/**
 * Connections that stop talking and clients that take more than their
 * share: NOP-In pings with a timeout, the login timeout (half-open and
 * slowloris logins), a PDU header that never finishes, MaxSessions per
 * target, and a client that never reads Data-In cannot grow memory without
 * bound. A good session next to them keeps working.
 */
import t from 'tap';
import v8 from 'node:v8';
import vm from 'node:vm';
import { IscsiTransportHarness } from '../../../helpers/IscsiTransportHarness.js';
import { RawIscsiInitiator } from '../../../helpers/RawIscsiInitiator.js';
import { Opcode, RESERVED_TAG } from '../../../../plugins/transport-iscsi-tcp/pdu/Opcode.js';
import { clearUnitAttention, loginConnection, logout, nextOf, ping, read10 } from '../../../helpers/rawSession.js';

v8.setFlagsFromString('--expose_gc');
const gc = vm.runInNewContext('gc') as () => void;
/** Heap plus Buffer memory after GC: what a hoarding connection would grow. */
function memoryInUse(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const h = await IscsiTransportHarness.start({
  portalOptions: { nopInIntervalMs: 100, nopInTimeoutMs: 400, loginTimeoutMs: 400 },
  targetOptions: { MaxSessions: 3 },
});
t.teardown(() => h.close());

/** Answers the target's NOP-In pings as an initiator must (NOP-Out echoing the TTT). */
async function answerPings(c: RawIscsiInitiator, count: number): Promise<number> {
  let answered = 0;
  while (answered < count) {
    const f = await nextOf(c, Opcode.NopIn, 3000);
    if (!f || f.pdu.opcode !== Opcode.NopIn) break;
    if (f.pdu.itt !== RESERVED_TAG || f.pdu.ttt === RESERVED_TAG) continue;
    c.send({ opcode: Opcode.NopOut, totalAhsLength: 0, dataSegmentLength: 0, immediate: true, lun: 0, itt: RESERVED_TAG, ttt: f.pdu.ttt, cmdSN: c.cmdSN, expStatSN: c.expStatSN });
    answered++;
  }
  return answered;
}

t.test('NOP-In pings: answered keeps the connection, unanswered closes it', async (t) => {
  const good = await loginConnection(h.port, h.iqn);
  const dead = await loginConnection(h.port, h.iqn);
  t.equal(good.response.statusClass, 0);
  t.equal(dead.response.statusClass, 0);
  t.equal(await answerPings(good.conn, 3), 3, 'idle connection pinged, and pinged again once answered');
  t.ok(await dead.conn.closedWithin(5000), 'a connection that does not answer is closed');
  t.equal(await ping(good.conn), 'ping', 'the answering one still works');
  t.ok(h.log.entries.some((e) => /NOP-In ping not answered/.test(String(e.fields['reason'] ?? ''))), 'logged why');
  good.conn.close();
});

t.test('half-open and slowloris connections are closed; a good session is not', async (t) => {
  const good = await loginConnection(h.port, h.iqn);
  const pinger = answerPings(good.conn, 1000);
  // Connects and says nothing.
  const silent = await RawIscsiInitiator.connect(h.port);
  // Starts a login PDU and never finishes it.
  const slowLogin = await RawIscsiInitiator.connect(h.port);
  slowLogin.writeRaw(Buffer.from([0x43, 0x87, 0, 0, 0, 0, 0, 0x20]));
  // In full feature phase, a header that never finishes (and so never answers pings).
  const slowFfp = await loginConnection(h.port, h.iqn);
  slowFfp.conn.writeRaw(Buffer.alloc(20, 0));
  t.ok(await silent.closedWithin(5000), 'silent: closed by the login timeout');
  t.ok(await slowLogin.closedWithin(5000), 'unfinished login PDU: closed by the login timeout');
  t.ok(await slowFfp.conn.closedWithin(5000), 'unfinished header in full feature phase: closed by the ping timeout');
  t.notOk(good.conn.ended, 'the good session is still connected');
  good.conn.close();
  await pinger;
});

t.test('MaxSessions per target', async (t) => {
  // Sessions of earlier tests are gone.
  for (let i = 0; i < 50 && h.transport.sessions().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  const held = [await loginConnection(h.port, h.iqn), await loginConnection(h.port, h.iqn), await loginConnection(h.port, h.iqn)];
  t.same(held.map((x) => x.response.statusClass), [0, 0, 0], 'three sessions');
  const fourth = await loginConnection(h.port, h.iqn);
  t.equal((fourth.response.statusClass << 8) | fourth.response.statusDetail, 0x0302, 'the fourth: out of resources');
  t.ok(await fourth.conn.closedWithin(3000));
  // Session reinstatement of one of them is not a new session.
  const again = await loginConnection(h.port, h.iqn, { isid: held[0]!.conn.isid });
  t.equal(again.response.statusClass, 0, 'the same initiator port reinstates its session within the limit');
  t.ok(await held[0]!.conn.closedWithin(3000), 'the session it replaced is closed');
  t.equal(await logout(held[1]!.conn, 0, 1), 0);
  const fifth = await loginConnection(h.port, h.iqn);
  t.equal(fifth.response.statusClass, 0, 'room again after a logout');
  for (const c of [again, held[1]!, held[2]!, fifth]) c.conn.close();
});

t.test('a client that never reads Data-In does not grow memory without bound', async (t) => {
  const big = await IscsiTransportHarness.start({ luns: [{ lun: 1, size: 8 << 20 }], portalOptions: { nopInIntervalMs: 0 } });
  t.teardown(() => big.close());
  const good = await loginConnection(big.port, big.iqn);
  const hog = await loginConnection(big.port, big.iqn);
  await clearUnitAttention(hog.conn);
  await clearUnitAttention(good.conn);
  const before = memoryInUse();
  hog.conn.pauseReading();
  // 400 MiB of reads asked for, 1 MiB at a time, without reading any of it; sent in window-sized rounds.
  const total = 400;
  for (let sent = 0; sent < total;) {
    for (let i = 0; i < 32 && sent < total; i++, sent++) read10(hog.conn, 0, 2048);
    await new Promise((r) => setTimeout(r, 30));
  }
  await new Promise((r) => setTimeout(r, 500));
  const during = memoryInUse();
  const grown = (during - before) / (1 << 20);
  t.ok(grown < 160, `memory grew ${grown.toFixed(1)} MiB while 400 MiB of Data-In went unread (bound: unsent output 32 MiB + the CmdSN window)`);
  t.equal(await ping(good.conn), 'ping', 'another session is served meanwhile');
  hog.conn.close();
  await hog.conn.closedWithin(1000);
  for (let i = 0; i < 50 && big.transport.sessions().length > 1; i++) await new Promise((r) => setTimeout(r, 20));
  const after = memoryInUse();
  t.ok((after - before) / (1 << 20) < 32, `memory back near its baseline once the client is gone (${((after - before) / (1 << 20)).toFixed(1)} MiB)`);
  good.conn.close();
});
