/**
 * QEMU's iSCSI block driver (qemu-io) against the iscsi-tcp transport:
 * writes of 512 B to 8 MiB at offsets and lengths unaligned to the data
 * segment and burst sizes, read back in new sessions, with and without
 * header digests, while a hostile socket misbehaves beside it.
 */
import t from 'tap';
import { connect } from 'node:net';
import { IscsiTransportHarness } from '../helpers/IscsiTransportHarness.js';
import { runTool } from '../helpers/runTool.js';
import { patternVerifyCommands, patternWriteCommands } from '../helpers/qemuIoPatterns.js';

const h = await IscsiTransportHarness.start({ luns: [{ lun: 1, size: 48 << 20 }] });
t.teardown(() => h.close());

function imageOpts(headerDigest: 'none' | 'crc32c'): string {
  return `driver=iscsi,transport=tcp,portal=127.0.0.1:${h.port},target=${h.iqn},lun=1,header-digest=${headerDigest}`;
}

t.test('write patterns, read them back in a new session', async (t) => {
  // A hostile neighbour: garbage, then a half PDU, then silence.
  const hostile = connect(h.port, '127.0.0.1');
  hostile.on('error', () => undefined);
  hostile.write(Buffer.alloc(100, 0x5a));
  const w = await runTool('qemu-io', ['-f', 'raw', ...patternWriteCommands(), h.lunUrl(1)]);
  t.equal(w.code, 0, w.stdout + w.stderr);
  t.notMatch(w.stdout, /failed|error/i);
  hostile.destroy();
  const r = await runTool('qemu-io', ['-f', 'raw', ...patternVerifyCommands(), h.lunUrl(1)]);
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.notMatch(r.stdout, /Pattern verification failed|error/i);
  // And the bytes really are on the LUN.
  const store = h.stores.get(1)!;
  t.ok(store.data.subarray((8 << 20) + 512, (16 << 20) + 512).every((b) => b === 0x66), '8 MiB extent on the medium');
});

t.test('with header digests (CRC32C)', async (t) => {
  const r = await runTool('qemu-io', ['--image-opts', '-c', 'write -P 0x99 1049088 3145216', '-c', 'read -P 0x99 1049088 3145216', imageOpts('crc32c')]);
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.notMatch(r.stdout, /Pattern verification failed|error/i);
  t.ok(h.loggedIn.some((s) => s.parameters['HeaderDigest'] === 'CRC32C'), 'CRC32C was negotiated');
});

t.test('small MaxRecvDataSegmentLength and bursts on the target side', async (t) => {
  const small = await IscsiTransportHarness.start({
    luns: [{ lun: 1, size: 16 << 20 }],
    targetOptions: { MaxRecvDataSegmentLength: 4096, MaxBurstLength: 16384, FirstBurstLength: 8192, InitialR2T: true, MaxOutstandingR2T: 2 },
  });
  t.teardown(() => small.close());
  const r = await runTool('qemu-io', ['-f', 'raw', '-c', 'write -P 0x42 512 1049088', '-c', 'read -P 0x42 512 1049088', '-c', 'write -P 0x43 7680 9216', '-c', 'read -P 0x43 7680 9216', small.lunUrl(1)]);
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.notMatch(r.stdout, /Pattern verification failed|error/i);
  const p = small.loggedIn.at(-1)?.parameters;
  t.equal(p?.['MaxBurstLength'], '16384');
  t.equal(p?.['InitialR2T'], 'Yes');
});
