import t from 'tap';
import {
  CHAP_MD5, CHAP_SHA1, CHAP_SHA256, CHAP_SHA3_256, chapResponse, chooseChapAlgorithm,
} from '../../../../plugins/transport-iscsi-tcp/auth/ChapAlgorithm.js';

// Vectors computed outside this code (Python hashlib) as RFC 1994 says:
// H(identifier || secret || challenge), identifier 0x2a, secret 'chapSecret-0123',
// challenge 00 01 02 ... of the digest's length.
const SECRET = 'chapSecret-0123';
const seq = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => i));

t.test('known responses for every algorithm', async (t) => {
  t.equal(chapResponse(CHAP_MD5, 0x2a, SECRET, seq(16)).toString('hex'), '747fe267ecb0baec31e0f4ab05949481');
  t.equal(chapResponse(CHAP_SHA1, 0x2a, SECRET, seq(20)).toString('hex'), 'adec9673eabd720bc8071d7165a9d3d3ff6666ef');
  t.equal(chapResponse(CHAP_SHA256, 0x2a, SECRET, seq(32)).toString('hex'), 'd754e72f573c52231f5f2155c89585881acf781e60edb7e3a1f307eb46a7182f');
  t.equal(chapResponse(CHAP_SHA3_256, 0x2a, SECRET, seq(32)).toString('hex'), 'aed7c32541464b0307df49553f462cb8e569c851a6d433f892522df8294cd804');
  t.equal(chapResponse(CHAP_MD5, 7, 'targetSecret-456', Buffer.alloc(16, 0xaa)).toString('hex'), '510a44259325b4d6af8a9ce31e0a24d2');
});

t.test('response lengths match the declared digest length', async (t) => {
  for (const a of [CHAP_MD5, CHAP_SHA1, CHAP_SHA256, CHAP_SHA3_256]) {
    t.equal(chapResponse(a, 0, SECRET, seq(16)).length, a.digestLength, a.name);
  }
});

t.test('the identifier, secret and challenge all change the response', async (t) => {
  const base = chapResponse(CHAP_SHA256, 1, SECRET, seq(32));
  t.not(chapResponse(CHAP_SHA256, 2, SECRET, seq(32)).toString('hex'), base.toString('hex'));
  t.not(chapResponse(CHAP_SHA256, 1, SECRET + 'x', seq(32)).toString('hex'), base.toString('hex'));
  t.not(chapResponse(CHAP_SHA256, 1, SECRET, seq(31)).toString('hex'), base.toString('hex'));
});

t.test('CHAP_A: the first algorithm of the initiator list we support', async (t) => {
  t.equal(chooseChapAlgorithm('8,7,6,5'), CHAP_SHA3_256);
  t.equal(chooseChapAlgorithm('7,6,5'), CHAP_SHA256);
  t.equal(chooseChapAlgorithm('5,7'), CHAP_MD5);
  t.equal(chooseChapAlgorithm('9,6,5'), CHAP_SHA1);
  t.equal(chooseChapAlgorithm('x-private,5'), CHAP_MD5);
  t.equal(chooseChapAlgorithm(' 7 '), CHAP_SHA256);
  t.equal(chooseChapAlgorithm('1,2,3'), null);
  t.equal(chooseChapAlgorithm(''), null);
  t.equal(chooseChapAlgorithm('05'), CHAP_MD5, 'leading zero is still decimal 5');
  t.equal(chooseChapAlgorithm('8,5', [CHAP_MD5]), CHAP_MD5, 'only what the target allows');
  t.equal(chooseChapAlgorithm('5', [CHAP_SHA256]), null);
});
