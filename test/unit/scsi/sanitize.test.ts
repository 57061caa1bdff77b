/** SANITIZE: only on LUNs that allow it; OVERWRITE, BLOCK ERASE, EXIT FAILURE MODE, field checks, NOT READY while running. */
import t from 'tap';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { ScsiTarget } from '../../../core/scsi/ScsiTarget.js';
import type { BackingStore } from '../../../core/store/BackingStore.js';
import { MemoryLogger } from '../../helpers/MemoryLogger.js';
import { MemoryStore } from '../../helpers/MemoryStore.js';
import { cdb, command, senseOf, testNexus, TEST_IQN } from '../../helpers/ScsiTargetFixture.js';
import { ThinMemoryStore } from '../../helpers/ThinMemoryStore.js';

const INVALID_CDB = { key: 0x05, asc: 0x24, ascq: 0 };
const INVALID_PARAM = { key: 0x05, asc: 0x26, ascq: 0 };

async function setup<S extends BackingStore>(store: S, allowSanitize = true) {
  const target = new ScsiTarget({ name: TEST_IQN, log: new MemoryLogger() });
  target.attachLun({ lun: 1, store, blockSize: 512, readOnly: false, allowSanitize });
  const nexus = testNexus();
  target.nexusOpened(nexus);
  const run = (c: Buffer, dataOut: Buffer | null = null) => target.execute(command(c, { nexus, lun: 1, dataOut }));
  await run(cdb(0x00));
  return { store, run };
}

const sanitize = (sa: number, listLength = 0, immed = false) => cdb(0x48, (immed ? 0x80 : 0) | sa, 0, 0, 0, 0, 0, listLength >> 8, listLength & 0xff, 0);
function overwriteList(pattern: Buffer, passes = 1, invert = false): Buffer {
  const b = Buffer.alloc(4 + pattern.length);
  b[0] = (invert ? 0x80 : 0) | passes;
  b.writeUInt16BE(pattern.length, 2);
  pattern.copy(b, 4);
  return b;
}

t.test('without allowSanitize the command does not exist', async (t) => {
  const f = await setup(new ThinMemoryStore(64 * 512), false);
  t.same(senseOf(await f.run(sanitize(2))), { key: 0x05, asc: 0x20, ascq: 0 });
  const list = overwriteList(Buffer.alloc(512, 0xaa));
  t.same(senseOf(await f.run(sanitize(1, list.length), list)), { key: 0x05, asc: 0x20, ascq: 0 });
});

t.test('OVERWRITE repeats the pattern over every block', async (t) => {
  const f = await setup(new MemoryStore({ size: 64 * 512 }));
  const list = overwriteList(Buffer.from([1, 2, 3]));
  t.equal((await f.run(sanitize(1, list.length), list)).status, ScsiStatus.Good);
  for (const block of [0, 63]) {
    const b = f.store.data.subarray(block * 512, (block + 1) * 512);
    t.same([...b.subarray(0, 4)], [1, 2, 3, 1], `block ${block} starts with the pattern`);
    t.equal(b[510], [1, 2, 3][510 % 3]);
  }
  const inv = overwriteList(Buffer.alloc(512, 0xaa), 2, true);
  t.equal((await f.run(sanitize(1, inv.length), inv)).status, ScsiStatus.Good);
  t.ok(f.store.data.every((b) => b === 0xaa), 'with INVERT the last pass writes the pattern itself');
  t.equal(f.store.writeLog.length, 3);
});

t.test('OVERWRITE parameter checks', async (t) => {
  const f = await setup(new MemoryStore({ size: 64 * 512 }));
  for (let len = 0; len < 5; len++) t.same(senseOf(await f.run(sanitize(1, len), Buffer.alloc(8))), INVALID_CDB, `list length ${len}`);
  t.same(senseOf(await f.run(sanitize(1, 512 + 5), Buffer.alloc(520))), INVALID_PARAM, 'pattern length 0');
  const noPasses = overwriteList(Buffer.alloc(512), 0);
  t.same(senseOf(await f.run(sanitize(1, noPasses.length), noPasses)), INVALID_PARAM, 'OVERWRITE COUNT 0');
  const tooLong = overwriteList(Buffer.alloc(516));
  t.same(senseOf(await f.run(sanitize(1, tooLong.length), tooLong)), INVALID_PARAM, 'pattern longer than a block');
  const mismatch = overwriteList(Buffer.alloc(16));
  t.same(senseOf(await f.run(sanitize(1, 24), Buffer.concat([mismatch, Buffer.alloc(4)]))), INVALID_CDB, 'list length ≠ 4 + pattern length');
  t.equal(f.store.writes, 0);
});

t.test('BLOCK ERASE deallocates everything (thin LUNs only); EXIT FAILURE MODE is GOOD; no parameter list allowed', async (t) => {
  const f = await setup(new ThinMemoryStore(64 * 512));
  f.store.data.fill(0x61);
  await f.run(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 64, 0), Buffer.alloc(64 * 512, 0x61));
  t.equal((await f.run(sanitize(2))).status, ScsiStatus.Good);
  t.equal(f.store.mappedBytes, 0);
  t.ok(f.store.data.every((b) => b === 0));
  t.same(senseOf(await f.run(sanitize(2, 8), Buffer.alloc(8))), INVALID_CDB);
  t.equal((await f.run(sanitize(0x1f))).status, ScsiStatus.Good);
  t.same(senseOf(await f.run(sanitize(0x1f, 8), Buffer.alloc(8))), INVALID_CDB);
  const full = await setup(new MemoryStore({ size: 64 * 512 }));
  t.same(senseOf(await full.run(sanitize(2))), { key: 0x05, asc: 0x20, ascq: 0 }, 'no BLOCK ERASE without thin provisioning');
});

t.test('reserved fields and unknown service actions: INVALID FIELD IN CDB', async (t) => {
  const f = await setup(new ThinMemoryStore(64 * 512));
  t.same(senseOf(await f.run(cdb(0x48, 0x42))), INVALID_CDB, 'byte 1 bit 6');
  for (let i = 2; i <= 6; i++) {
    const c = sanitize(2);
    c[i] = i;
    t.same(senseOf(await f.run(c)), INVALID_CDB, `byte ${i}`);
  }
  for (const sa of [0, 3, 4, 0x1e]) t.same(senseOf(await f.run(sanitize(sa))), INVALID_CDB, `service action ${sa}`);
});

t.test('while a SANITIZE runs, other commands are NOT READY / SANITIZE IN PROGRESS; INQUIRY answers', async (t) => {
  const f = await setup(new MemoryStore({ size: 64 * 512 }));
  const release = f.store.hold();
  const arrived = f.store.arrived();
  const list = overwriteList(Buffer.alloc(512, 1));
  const done = f.run(sanitize(1, list.length), list);
  await arrived;
  t.same(senseOf(await f.run(cdb(0x00))), { key: 0x02, asc: 0x04, ascq: 0x1b });
  t.same(senseOf(await f.run(cdb(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0))), { key: 0x02, asc: 0x04, ascq: 0x1b });
  t.equal((await f.run(cdb(0x12, 0, 0, 0, 96))).status, ScsiStatus.Good);
  release();
  t.equal((await done).status, ScsiStatus.Good);
  t.equal((await f.run(cdb(0x00))).status, ScsiStatus.Good);
});
