/** Cutting a byte stream into PDUs: split and packed chunks, AHS, padding, digests, limits. */
import t, { type Test } from 'tap';
import { PduReader, PduReadError } from '../../../plugins/transport-iscsi-tcp/pdu/PduReader.js';
import { framePdu } from '../../../plugins/transport-iscsi-tcp/pdu/PduFrame.js';
import { Opcode } from '../../../plugins/transport-iscsi-tcp/pdu/Opcode.js';
import { decodeBhs } from '../../../plugins/transport-iscsi-tcp/pdu/PduCodec.js';
import type { DataOutPdu } from '../../../plugins/transport-iscsi-tcp/pdu/PduTypes.js';
import type { ReceivedPdu } from '../../../plugins/transport-iscsi-tcp/pdu/ReceivedPdu.js';

function dataOut(len: number, dataSN: number): DataOutPdu {
  return { opcode: Opcode.DataOut, totalAhsLength: 0, dataSegmentLength: len, final: false, lun: 1, itt: 7, ttt: 9, expStatSN: 0, dataSN, bufferOffset: 0 };
}

function stream(digests = { headerDigest: false, dataDigest: false }): { bytes: Buffer; payloads: Buffer[] } {
  const payloads = [Buffer.alloc(0), Buffer.from('x'), Buffer.alloc(1000, 7), Buffer.from('abcdef'), Buffer.alloc(4096, 1)];
  const bytes = Buffer.concat(payloads.flatMap((p, i) => framePdu(dataOut(p.length, i), p.length ? p : null, digests)));
  return { bytes, payloads };
}

function collect(digests = { headerDigest: false, dataDigest: false }, max = 1 << 20): { reader: PduReader; got: ReceivedPdu[] } {
  const got: ReceivedPdu[] = [];
  const reader = new PduReader({ maxDataSegmentLength: max, ...digests }, (p) => got.push(p));
  return { reader, got };
}

function check(t: Test, got: ReceivedPdu[], payloads: Buffer[]): void {
  t.equal(got.length, payloads.length, 'every PDU');
  got.forEach((p, i) => {
    t.equal((decodeBhs(p.bhs) as DataOutPdu).dataSN, i);
    t.equal(p.dataLength, payloads[i]!.length);
    t.same(Buffer.concat(p.data as Buffer[]), payloads[i], `PDU ${i} data without padding`);
  });
}

for (const digests of [{ headerDigest: false, dataDigest: false }, { headerDigest: true, dataDigest: true }]) {
  const label = digests.headerDigest ? 'with digests' : 'without digests';
  t.test(`all in one chunk ${label}`, async (t) => {
    const { bytes, payloads } = stream(digests);
    const { reader, got } = collect(digests);
    reader.push(bytes);
    check(t, got, payloads);
    t.ok(reader.idle);
  });
  t.test(`one byte at a time ${label}`, async (t) => {
    const { bytes, payloads } = stream(digests);
    const { reader, got } = collect(digests);
    for (let i = 0; i < bytes.length; i++) reader.push(bytes.subarray(i, i + 1));
    check(t, got, payloads);
  });
  t.test(`odd chunk sizes ${label}`, async (t) => {
    const { bytes, payloads } = stream(digests);
    for (const size of [3, 47, 49, 52, 1001, 4099]) {
      const { reader, got } = collect(digests);
      for (let i = 0; i < bytes.length; i += size) reader.push(bytes.subarray(i, i + size));
      check(t, got, payloads);
    }
  });
}

t.test('data arriving whole is a view of the chunk, not a copy', async (t) => {
  const payload = Buffer.alloc(512, 3);
  const bytes = Buffer.concat(framePdu(dataOut(512, 0), payload));
  const { reader, got } = collect();
  reader.push(bytes);
  t.equal(got[0]!.data.length, 1);
  t.equal(got[0]!.data[0]!.buffer, bytes.buffer, 'same memory');
});

t.test('AHS is handed over separately', async (t) => {
  const pdu = { ...dataOut(4, 0), totalAhsLength: 2 };
  const parts = framePdu(pdu, Buffer.from('data'));
  const ahs = Buffer.from('0005020000001000', 'hex');
  const bytes = Buffer.concat([parts[0]!, ahs, parts[1]!]);
  const { reader, got } = collect();
  reader.push(bytes.subarray(0, 50));
  reader.push(bytes.subarray(50));
  t.equal(got.length, 1);
  t.equal(got[0]!.ahs?.toString('hex'), ahs.toString('hex'));
  t.equal(Buffer.concat(got[0]!.data as Buffer[]).toString(), 'data');
});

t.test('a data segment over the limit stops the stream before its data is read', async (t) => {
  const { reader, got } = collect(undefined, 8192);
  const bytes = Buffer.concat(framePdu(dataOut(8196, 0), Buffer.alloc(8196)));
  let err: unknown = null;
  try { reader.push(bytes); } catch (e) { err = e; }
  t.equal((err as PduReadError).kind, 'oversize');
  t.equal(got.length, 0);
  reader.push(Buffer.alloc(100)); // dead reader ignores the rest
  t.equal(got.length, 0);
});

t.test('digest mismatches are reported', async (t) => {
  const digests = { headerDigest: true, dataDigest: true };
  const good = Buffer.concat(framePdu(dataOut(4, 0), Buffer.from('abcd'), digests));
  const badHeader = Buffer.from(good);
  badHeader[20] ^= 1;
  const badData = Buffer.from(good);
  badData[53] ^= 1;
  for (const [bytes, kind] of [[badHeader, 'header-digest'], [badData, 'data-digest']] as const) {
    const { reader, got } = collect(digests);
    let err: unknown = null;
    try { reader.push(bytes); } catch (e) { err = e; }
    t.ok(err instanceof PduReadError);
    t.equal((err as PduReadError).kind, kind);
    t.equal(got.length, 0);
  }
});
