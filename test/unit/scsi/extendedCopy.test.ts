import t from 'tap';
import { LogicalUnitDirectory } from '../../../core/scsi/LogicalUnitDirectory.js';
import type { LogicalUnit } from '../../../core/scsi/LogicalUnit.js';
import { ScsiStatus, type ItNexus, type ScsiResult } from '../../../core/scsi/ScsiCommand.js';
import { ScsiTarget } from '../../../core/scsi/ScsiTarget.js';
import { MemoryLogger } from '../../helpers/MemoryLogger.js';
import { MemoryStore } from '../../helpers/MemoryStore.js';
import { cdb, command, senseOf, testNexus } from '../../helpers/ScsiTargetFixture.js';
import { b2b, copyList, cscd, xcopyCdb } from '../../helpers/extendedCopyList.js';

const BLOCK = 512;

interface Host {
  readonly a: ScsiTarget;
  readonly b: ScsiTarget;
  readonly lu1: LogicalUnit;
  readonly lu2: LogicalUnit;
  readonly other: LogicalUnit;
  readonly nexus: ItNexus;
  run(c: Buffer, dataOut?: Buffer, lu?: LogicalUnit): Promise<ScsiResult>;
}

/** Two targets sharing one directory: A has LUNs 1 and 2, B has LUN 1. */
async function host(): Promise<Host> {
  const directory = new LogicalUnitDirectory();
  const a = new ScsiTarget({ name: 'iqn.2026-11.io.lunhost.test:a', log: new MemoryLogger(), directory });
  const b = new ScsiTarget({ name: 'iqn.2026-11.io.lunhost.test:b', log: new MemoryLogger(), directory });
  const lu1 = a.attachLun({ lun: 1, store: new MemoryStore({ size: 256 * BLOCK }), blockSize: BLOCK, readOnly: false });
  const lu2 = a.attachLun({ lun: 2, store: new MemoryStore({ size: 256 * BLOCK }), blockSize: BLOCK, readOnly: false });
  const other = b.attachLun({ lun: 1, store: new MemoryStore({ size: 64 * BLOCK }), blockSize: BLOCK, readOnly: false });
  const nexus = testNexus();
  a.nexusOpened(nexus);
  // The same initiator also has a session with target B (another ISID, as a second session would).
  b.nexusOpened(testNexus(undefined, '023d00000002'));
  for (const lun of [0, 1, 2]) await a.execute(command(cdb(0x00), { nexus, lun }));
  const run = (c: Buffer, dataOut?: Buffer, lu: LogicalUnit = lu1): Promise<ScsiResult> =>
    a.execute(command(c, { nexus, lun: lu.lun, dataOut: dataOut ?? null }));
  return { a, b, lu1, lu2, other, nexus, run };
}

function fill(lu: LogicalUnit, lba: number, blocks: number, byte: number): void {
  (lu.store as MemoryStore).data.fill(byte, lba * BLOCK, (lba + blocks) * BLOCK);
}

function blocksOf(lu: LogicalUnit, lba: number, blocks: number): Buffer {
  return (lu.store as MemoryStore).data.subarray(lba * BLOCK, (lba + blocks) * BLOCK);
}

const COPY_ABORTED = 0x0a;

t.test('copies within a LU, between LUs and to a LU of another target', async (t) => {
  const h = await host();
  fill(h.lu1, 0, 16, 0x41);
  const within = copyList([cscd(h.lu1)], [b2b(0, 0, 16, 0, 200)]);
  t.equal((await h.run(xcopyCdb(within.length), within)).status, ScsiStatus.Good);
  t.ok(blocksOf(h.lu1, 200, 16).every((x) => x === 0x41), 'within LUN 1');

  const between = copyList([cscd(h.lu1), cscd(h.lu2), cscd(h.other)], [b2b(0, 1, 16, 0, 10), b2b(0, 2, 4, 4, 60)]);
  t.equal((await h.run(xcopyCdb(between.length), between)).status, ScsiStatus.Good);
  t.ok(blocksOf(h.lu2, 10, 16).every((x) => x === 0x41), 'to LUN 2');
  t.ok(blocksOf(h.other, 60, 4).every((x) => x === 0x41), 'to target B');
  t.ok(blocksOf(h.other, 56, 4).every((x) => x === 0), 'nothing else');
});

