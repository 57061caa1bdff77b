/**
 * libiscsi with credentials, facing a target without CHAP (answer
 * AuthMethod=None), declares InitiatorName, TargetName and SessionType again
 * in its first operational request. The same value again is accepted; a
 * different value, or a negotiated key offered twice, is still an error.
 */
import t from 'tap';
import { Negotiator } from '../../../../plugins/transport-iscsi-tcp/negotiation/Negotiator.js';

const leading: Array<[string, string]> = [['InitiatorName', 'iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-inq'], ['TargetName', 'iqn.2026-11.io.lunhost.test:open'], ['SessionType', 'Normal']];

t.test('the same declarations again are accepted silently', async (t) => {
  const n = new Negotiator({}, false);
  t.same(n.respond(leading, 'login'), []);
  t.same(n.respond([...leading, ['HeaderDigest', 'None']], 'login'), [['HeaderDigest', 'None']]);
  t.equal(n.declared.get('TargetName'), 'iqn.2026-11.io.lunhost.test:open');
});

t.test('a changed declaration or a repeated negotiation is refused', async (t) => {
  const n = new Negotiator({}, false);
  n.respond(leading, 'login');
  t.throws(() => n.respond([['TargetName', 'iqn.2026-11.io.lunhost.test:other']], 'login'), { message: /TargetName sent twice/ });
  const m = new Negotiator({}, false);
  m.respond([['HeaderDigest', 'None']], 'login');
  t.throws(() => m.respond([['HeaderDigest', 'None']], 'login'), { message: /HeaderDigest sent twice/ });
});
