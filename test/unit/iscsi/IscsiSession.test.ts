/** The I_T nexus of an iSCSI session: port names and the SPC-4 iSCSI TransportID (format 01h). */
import t from 'tap';
import { buildNexus, iscsiTransportId } from '../../../plugins/transport-iscsi-tcp/session/IscsiSession.js';

t.test('nexus names', async (t) => {
  const n = buildNexus('iqn.1993-08.org.debian:01:abc', '23D000000001', 'iqn.2026-11.io.lunhost:disk', 1);
  t.equal(n.initiatorPortName, 'iqn.1993-08.org.debian:01:abc,i,0x23d000000001');
  t.equal(n.targetPortName, 'iqn.2026-11.io.lunhost:disk,t,0x0001');
  t.equal(n.id, `${n.initiatorPortName}|${n.targetPortName}`);
  t.equal(n.relativeTargetPortId, 1);
});

t.test('TransportID: 45h, length, NUL-terminated name padded to 4', async (t) => {
  const name = 'iqn.a:b,i,0x000000000001'; // 24 bytes, + NUL = 25 → padded 28
  const id = iscsiTransportId(name);
  t.equal(id[0], 0x45, 'FORMAT CODE 01b, PROTOCOL IDENTIFIER 5');
  t.equal(id.readUInt16BE(2), 28, 'ADDITIONAL LENGTH');
  t.equal(id.length, 32);
  t.equal(id.toString('utf8', 4, 4 + name.length), name);
  t.equal(id[4 + name.length], 0);
  const short = iscsiTransportId('iqn.a:b,i,0x1');
  t.equal(short.readUInt16BE(2), 20, 'at least 20 bytes (SPC-4)');
});
