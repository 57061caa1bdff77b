/**
 * One target on several portals (IPv4 and IPv6 loopback) in different
 * portal groups: SendTargets lists every address with its portal group tag
 * (IPv6 in brackets), the login declares the TargetPortalGroupTag of the
 * portal it came through, and a session does not take connections from
 * another portal group. Skipped where the machine has no ::1.
 */
import t from 'tap';
import { createServer } from 'node:net';
import { IscsiTransportHarness, HARNESS_INITIATOR } from '../../../helpers/IscsiTransportHarness.js';
import { RawIscsiInitiator } from '../../../helpers/RawIscsiInitiator.js';
import { freePort } from '../../../helpers/freePort.js';
import { Opcode, RESERVED_TAG } from '../../../../plugins/transport-iscsi-tcp/pdu/Opcode.js';
import { encodeTextKeys, parseTextKeys } from '../../../../plugins/transport-iscsi-tcp/text/TextKeys.js';
import type { PortalSpec, ServedTarget } from '../../../../core/transport/Transport.js';
import { loginConnection, nextOf, ping } from '../../../helpers/rawSession.js';

function hasIpv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(0, '::1', () => s.close(() => resolve(true)));
  });
}

const ipv6 = await hasIpv6Loopback();

t.test('portals in two groups, one of them IPv6', { skip: ipv6 ? false : 'no IPv6 loopback (::1) on this machine' }, async (t) => {
  const h = await IscsiTransportHarness.start({ targetOptions: { MaxConnections: 2 } });
  t.teardown(() => h.close());
  const v6: PortalSpec = { name: 'v6', host: '::1', port: await freePort(), portalGroupTag: 2, options: {} };
  const second: PortalSpec = { name: 'second', host: '127.0.0.1', port: await freePort(), portalGroupTag: 1, options: {} };
  const served: ServedTarget = { ...h.served, portals: ['default', 'second', 'v6'] };
  await h.transport.configure([h.portal, second, v6], [served]);

  // Discovery over IPv6.
  const d = await RawIscsiInitiator.connect(v6.port, '::1');
  const r = await d.login(HARNESS_INITIATOR, null);
  t.equal(r.statusClass, 0, 'discovery login over ::1');
  d.cmdSN = r.expCmdSN;
  const q = encodeTextKeys([['SendTargets', 'All']]);
  d.send({ opcode: Opcode.TextRequest, totalAhsLength: 0, dataSegmentLength: q.length, immediate: true, final: true, continue: false, lun: 0, itt: 9, ttt: RESERVED_TAG, cmdSN: d.cmdSN, expStatSN: d.expStatSN }, q);
  const answer = await nextOf(d, Opcode.TextResponse);
  const pairs = answer ? parseTextKeys(answer.data).pairs : [];
  t.same(pairs, [
    ['TargetName', h.iqn],
    ['TargetAddress', `127.0.0.1:${h.port},1`],
    ['TargetAddress', `127.0.0.1:${second.port},1`],
    ['TargetAddress', `[::1]:${v6.port},2`],
  ], 'every portal with its group tag, IPv6 in brackets');
  d.close();

  // Normal logins declare the tag of the portal they came through.
  const a = await loginConnection(h.port, h.iqn, { extra: [['MaxConnections', '2']] });
  t.equal(a.keys.get('TargetPortalGroupTag'), '1', 'IPv4 portal: TPGT 1');
  const b = await loginConnection(v6.port, h.iqn, { host: '::1' });
  t.equal(b.keys.get('TargetPortalGroupTag'), '2', 'IPv6 portal: TPGT 2');
  t.equal(await ping(b.conn), 'ping', 'full feature phase over IPv6');
  const v6Session = h.transport.sessions().find((s) => s.remoteAddress === '::1');
  t.ok(v6Session, 'the session reports its IPv6 peer');
  t.match(v6Session?.id ?? '', /,t,0x0002\|/, 'and its target port is in group 2');

  // MC/S: a connection through another portal of the same group joins; through another group it does not.
  const same = await loginConnection(second.port, h.iqn, { isid: a.conn.isid, tsih: a.response.tsih, cid: 2 });
  t.equal(same.response.statusClass, 0, 'same portal group, other portal: joins the session');
  same.conn.close();
  await same.conn.closedWithin(1000);
  const other = await loginConnection(v6.port, h.iqn, { host: '::1', isid: a.conn.isid, tsih: a.response.tsih, cid: 3 });
  t.equal((other.response.statusClass << 8) | other.response.statusDetail, 0x0208, 'other portal group: cannot include in session');
  t.equal(await ping(a.conn), 'ping', 'the session goes on');
  for (const c of [a.conn, b.conn, other.conn]) c.close();
});
