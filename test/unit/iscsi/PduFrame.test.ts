/** Data segment padding and CRC32C digests as they go on the wire. */
import t from 'tap';
import { framePdu } from '../../../plugins/transport-iscsi-tcp/pdu/PduFrame.js';
import { paddingOf, paddedLength } from '../../../plugins/transport-iscsi-tcp/pdu/DataSegment.js';
import { dataDigest, digestBytes, headerDigest } from '../../../plugins/transport-iscsi-tcp/pdu/Digest.js';
import { Opcode } from '../../../plugins/transport-iscsi-tcp/pdu/Opcode.js';
import type { NopInPdu } from '../../../plugins/transport-iscsi-tcp/pdu/PduTypes.js';

const nopIn = (len: number): NopInPdu => ({
  opcode: Opcode.NopIn, totalAhsLength: 0, dataSegmentLength: len, lun: 0, itt: 1, ttt: 0xffffffff, statSN: 1, expCmdSN: 1, maxCmdSN: 1,
});

t.test('padding to 4 bytes', async (t) => {
  t.same([0, 1, 2, 3, 4, 5, 8191].map(paddingOf), [0, 3, 2, 1, 0, 3, 1]);
  t.equal(paddedLength(5), 8);
});

t.test('framing: header, data as given (no copy), zero padding', async (t) => {
  const data = Buffer.from('hello');
  const parts = framePdu(nopIn(5), data);
  t.equal(parts.length, 3);
  t.equal(parts[1], data, 'the data buffer itself');
  t.equal(parts[2]!.toString('hex'), '000000');
  t.equal(Buffer.concat(parts).length, 56);
  t.throws(() => framePdu(nopIn(4), data), RangeError, 'declared length must match');
});

t.test('CRC32C: the RFC 7143 appendix example (32 zero bytes → aa 36 91 8a)', async (t) => {
  t.equal(digestBytes(dataDigest([Buffer.alloc(32)], 32)).toString('hex'), 'aa36918a');
  t.equal(digestBytes(dataDigest([Buffer.alloc(16), Buffer.alloc(16)], 32)).toString('hex'), 'aa36918a', 'same over pieces');
  t.equal(digestBytes(headerDigest(Buffer.alloc(32, 0xff))).toString('hex'), '43aba862', '32 bytes of 0xff → 43 ab a8 62');
});

t.test('framing with digests: header digest after the BHS, data digest over data and padding', async (t) => {
  const data = Buffer.from('abcde');
  const parts = framePdu(nopIn(5), data, { headerDigest: true, dataDigest: true });
  const header = parts[0]!;
  t.equal(header.length, 52);
  t.equal(header.readUInt32LE(48), headerDigest(header.subarray(0, 48)));
  const trailer = parts[2]!;
  t.equal(trailer.length, 3 + 4);
  const padded = Buffer.concat([data, Buffer.alloc(3)]);
  t.equal(trailer.readUInt32LE(3), dataDigest([padded], 8));
});