t.test('overlapping copy inside one LU moves the data intact', async (t) => {
  const h = await host();
  const data = blocksOf(h.lu1, 0, 8);
  for (let i = 0; i < data.length; i++) data[i] = i % 251;
  const expected = Buffer.from(data);
  const list = copyList([cscd(h.lu1)], [b2b(0, 0, 8, 0, 3)]);
  t.equal((await h.run(xcopyCdb(list.length), list)).status, ScsiStatus.Good);
  t.same(blocksOf(h.lu1, 3, 8), expected);
});

t.test('parameter list errors (ILLEGAL REQUEST) write nothing', async (t) => {
  const h = await host();
  fill(h.lu1, 0, 4, 0x55);
  const good = copyList([cscd(h.lu1)], [b2b(0, 0, 4, 0, 100)]);
  const truncated = await h.run(xcopyCdb(16 + 31), good.subarray(0, 16 + 31));
  t.same(senseOf(truncated), { key: 0x05, asc: 0x1a, ascq: 0x00 }, 'list cut inside a descriptor');
  const fc = copyList([cscd(h.lu1, { type: 0xe0 })], [b2b(0, 0, 4, 0, 100)]);
  t.same(senseOf(await h.run(xcopyCdb(fc.length), fc)), { key: 0x05, asc: 0x26, ascq: 0x07 }, 'unsupported CSCD type');
  const stream = copyList([cscd(h.lu1)], [b2b(0, 0, 4, 0, 100, 0x03)]);
  t.same(senseOf(await h.run(xcopyCdb(stream.length), stream)), { key: 0x05, asc: 0x26, ascq: 0x09 }, 'unsupported segment type');
  const many = copyList(Array.from({ length: 17 }, () => cscd(h.lu1)), [b2b(0, 0, 4, 0, 100)]);
  t.same(senseOf(await h.run(xcopyCdb(many.length), many)), { key: 0x05, asc: 0x26, ascq: 0x06 }, 'too many CSCD descriptors');
  const segs = copyList([cscd(h.lu1)], Array.from({ length: 65 }, () => b2b(0, 0, 1, 0, 100)));
  t.same(senseOf(await h.run(xcopyCdb(segs.length), segs)), { key: 0x05, asc: 0x26, ascq: 0x08 }, 'too many segment descriptors');
  const huge = copyList(Array.from({ length: 17 }, () => cscd(h.lu1)), Array.from({ length: 65 }, () => b2b(0, 0, 1, 0, 100)));
  t.same(senseOf(await h.run(xcopyCdb(huge.length), huge)), { key: 0x05, asc: 0x1a, ascq: 0x00 }, 'descriptor lists beyond the maximum length');
  const blockLength = copyList([cscd(h.lu1, { blockLength: 4096 })], [b2b(0, 0, 4, 0, 100)]);
  t.same(senseOf(await h.run(xcopyCdb(blockLength.length), blockLength)), { key: 0x05, asc: 0x26, ascq: 0x00 }, 'disk block length');
  t.ok(blocksOf(h.lu1, 100, 4).every((x) => x === 0), 'nothing was copied');
});

t.test('LU ID TYPE is ignored (SPC-4); zero-length list is a no-op', async (t) => {
  const h = await host();
  const list = copyList([cscd(h.lu1, { byte1: 0xc0 })], [b2b(0, 0, 4, 0, 100)]);
  t.equal((await h.run(xcopyCdb(list.length), list)).status, ScsiStatus.Good);
  t.equal((await h.run(xcopyCdb(0))).status, ScsiStatus.Good);
});

