/**
 * baidu_std framing against packets written by hand from apache/brpc
 * docs/cn/baidu_std.md: header "PRPC" + body size + meta size (big-endian),
 * then an RpcMeta encoded by hand with protobuf wire rules, the message, the
 * attachment. None of these bytes come from lunhost's encoder.
 */
import t, { type Test } from 'tap';
import {
  BaiduStdProtocolError,
  copyAttachment,
  encodeRequest,
  encodeResponse,
  FrameReader,
  type Frame,
} from '../../../plugins/store-curve/BaiduStdCodec.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ascii = (s: string): string => Buffer.from(s, 'ascii').toString('hex');
const SERVICE = 'nebd.client.NebdFileService'; // 27 bytes = 0x1b

// Read request, correlation_id 1, log_id 7; message ReadRequest{fd 3, offset 4096, size 512}.
//   RpcRequestMeta: 0a 1b <service> | 12 04 "Read" | 18 07            = 37 bytes (0x25)
//   RpcMeta:        0a 25 <request meta> | 20 01                        = 41 bytes (0x29)
//   message:        08 03 | 10 80 20 | 18 80 04                         = 8 bytes
//   body = 41 + 8 = 49 (0x31)
const READ_REQUEST = hex(
  '50525043 00000031 00000029' +
    '0a25 0a1b' + ascii(SERVICE) + '1204' + ascii('Read') + '1807' +
    '2001' +
    '0803 108020 188004',
);

// Write request, correlation_id 2, no log_id, 4-byte attachment "abcd";
// message WriteRequest{fd 3, offset 0, size 4}.
//   RpcRequestMeta: 0a 1b <service> | 12 05 "Write"                     = 36 bytes (0x24)
//   RpcMeta:        0a 24 <request meta> | 20 02 | 28 04                = 42 bytes (0x2a)
//   body = 42 + 6 + 4 = 52 (0x34)
const WRITE_REQUEST = hex(
  '50525043 00000034 0000002a' +
    '0a24 0a1b' + ascii(SERVICE) + '1205' + ascii('Write') +
    '2002 2804' +
    '0803 1000 1804' +
    ascii('abcd'),
);

// A Read response as a brpc server sends it: empty response meta, compress_type 0,
// correlation_id 1, attachment_size 4; message ReadResponse{retCode kOK}; attachment "WXYZ".
//   RpcMeta: 12 00 | 18 00 | 20 01 | 28 04 = 8 bytes; body = 8 + 2 + 4 = 14 (0x0e)
const READ_RESPONSE = hex('50525043 0000000e 00000008' + '1200 1800 2001 2804' + '0800' + ascii('WXYZ'));

// An error response: correlation_id 5, error_code 1002 (ENOMETHOD, varint ea 07), error_text "no".
//   RpcResponseMeta: 08 ea 07 | 12 02 6e 6f = 7 bytes; RpcMeta: 12 07 <..> | 20 05 = 11 bytes (0x0b)
const ERROR_RESPONSE = hex('50525043 0000000b 0000000b' + '1207 08ea07 12026e6f' + '2005');

function readAll(t: Pick<Test, 'equal'>, bytes: Buffer, chunkSize: number): Frame[] {
  const reader = new FrameReader();
  const frames: Frame[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) {
    reader.push(bytes.subarray(at, at + chunkSize));
    let f: Frame | null;
    while ((f = reader.next()) !== null) frames.push(f);
  }
  t.equal(reader.bufferedBytes, 0, 'nothing left over');
  return frames;
}

t.test('encodes a request with log id byte for byte', async (t) => {
  const [head, attachment] = encodeRequest({ correlationId: 1, service: SERVICE, method: 'Read', logId: 7 }, hex('0803 108020 188004'), null);
  t.same(head.toString('hex'), READ_REQUEST.toString('hex'));
  t.equal(attachment, null);
});

