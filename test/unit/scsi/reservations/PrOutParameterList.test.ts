import t from 'tap';
import { CheckCondition } from '../../../../core/scsi/CheckCondition.js';
import { parseBasicParameterList, parseRegisterAndMoveParameterList } from '../../../../core/scsi/reservations/PrOutParameterList.js';
import { encodeTransportId, parseTransportId, TransportIdError } from '../../../../core/scsi/reservations/TransportId.js';

function sense(fn: () => unknown): { key: number; asc: number; ascq: number; byte?: number } | null {
  try {
    fn();
  } catch (err) {
    if (err instanceof CheckCondition) return { key: err.code.key, asc: err.code.asc, ascq: err.code.ascq, byte: err.details.field?.byte };
    throw err;
  }
  return null;
}

function basic(rk: bigint, sark: bigint, flags = 0): Buffer {
  const b = Buffer.alloc(24);
  b.writeBigUInt64BE(rk, 0);
  b.writeBigUInt64BE(sark, 8);
  b[20] = flags;
  return b;
}

t.test('iSCSI TransportID, format 01b (initiator port): byte-exact', async (t) => {
  const id = encodeTransportId({ initiatorName: 'iqn.a', initiatorPort: 'iqn.a,i,0x800000000001' });
  // "iqn.a,i,0x800000000001" is 22 characters + NUL = 23, padded to 24.
  const expected = Buffer.concat([Buffer.from([0x45, 0x00, 0x00, 24]), Buffer.from('iqn.a,i,0x800000000001\0\0', 'latin1')]);
  t.same(id, expected);
  t.same(parseTransportId(id, 0), { initiatorName: 'iqn.a', initiatorPort: 'iqn.a,i,0x800000000001', length: 28 });
});

t.test('iSCSI TransportID, format 00b (initiator name): padded to 20 bytes at least', async (t) => {
  const id = encodeTransportId({ initiatorName: 'iqn.b', initiatorPort: null });
  t.same(id, Buffer.concat([Buffer.from([0x05, 0x00, 0x00, 20]), Buffer.alloc(20)]).fill('iqn.b', 4, 9, 'latin1'));
  t.same(parseTransportId(id, 0), { initiatorName: 'iqn.b', initiatorPort: null, length: 24 });
  t.equal(parseTransportId(Buffer.from([0x05, 0, 0, 8, 0x49, 0x51, 0x4e, 0, 0, 0, 0, 0]), 0).initiatorName, 'iqn', 'names compare lower-case');
});

function badByte(buf: Buffer): number | null {
  try {
    parseTransportId(buf, 0);
  } catch (err) {
    if (err instanceof TransportIdError) return err.byte;
    throw err;
  }
  return null;
}

t.test('bad TransportIDs say which byte is wrong', async (t) => {
  const fc = Buffer.from([0x01, 0, 0, 8, 0x61, 0, 0, 0, 0, 0, 0, 0]);
  t.throws(() => parseTransportId(fc, 0), TransportIdError, 'Fibre Channel protocol id');
  const unterminated = Buffer.from([0x05, 0, 0, 4, 0x61, 0x62, 0x63, 0x64]);
  t.equal(badByte(unterminated), 4);
  const long = Buffer.from([0x05, 0, 0, 40, 0x61, 0]);
  t.equal(badByte(long), 2);
  const badIsid = Buffer.concat([Buffer.from([0x45, 0, 0, 12]), Buffer.from('a,i,0x12\0\0\0\0', 'latin1')]);
  t.equal(badByte(badIsid), 4);
});

t.test('basic parameter list: 24 bytes exactly unless SPEC_I_PT', async (t) => {
  const p = parseBasicParameterList(basic(0x1122334455667788n, 0x99n, 0x05), false);
  t.equal(p.reservationKey, 0x1122334455667788n);
  t.equal(p.serviceActionKey, 0x99n);
  t.ok(p.allTargetPorts);
  t.ok(p.aptpl);
  t.notOk(p.specifyInitiatorPorts);
  t.same(sense(() => parseBasicParameterList(Buffer.alloc(23), false)), { key: 5, asc: 0x1a, ascq: 0, byte: undefined }, 'short: PARAMETER LIST LENGTH ERROR');
  t.same(sense(() => parseBasicParameterList(Buffer.alloc(28), false)), { key: 5, asc: 0x1a, ascq: 0, byte: undefined }, 'long');
  t.same(sense(() => parseBasicParameterList(Buffer.alloc(0), false)), { key: 5, asc: 0x1a, ascq: 0, byte: undefined }, 'empty');
});

t.test('basic parameter list with SPEC_I_PT TransportIDs', async (t) => {
  const ids = Buffer.concat([
    encodeTransportId({ initiatorName: 'iqn.b', initiatorPort: 'iqn.b,i,0x800000000002' }),
    encodeTransportId({ initiatorName: 'iqn.c', initiatorPort: null }),
  ]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(ids.length);
  const list = Buffer.concat([basic(0n, 5n, 0x08), len, ids]);
  const p = parseBasicParameterList(list, true);
  t.same(p.initiators, [
    { initiatorName: 'iqn.b', initiatorPort: 'iqn.b,i,0x800000000002' },
    { initiatorName: 'iqn.c', initiatorPort: null },
  ]);
  t.same(sense(() => parseBasicParameterList(list.subarray(0, list.length - 4), true))?.asc, 0x1a, 'TransportID length disagrees with the list');
  const bad = Buffer.from(list);
  bad[28] = 0x06; // protocol: not iSCSI
  t.same(sense(() => parseBasicParameterList(bad, true)), { key: 5, asc: 0x26, ascq: 0, byte: 28 });
  t.same(sense(() => parseBasicParameterList(list, false))?.asc, 0x1a, 'SPEC_I_PT where it is not accepted: 24 bytes only');
});

t.test('REGISTER AND MOVE parameter list', async (t) => {
  const id = encodeTransportId({ initiatorName: 'iqn.b', initiatorPort: 'iqn.b,i,0x800000000002' });
  const head = Buffer.alloc(24);
  head.writeBigUInt64BE(1n, 0);
  head.writeBigUInt64BE(2n, 8);
  head[17] = 0x03;
  head.writeUInt16BE(3, 18);
  head.writeUInt32BE(id.length, 20);
  const p = parseRegisterAndMoveParameterList(Buffer.concat([head, id]));
  t.same(p, { reservationKey: 1n, serviceActionKey: 2n, unregister: true, aptpl: true, relativeTargetPortId: 3,
    destination: { initiatorName: 'iqn.b', initiatorPort: 'iqn.b,i,0x800000000002' } });
  t.same(sense(() => parseRegisterAndMoveParameterList(Buffer.concat([head, id.subarray(0, 8)])))?.asc, 0x1a);
  t.same(sense(() => parseRegisterAndMoveParameterList(Buffer.alloc(20)))?.asc, 0x1a);
});
