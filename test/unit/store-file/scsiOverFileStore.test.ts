import t from 'tap';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { ScsiTarget } from '../../../core/scsi/ScsiTarget.js';
import { ScsiStatus } from '../../../core/scsi/ScsiCommand.js';
import { FileStore } from '../../../plugins/store-file/FileStore.js';
import { MemoryLogger } from '../../helpers/MemoryLogger.js';
import { cdb, command, senseOf, testNexus } from '../../helpers/ScsiTargetFixture.js';

t.test('SCSI commands through a FileStore reach the file', async (t) => {
  const path = join(t.testdir(), 'disk.img');
  const log = new MemoryLogger();
  const store = await FileStore.open({ path, size: 1 << 20, readOnly: false, blockSize: 512, log });
  t.teardown(() => store.close());
  const target = new ScsiTarget({ name: 'iqn.2026-11.io.lunhost.test:file', log });
  const lu = target.attachLun({ lun: 1, store, blockSize: 512, readOnly: false });
  const nexus = testNexus();
  const run = (c: Buffer, dataOut: Buffer | null = null) => target.execute(command(c, { nexus, lun: 1, dataOut }));

  const w = await run(cdb(0x2a, 0x08, 0, 0, 0, 2, 0, 0, 2, 0), Buffer.alloc(1024, 0x33)); // FUA
  t.equal(w.status, ScsiStatus.Good);
  const onDisk = await readFile(path);
  t.equal(onDisk[1024], 0x33);
  t.equal(onDisk[2047], 0x33);
  t.equal(onDisk[2048], 0);
  const r = await run(cdb(0x28, 0, 0, 0, 0, 2, 0, 0, 1, 0));
  t.ok(r.dataIn?.every((b) => b === 0x33));
  t.equal((await run(cdb(0x35))).status, ScsiStatus.Good, 'SYNCHRONIZE CACHE');

  await store.resize(2 << 20);
  lu.capacityChanged();
  t.same(senseOf(await run(cdb(0x25))), { key: 0x06, asc: 0x2a, ascq: 0x09 });
  t.equal((await run(cdb(0x25))).dataIn?.readUInt32BE(0), 4095);
});

t.test('a read-only FileStore LUN refuses WRITE with WRITE PROTECTED', async (t) => {
  const dir = t.testdir({ 'disk.img': Buffer.alloc(8192, 1) });
  const log = new MemoryLogger();
  const store = await FileStore.open({ path: join(dir, 'disk.img'), size: 'auto', readOnly: true, blockSize: 512, log });
  t.teardown(() => store.close());
  const target = new ScsiTarget({ name: 'iqn.2026-11.io.lunhost.test:file', log });
  target.attachLun({ lun: 1, store, blockSize: 512, readOnly: false }); // the store itself declares readOnly
  const r = await target.execute(command(cdb(0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0), { lun: 1, dataOut: Buffer.alloc(512) }));
  t.same(senseOf(r), { key: 0x07, asc: 0x27, ascq: 0x00 });
  const ms = await target.execute(command(cdb(0x1a, 0, 0x3f, 0, 255), { lun: 1 }));
  t.equal((ms.dataIn as Buffer)[2] & 0x80, 0x80, 'MODE SENSE WP');
});