t.test('encodes a request with an attachment byte for byte, without copying the attachment', async (t) => {
  const data = Buffer.from('abcd');
  const [head, attachment] = encodeRequest({ correlationId: 2, service: SERVICE, method: 'Write' }, hex('0803 1000 1804'), data);
  t.equal(Buffer.concat([head, attachment!]).toString('hex'), WRITE_REQUEST.toString('hex'));
  t.equal(attachment, data, 'the attachment is the caller buffer itself');
});

t.test('encodes an error response byte for byte', async (t) => {
  const [head, attachment] = encodeResponse({ correlationId: 5, errorCode: 1002, errorText: 'no' }, new Uint8Array(0), null);
  t.equal(head.toString('hex'), ERROR_RESPONSE.toString('hex'));
  t.equal(attachment, null);
});

t.test('decodes a request, whole and one byte at a time', async (t) => {
  for (const size of [READ_REQUEST.length, 1, 5]) {
    const [f] = readAll(t, READ_REQUEST, size);
    t.ok(f, `frame read in chunks of ${size}`);
    t.same(f!.request, { service: SERVICE, method: 'Read', logId: 7 });
    t.equal(f!.response, null);
    t.equal(f!.correlationId, 1);
    t.equal(f!.message.toString('hex'), '0803108020188004');
    t.equal(f!.attachmentSize, 0);
  }
});

t.test('decodes a response with attachment, in pieces, and copies the attachment out', async (t) => {
  for (const size of [READ_RESPONSE.length, 3]) {
    const [f] = readAll(t, READ_RESPONSE, size);
    t.same(f!.response, { errorCode: 0, errorText: '' });
    t.equal(f!.request, null);
    t.equal(f!.correlationId, 1);
    t.equal(f!.compressType, 0);
    t.equal(f!.message.toString('hex'), '0800');
    t.equal(f!.attachmentSize, 4);
    const dst = Buffer.alloc(4);
    t.equal(copyAttachment(f!, dst), 4);
    t.equal(dst.toString(), 'WXYZ');
  }
});

t.test('decodes an error response and several frames from one chunk', async (t) => {
  const frames = readAll(t, Buffer.concat([ERROR_RESPONSE, READ_RESPONSE, WRITE_REQUEST]), 1 << 16);
  t.equal(frames.length, 3);
  t.same(frames[0]!.response, { errorCode: 1002, errorText: 'no' });
  t.equal(frames[0]!.correlationId, 5);
  t.equal(frames[0]!.message.length, 0);
  t.equal(frames[1]!.correlationId, 1);
  t.equal(frames[2]!.request?.method, 'Write');
  t.equal(frames[2]!.correlationId, 2);
  t.equal(Buffer.concat(frames[2]!.attachment as Buffer[]).toString(), 'abcd');
});

t.test('a partial frame waits for more bytes', async (t) => {
  const reader = new FrameReader();
  reader.push(READ_RESPONSE.subarray(0, READ_RESPONSE.length - 1));
  t.equal(reader.next(), null);
  reader.push(READ_RESPONSE.subarray(READ_RESPONSE.length - 1));
  t.ok(reader.next());
});

t.test('rejects what is not baidu_std', async (t) => {
  const bad = (bytes: Buffer, pattern: RegExp, max?: number): void => {
    const reader = new FrameReader(max);
    reader.push(bytes);
    let caught: unknown = null;
    try {
      reader.next();
    } catch (err) {
      caught = err;
    }
    t.ok(caught instanceof BaiduStdProtocolError, `${bytes.toString('hex')} is refused`);
    t.match((caught as Error | null)?.message ?? '', pattern);
  };
  bad(Buffer.from('GET / HTTP/1.1\r\n\r\n'), /PRPC/);
  bad(hex('50525043 00000002 00000003 0000'), /meta size 3 is larger than body size 2/);
  // attachment_size 9 (28 09) in a body of 2 meta bytes only.
  bad(hex('50525043 00000002 00000002 2809'), /attachment_size=9/);
  bad(hex('50525043 00001000 00000000'), /exceeds the limit/, 100);
  // meta bytes that are not protobuf: a length-delimited field 1 running past the end.
  bad(hex('50525043 00000002 00000002 0a05'), /RpcMeta/);
});
