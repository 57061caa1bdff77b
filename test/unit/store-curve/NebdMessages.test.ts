/** nebd messages against protobuf bytes encoded by hand from nebd/proto/*.proto field numbers and types. */
import t from 'tap';
import { NebdMethods, RetCode } from '../../../plugins/store-curve/NebdMessages.js';
import { toSafeNumber } from '../../../plugins/store-curve/ProtoCodec.js';

const hex = (s: string): string => s.replace(/\s+/g, '');
const bytes = (s: string): Buffer => Buffer.from(hex(s), 'hex');
const toHex = (u: Uint8Array): string => Buffer.from(u).toString('hex');

t.test('OpenFileRequest: fileName is field 1, flags field 2', async (t) => {
  const name = 'cbd:pool//iscsi_test_'; // 21 bytes
  t.equal(toHex(NebdMethods.OpenFile.request.encode({ fileName: name })), '0a15' + Buffer.from(name).toString('hex'));
  t.equal(
    toHex(NebdMethods.OpenFile.request.encode({ fileName: 'a', flags: { exclusive: true } })),
    hex('0a01 61 1202 0801'),
  );
});

t.test('OpenFileResponse: retCode kOK with fd, and kNoOK (a negative enum is a 10-byte varint)', async (t) => {
  const ok = NebdMethods.OpenFile.response.decode(bytes('0800 1807'));
  t.equal(ok.retCode, RetCode.kOK);
  t.equal(ok.fd, 7);
  const no = NebdMethods.OpenFile.response.decode(bytes('08ffffffffffffffffff01 1203 626164'));
  t.equal(no.retCode, RetCode.kNoOK);
  t.equal(no.retMsg, 'bad');
  t.equal(toHex(NebdMethods.OpenFile.response.encode({ retCode: RetCode.kNoOK, retMsg: 'bad' })), hex('08ffffffffffffffffff01 1203 626164'));
});

t.test('Read/Write/Discard requests: fd int32 1, offset uint64 2, size uint64 3', async (t) => {
  // offset 2^33 = varint 80 80 80 80 20; size 4096 = 80 20
  const expected = hex('0803 1080808080 20 188020');
  for (const m of [NebdMethods.Read, NebdMethods.Write, NebdMethods.Discard]) {
    t.equal(toHex(m.request.encode({ fd: 3, offset: 2 ** 33, size: 4096 })), expected, m.method);
    const back = m.request.decode(bytes(expected));
    t.equal(toSafeNumber(back.offset), 2 ** 33);
    t.equal(toSafeNumber(back.size), 4096);
  }
});

t.test('ResizeRequest, FlushRequest, GetInfoRequest, CloseFileRequest', async (t) => {
  t.equal(toHex(NebdMethods.ResizeFile.request.encode({ fd: 3, newSize: 2 ** 33 })), hex('0803 10 8080808020'));
  t.equal(toHex(NebdMethods.Flush.request.encode({ fd: 300 })), hex('08ac02'));
  t.equal(toHex(NebdMethods.GetInfo.request.encode({ fd: 1 })), hex('0801'));
  t.equal(toHex(NebdMethods.CloseFile.request.encode({ fd: 1 })), hex('0801'));
});

t.test('GetInfoResponse carries FileInfo as field 3', async (t) => {
  // FileInfo{size 2^30, objSize 2^24, objNums 64, blocksize 4096}
  const info = '0880808080 04 1080808008 1840 208020';
  const r = NebdMethods.GetInfo.response.decode(bytes('0800 1a10' + info));
  t.equal(r.retCode, RetCode.kOK);
  t.equal(toSafeNumber(r.info!.size), 2 ** 30);
  t.equal(toSafeNumber(r.info!.objSize), 2 ** 24);
  t.equal(toSafeNumber(r.info!.objNums), 64);
  t.equal(r.info!.blocksize, 4096);
});

t.test('a response missing its required retCode is refused', async (t) => {
  t.throws(() => NebdMethods.Write.response.decode(bytes('1203626164')));
});

t.test('HeartbeatRequest: pid 1, nebdVersion 2, repeated HeartbeatFileInfo 3', async (t) => {
  const encoded = NebdMethods.KeepAlive.request.encode({ pid: 1234, nebdVersion: 'v', info: [{ fd: 7, name: 'a' }, { fd: 8, name: 'b' }] });
  t.equal(toHex(encoded), hex('08d209 120176 1a05 0807 120161 1a05 0808 120162'));
  t.equal(NebdMethods.KeepAlive.response.decode(bytes('0800')).retCode, RetCode.kOK);
});

t.test('service and method names are the protobuf full names brpc sends', async (t) => {
  t.equal(NebdMethods.Read.service, 'nebd.client.NebdFileService');
  t.equal(NebdMethods.KeepAlive.service, 'nebd.client.NebdHeartbeatService');
  t.equal(NebdMethods.ResizeFile.method, 'ResizeFile');
});
