import t from 'tap';
import {
  ChapValueError, decodeChapBinary, decodeChapIdentifier, encodeChapBinary, MAX_CHAP_BINARY_LENGTH,
} from '../../../../plugins/transport-iscsi-tcp/auth/ChapValue.js';

t.test('hex values', async (t) => {
  t.same([...decodeChapBinary('0x00ff10')], [0, 255, 16]);
  t.same([...decodeChapBinary('0XABcd')], [0xab, 0xcd]);
  t.same([...decodeChapBinary('0xabc')], [0x0a, 0xbc], 'odd digit count: implied leading zero');
  t.equal(encodeChapBinary(Buffer.from([1, 0xab])), '0x01ab');
});

t.test('base64 values', async (t) => {
  t.same([...decodeChapBinary('0bAAEC')], [0, 1, 2]);
  t.same([...decodeChapBinary('0B/w==')], [255]);
  t.same([...decodeChapBinary('0bAAE=')], [0, 1]);
});

t.test('bad encodings are refused', async (t) => {
  for (const bad of ['', '0x', '0b', 'abcd', '1234', '0xzz', '0x12 ', '0bAA', '0b!!!!', '0bAA=A', '0bA===', '0x-1', 'x0ab']) {
    t.throws(() => decodeChapBinary(bad), ChapValueError, JSON.stringify(bad));
  }
});

t.test('at most 1024 bytes', async (t) => {
  t.equal(decodeChapBinary('0x' + 'ab'.repeat(MAX_CHAP_BINARY_LENGTH)).length, 1024);
  t.throws(() => decodeChapBinary('0x' + 'ab'.repeat(MAX_CHAP_BINARY_LENGTH + 1)), ChapValueError);
  t.equal(decodeChapBinary('0b' + Buffer.alloc(1024, 7).toString('base64')).length, 1024);
  t.throws(() => decodeChapBinary('0b' + Buffer.alloc(1025, 7).toString('base64')), ChapValueError);
});

t.test('CHAP_I identifiers', async (t) => {
  t.equal(decodeChapIdentifier('0'), 0);
  t.equal(decodeChapIdentifier('255'), 255);
  t.equal(decodeChapIdentifier('0x7f'), 127);
  t.equal(decodeChapIdentifier('0XFF'), 255);
  for (const bad of ['256', '-1', '', 'abc', '0x100', '1.5', '0b/w==', '1000']) {
    t.throws(() => decodeChapIdentifier(bad), ChapValueError, JSON.stringify(bad));
  }
});
