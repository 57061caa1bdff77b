/**
 * PERSISTENT RESERVE IN/OUT and RESERVE/RELEASE through ScsiTarget.execute:
 * CDB and parameter-list checks, data formats, the conflict check in the
 * dispatch path, unit attentions to other nexuses, PREEMPT AND ABORT, APTPL.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { ScsiStatus, TaskManagementFunction, type ItNexus, type ScsiResult } from '../../../../core/scsi/ScsiCommand.js';
import { ScsiTarget } from '../../../../core/scsi/ScsiTarget.js';
import { ScsiTargetFixture, TEST_IQN, cdb, senseOf, testNexus } from '../../../helpers/ScsiTargetFixture.js';
import { MemoryLogger } from '../../../helpers/MemoryLogger.js';
import { MemoryStore } from '../../../helpers/MemoryStore.js';
import { encodeTransportId } from '../../../../core/scsi/reservations/TransportId.js';

const OTHER = testNexus('iqn.2026-11.io.lunhost.test:other', '023d00000002');

function prin(sa: number, alloc = 8192): Buffer {
  return cdb(0x5e, sa, 0, 0, 0, 0, 0, alloc >> 8, alloc & 0xff, 0);
}

function prout(sa: number, type = 0, length = 24, scope = 0): Buffer {
  return cdb(0x5f, sa, (scope << 4) | type, 0, 0, length >>> 24, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff, 0);
}

function params(rk: bigint, sark: bigint, flags = 0): Buffer {
  const b = Buffer.alloc(24);
  b.writeBigUInt64BE(rk, 0);
  b.writeBigUInt64BE(sark, 8);
  b[20] = flags;
  return b;
}

async function withOther(f: ScsiTargetFixture): Promise<void> {
  f.target.nexusOpened(OTHER);
  for (const lun of [0, f.lu.lun]) await f.run(cdb(0x00), { lun, nexus: OTHER });
}

function register(f: ScsiTargetFixture, key: bigint, nexus?: ItNexus, flags = 0): Promise<ScsiResult> {
  return f.run(prout(0x06), { dataOut: params(0n, key, flags), nexus });
}

const WRITE10 = cdb(0x2a, 0, 0, 0, 0, 1, 0, 0, 1, 0);
const READ10 = cdb(0x28, 0, 0, 0, 0, 1, 0, 0, 1, 0);

t.test('READ KEYS: empty, then the registered keys; ADDITIONAL LENGTH survives truncation', async (t) => {
  const f = await ScsiTargetFixture.create();
  const empty = await f.run(prin(0));
  t.equal(empty.status, ScsiStatus.Good);
  t.same(empty.dataIn, Buffer.alloc(8));
  t.equal((await register(f, 0x1122334455667788n)).status, ScsiStatus.Good);
  const keys = await f.run(prin(0));
  t.equal(keys.dataIn?.readUInt32BE(0), 1, 'PRgeneration');
  t.equal(keys.dataIn?.readUInt32BE(4), 8);
  t.equal(keys.dataIn?.readBigUInt64BE(8), 0x1122334455667788n);
  const cut = await f.run(prin(0, 8));
  t.equal(cut.dataIn?.length, 8, 'libiscsi PrinReadKeys.Truncate');
  t.equal(cut.dataIn?.readUInt32BE(4), 8, 'ADDITIONAL LENGTH not altered by the allocation length');
  const none = await f.run(prin(0, 0));
  t.equal(none.status, ScsiStatus.Good);
  t.equal(none.dataIn?.length ?? 0, 0);
});

t.test('PERSISTENT RESERVE IN: service actions 4..1Fh are INVALID FIELD IN CDB, not an unknown opcode', async (t) => {
  const f = await ScsiTargetFixture.create();
  for (const sa of [0, 1, 2, 3]) t.equal((await f.run(prin(sa))).status, ScsiStatus.Good, `SA ${sa}`);
  for (const sa of [4, 0x10, 0x1f]) {
    const r = await f.run(prin(sa));
    t.same(senseOf(r), { key: 5, asc: 0x24, ascq: 0 }, `SA ${sa}`);
  }
  const reserved = await f.run(cdb(0x5e, 0, 0, 0, 0, 1, 0, 0, 8, 0));
  t.same(senseOf(reserved), { key: 5, asc: 0x24, ascq: 0 }, 'reserved CDB byte 5 set');
  t.equal(senseOf(reserved).asc, 0x24);
  t.equal(reserved.sense?.readUInt16BE(16), 5, 'field pointer names byte 5');
});

t.test('REPORT CAPABILITIES', async (t) => {
  const f = await ScsiTargetFixture.create();
  const r = await f.run(prin(2));
  // length 8; CRH SIP_C ATP_C (no PTPL_C without a state directory); TMV, ALLOW COMMANDS 011b; all six types.
  t.same(r.dataIn, Buffer.from([0x00, 0x08, 0x1c, 0xb0, 0xea, 0x01, 0x00, 0x00]));
});

t.test('READ RESERVATION and READ FULL STATUS', async (t) => {
  const f = await ScsiTargetFixture.create();
  await register(f, 0xabn);
  t.equal((await f.run(prout(0x01, 0x3), { dataOut: params(0xabn, 0n) })).status, ScsiStatus.Good);
  const rr = await f.run(prin(1));
  t.equal(rr.dataIn?.length, 24);
  t.equal(rr.dataIn?.readUInt32BE(4), 16);
  t.equal(rr.dataIn?.readBigUInt64BE(8), 0xabn);
  t.equal(rr.dataIn?.[21], 0x03, 'scope 0, type EXCLUSIVE ACCESS');

  const fs = await f.run(prin(3));
  const d = fs.dataIn as Buffer;
  const tidLength = d.readUInt32BE(8 + 20);
  t.equal(d.readUInt32BE(4), 24 + tidLength);
  t.equal(d.readBigUInt64BE(8), 0xabn);
  t.equal(d[8 + 12], 0x01, 'R_HOLDER, not ALL_TG_PT');
  t.equal(d[8 + 13], 0x03);
  t.equal(d.readUInt16BE(8 + 18), 1, 'relative target port');
  const tid = d.subarray(8 + 24, 8 + 24 + tidLength);
  t.equal(tid[0], 0x45, 'iSCSI TransportID, initiator port format');
  t.match(tid.toString('latin1'), /iqn\.2026-11\.io\.lunhost\.test:initiator,i,0x023d00000001/);
});

t.test('PERSISTENT RESERVE OUT: CDB and parameter list errors', async (t) => {
  const f = await ScsiTargetFixture.create();
  const short = await f.run(prout(0x06, 0, 20), { dataOut: Buffer.alloc(20) });
  t.same(senseOf(short), { key: 5, asc: 0x1a, ascq: 0 }, 'PARAMETER LIST LENGTH ERROR (20)');
  const long = await f.run(prout(0x06, 0, 32), { dataOut: Buffer.alloc(32) });
  t.same(senseOf(long), { key: 5, asc: 0x1a, ascq: 0 }, 'PARAMETER LIST LENGTH ERROR (32)');
  const unknownSa = await f.run(prout(0x08), { dataOut: params(0n, 1n) });
  t.same(senseOf(unknownSa), { key: 5, asc: 0x24, ascq: 0 }, 'service action 8');
  await register(f, 5n);
  const badType = await f.run(prout(0x01, 0x2), { dataOut: params(5n, 0n) });
  t.same(senseOf(badType), { key: 5, asc: 0x24, ascq: 0 }, 'RESERVE type 2');
  const badScope = await f.run(prout(0x01, 0x1, 24, 1), { dataOut: params(5n, 0n) });
  t.same(senseOf(badScope), { key: 5, asc: 0x24, ascq: 0 }, 'scope 1');
  const reservedByte = await f.run(cdb(0x5f, 0x01, 0x01, 0x01, 0, 0, 0, 0, 24, 0), { dataOut: params(5n, 0n) });
  t.same(senseOf(reservedByte), { key: 5, asc: 0x24, ascq: 0 }, 'reserved byte 3');
  const aptpl = await register(f, 6n, undefined, 0x01);
  t.same(senseOf(aptpl), { key: 5, asc: 0x26, ascq: 0 }, 'APTPL without a state directory');
  const riekSpecIPt = await f.run(prout(0x06), { dataOut: params(0n, 7n, 0x08) });
  t.same(senseOf(riekSpecIPt), { key: 5, asc: 0x26, ascq: 0 }, 'SPEC_I_PT with REGISTER AND IGNORE EXISTING KEY');
  const missingData = await f.run(prout(0x06), { dataOut: Buffer.alloc(10), expectedDataLength: 10 });
  t.equal(missingData.status, ScsiStatus.CheckCondition, 'fewer bytes than PARAMETER LIST LENGTH');
  t.equal(missingData.commandDataLength, 24);
  t.same((await f.run(prin(0))).dataIn?.readUInt32BE(4), 8, 'only the first registration happened');
});

t.test('wrong reservation key is RESERVATION CONFLICT', async (t) => {
  const f = await ScsiTargetFixture.create();
  await register(f, 5n);
  const r = await f.run(prout(0x00), { dataOut: params(0n, 6n) });
  t.equal(r.status, ScsiStatus.ReservationConflict);
  t.equal(r.sense, null);
  t.equal((await f.run(prout(0x01, 1), { dataOut: params(4n, 0n) })).status, ScsiStatus.ReservationConflict);
});

t.test('dispatch refuses what the reservation forbids, before the store is touched', async (t) => {
  const f = await ScsiTargetFixture.create();
  await withOther(f);
  await register(f, 1n);
  await f.run(prout(0x01, 0x1), { dataOut: params(1n, 0n) }); // WRITE EXCLUSIVE
  const writesBefore = f.store.writes;
  const w = await f.run(WRITE10, { nexus: OTHER, dataOut: Buffer.alloc(512) });
  t.equal(w.status, ScsiStatus.ReservationConflict);
  t.equal(f.store.writes, writesBefore);
  t.equal((await f.run(READ10, { nexus: OTHER })).status, ScsiStatus.Good);
  t.equal((await f.run(WRITE10, { dataOut: Buffer.alloc(512) })).status, ScsiStatus.Good, 'holder writes');
  const badOpcode = await f.run(cdb(0xc7), { nexus: OTHER });
  t.same(senseOf(badOpcode), { key: 5, asc: 0x20, ascq: 0 }, 'unknown opcodes stay INVALID COMMAND OPERATION CODE');
});

t.test('PREEMPT: REGISTRATIONS PREEMPTED reaches the preempted nexus', async (t) => {
  const f = await ScsiTargetFixture.create();
  await withOther(f);
  await register(f, 0xa1n);
  await register(f, 0xb2n, OTHER);
  const p = await f.run(prout(0x04, 0x3), { nexus: OTHER, dataOut: params(0xb2n, 0xa1n) });
  t.equal(p.status, ScsiStatus.Good);
  const ua = await f.run(cdb(0x00));
  t.same(senseOf(ua), { key: 6, asc: 0x2a, ascq: 0x05 });
  t.equal((await f.run(cdb(0x00))).status, ScsiStatus.Good);
  t.equal((await f.run(cdb(0x00), { nexus: OTHER })).status, ScsiStatus.Good, 'the preempting nexus gets none');
  const keys = await f.run(prin(0));
  t.equal(keys.dataIn?.readUInt32BE(4), 8);
  t.equal(keys.dataIn?.readBigUInt64BE(8), 0xb2n);
});

t.test('PREEMPT AND ABORT ends the preempted nexus\'s tasks as TASK ABORTED', async (t) => {
  const f = await ScsiTargetFixture.create();
  await withOther(f);
  await register(f, 1n);
  await register(f, 2n, OTHER);
  await f.run(prout(0x01, 0x1), { dataOut: params(1n, 0n) });
  const release = f.store.hold();
  const arrived = f.store.arrived();
  const victim = f.run(READ10); // the holder's read, held in the store
  await arrived;
  const preempt = f.run(prout(0x05, 0x3), { nexus: OTHER, dataOut: params(2n, 1n) });
  release();
  const [v, p] = await Promise.all([victim, preempt]);
  t.equal(p.status, ScsiStatus.Good);
  t.equal(v.status, ScsiStatus.TaskAborted);
  t.same(senseOf(await f.run(cdb(0x00))), { key: 6, asc: 0x2a, ascq: 0x05 });
  const rr = await f.run(prin(1));
  t.equal(rr.dataIn?.readBigUInt64BE(8), 2n, 'OTHER holds the reservation now');
});

t.test('RESERVE(6) / RELEASE(6) through dispatch, nexus loss and LUN reset', async (t) => {
  const f = await ScsiTargetFixture.create();
  await withOther(f);
  t.equal((await f.run(cdb(0x16, 0, 0, 0, 0, 0))).status, ScsiStatus.Good);
  t.equal((await f.run(cdb(0x16, 0, 0, 0, 0, 0))).status, ScsiStatus.Good, 'again by the holder');
  t.equal((await f.run(cdb(0x16, 0, 0, 0, 0, 0), { nexus: OTHER })).status, ScsiStatus.ReservationConflict);
  t.equal((await f.run(cdb(0x17, 0, 0, 0, 0, 0), { nexus: OTHER })).status, ScsiStatus.Good, 'RELEASE by another: no-op');
  t.equal((await f.run(cdb(0x1a, 0, 0x3f, 0, 0xff, 0), { nexus: OTHER })).status, ScsiStatus.ReservationConflict, 'MODE SENSE');
  t.equal((await f.run(cdb(0x12, 0, 0, 0, 36, 0), { nexus: OTHER })).status, ScsiStatus.Good, 'INQUIRY');
  t.equal((await f.run(cdb(0x1a, 0, 0x3f, 0, 0xff, 0))).status, ScsiStatus.Good, 'holder MODE SENSE');
  t.equal((await f.run(prin(0))).status, ScsiStatus.ReservationConflict, 'PERSISTENT RESERVE IN under RESERVE');
  t.equal((await f.run(cdb(0x17, 0, 0, 0, 0, 0))).status, ScsiStatus.Good);
  t.equal((await f.run(cdb(0x16, 0, 0, 0, 0, 0), { nexus: OTHER })).status, ScsiStatus.Good, 'free after RELEASE');

  f.target.nexusClosed(OTHER);
  t.equal((await f.run(cdb(0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0))).status, ScsiStatus.Good, 'RESERVE(10) after the holder\'s nexus is gone');
  const reset = await f.target.taskManagement({ nexus: f.nexus, fn: TaskManagementFunction.LogicalUnitReset, lun: f.lu.lun, referencedTaskTag: 0 });
  t.equal(reset, 0);
  t.same(senseOf(await f.run(cdb(0x00))), { key: 6, asc: 0x29, ascq: 0x03 }, 'BUS DEVICE RESET FUNCTION OCCURRED');
  await withOther(f);
  t.equal((await f.run(cdb(0x16, 0, 0, 0, 0, 0), { nexus: OTHER })).status, ScsiStatus.Good, 'LUN reset released it');

  const third = await f.run(cdb(0x56, 0x10, 0, 0, 0, 0, 0, 0, 0, 0), { nexus: OTHER });
  t.same(senseOf(third), { key: 5, asc: 0x24, ascq: 0 }, 'third-party RESERVE(10)');
  await f.run(cdb(0x17, 0, 0, 0, 0, 0), { nexus: OTHER });
  await register(f, 9n);
  t.equal((await f.run(cdb(0x16, 0, 0, 0, 0, 0))).status, ScsiStatus.ReservationConflict, 'RESERVE with registrations present');
});

t.test('APTPL: persisted in the state directory and loaded by the next attach', async (t) => {
  const dir = t.testdir();
  const store = new MemoryStore({ size: 1024 * 512 });
  const attach = (): { target: ScsiTarget; run: (c: Buffer, data?: Buffer) => Promise<ScsiResult> } => {
    const target = new ScsiTarget({ name: TEST_IQN, log: new MemoryLogger() });
    target.attachLun({ lun: 1, store, blockSize: 512, readOnly: false, stateDir: dir });
    const nexus = testNexus();
    target.nexusOpened(nexus);
    return {
      target,
      run: (c, data) => target.execute({ nexus, lun: 1, cdb: c, taskTag: 1, taskAttribute: 0, expectedDataLength: data?.length ?? 8192, dataOut: data ?? null }),
    };
  };
  const first = attach();
  await first.run(cdb(0x00));
  const caps = await first.run(prin(2));
  t.equal((caps.dataIn as Buffer)[2] & 0x01, 1, 'PTPL_C with a state directory');
  t.equal((await first.run(prout(0x06), params(0n, 0x77n, 0x01))).status, ScsiStatus.Good);
  t.equal((await first.run(prout(0x01, 0x5), params(0x77n, 0n))).status, ScsiStatus.Good);
  t.equal(((await first.run(prin(2))).dataIn as Buffer)[3] & 0x01, 1, 'PTPL_A');

  const second = attach(); // a restart: new target, new LU, same state directory
  await second.run(cdb(0x00));
  const keys = await second.run(prin(0));
  t.equal(keys.dataIn?.readBigUInt64BE(8), 0x77n);
  const rr = await second.run(prin(1));
  t.equal(rr.dataIn?.[21], 0x05);
  t.equal(rr.dataIn?.readBigUInt64BE(8), 0x77n);

  t.equal((await second.run(prout(0x03), params(0x77n, 0n))).status, ScsiStatus.Good, 'CLEAR');
  t.equal((await second.run(prout(0x06), params(0n, 0x78n))).status, ScsiStatus.Good, 'APTPL 0');
  const files = (await import('node:fs')).readdirSync(dir).filter((n) => n.startsWith('pr-'));
  t.same(files, [], 'state file removed once APTPL is 0');
  t.notOk(existsSync(`${dir}/nothing`));
});

t.test('REGISTER with SPEC_I_PT and ALL_TG_PT through the command', async (t) => {
  const f = await ScsiTargetFixture.create();
  await withOther(f);
  const id = encodeTransportId({ initiatorName: OTHER.initiatorName, initiatorPort: OTHER.initiatorPortName });
  const head = params(0n, 0x42n, 0x08 | 0x04);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(id.length);
  const list = Buffer.concat([head, len, id]);
  t.equal((await f.run(prout(0x00, 0, list.length), { dataOut: list })).status, ScsiStatus.Good);
  const keys = await f.run(prin(0));
  t.equal(keys.dataIn?.readUInt32BE(4), 16, 'two registrations');
  t.equal((await f.run(prout(0x01, 0x1), { nexus: OTHER, dataOut: params(0x42n, 0n) })).status, ScsiStatus.Good, 'the named port may reserve with the key');
  const fs = (await f.run(prin(3))).dataIn as Buffer;
  t.equal(fs[8 + 12] & 0x02, 0x02, 'ALL_TG_PT reported');
  t.equal(fs.readUInt16BE(8 + 18), 0, 'no relative target port for ALL_TG_PT');
  const wrongLen = Buffer.concat([head, Buffer.from([0, 0, 0, 4]), id]);
  t.same(senseOf(await f.run(prout(0x00, 0, wrongLen.length), { dataOut: wrongLen })), { key: 5, asc: 0x1a, ascq: 0 }, 'TransportID length mismatch');
});