t.test('copy target and range errors are COPY ABORTED before any data moves', async (t) => {
  const h = await host();
  fill(h.lu1, 0, 4, 0x66);
  const badIndex = copyList([cscd(h.lu1)], [b2b(0, 0, 4, 0, 10), b2b(0, 1, 4, 0, 20)]);
  t.same(senseOf(await h.run(xcopyCdb(badIndex.length), badIndex)), { key: COPY_ABORTED, asc: 0x08, ascq: 0x04 }, 'no CSCD at index 1');
  t.ok(blocksOf(h.lu1, 10, 4).every((x) => x === 0), 'the first (valid) segment did not run either');
  const eol = copyList([cscd(h.lu1)], [b2b(0, 0, 4, 0, 254)]);
  t.same(senseOf(await h.run(xcopyCdb(eol.length), eol)), { key: COPY_ABORTED, asc: 0x0d, ascq: 0x02 }, 'beyond the end of the destination');
  const unknownLu = cscd(h.lu1);
  unknownLu[8] ^= 0xff;
  const unknown = copyList([unknownLu], [b2b(0, 0, 4, 0, 10)]);
  t.same(senseOf(await h.run(xcopyCdb(unknown.length), unknown)), { key: COPY_ABORTED, asc: 0x08, ascq: 0x04 }, 'no LU has that designator');
});

t.test('a LU of a target the initiator is not logged in to is unreachable', async (t) => {
  const h = await host();
  h.b.nexusClosed(testNexus(undefined, '023d00000002'));
  const list = copyList([cscd(h.lu1), cscd(h.other)], [b2b(0, 1, 1, 0, 0)]);
  t.same(senseOf(await h.run(xcopyCdb(list.length), list)), { key: COPY_ABORTED, asc: 0x08, ascq: 0x04 });
});

t.test('a detached LU is no longer a copy target', async (t) => {
  const h = await host();
  await h.b.detachLun(1);
  const list = copyList([cscd(h.lu1), cscd(h.other)], [b2b(0, 1, 1, 0, 0)]);
  t.same(senseOf(await h.run(xcopyCdb(list.length), list)), { key: COPY_ABORTED, asc: 0x08, ascq: 0x04 });
});

t.test('write-protected destination: DATA PROTECT', async (t) => {
  const h = await host();
  h.lu2.modeParameters.softwareWriteProtect = true;
  const list = copyList([cscd(h.lu1), cscd(h.lu2)], [b2b(0, 1, 1, 0, 0)]);
  t.same(senseOf(await h.run(xcopyCdb(list.length), list)), { key: 0x07, asc: 0x27, ascq: 0x00 });
});

t.test('reserved CDB bytes and header fields', async (t) => {
  const h = await host();
  const list = copyList([cscd(h.lu1)], [b2b(0, 0, 1, 0, 1)]);
  const c = xcopyCdb(list.length);
  c[5] = 1;
  t.same(senseOf(await h.run(c, list)), { key: 0x05, asc: 0x24, ascq: 0x00 });
  const usage1 = copyList([cscd(h.lu1)], [b2b(0, 0, 1, 0, 1)], { usage: 1 });
  t.same(senseOf(await h.run(xcopyCdb(usage1.length), usage1)), { key: 0x05, asc: 0x26, ascq: 0x00 }, 'LIST ID USAGE 01b');
  const noIdWithId = copyList([cscd(h.lu1)], [b2b(0, 0, 1, 0, 1)], { usage: 3, listId: 7 });
  t.same(senseOf(await h.run(xcopyCdb(noIdWithId.length), noIdWithId)), { key: 0x05, asc: 0x26, ascq: 0x00 }, 'LIST ID with usage 11b');
});

t.test('standard INQUIRY says the LU is a copy manager (3PC)', async (t) => {
  const h = await host();
  const d = (await h.run(cdb(0x12, 0, 0, 0, 96, 0))).dataIn as Buffer;
  t.equal(d[5] & 0x08, 0x08);
});
