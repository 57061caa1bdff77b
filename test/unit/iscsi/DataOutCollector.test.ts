/** Collecting Data-Out: immediate data, unsolicited burst, R2Ts within burst limits, sequence checks. */
import t from 'tap';
import { DataOutCollector, DataOutError } from '../../../plugins/transport-iscsi-tcp/session/DataOutCollector.js';
import { Opcode } from '../../../plugins/transport-iscsi-tcp/pdu/Opcode.js';
import type { DataOutPdu } from '../../../plugins/transport-iscsi-tcp/pdu/PduTypes.js';

const limits = { firstBurstLength: 8192, maxBurstLength: 16384, maxOutstandingR2T: 2 };

function dout(ttt: number, dataSN: number, bufferOffset: number, len: number, final: boolean): DataOutPdu {
  return { opcode: Opcode.DataOut, totalAhsLength: 0, dataSegmentLength: len, final, lun: 0, itt: 1, ttt, expStatSN: 0, dataSN, bufferOffset };
}

function make(total: number, unsolicitedFollows: boolean): DataOutCollector {
  let ttt = 100;
  return new DataOutCollector(Buffer.alloc(total), limits, unsolicitedFollows, () => ttt++);
}

t.test('immediate + unsolicited + R2Ts fill the buffer in place', async (t) => {
  const total = 8192 + 40000;
  const src = Buffer.alloc(total);
  for (let i = 0; i < total; i++) src[i] = i & 0xff;
  const c = make(total, true);
  c.acceptImmediate([src.subarray(0, 1024)], 1024);
  t.same(c.nextR2ts(), [], 'no R2T while the unsolicited burst is open');
  c.acceptDataOut(dout(0xffffffff, 0, 1024, 4096, false), [src.subarray(1024, 5120)], 4096);
  c.acceptDataOut(dout(0xffffffff, 1, 5120, 3072, true), [src.subarray(5120, 6144), src.subarray(6144, 8192)], 3072);
  const r2ts = c.nextR2ts();
  t.same(r2ts.map((r) => [r.ttt, r.r2tSN, r.bufferOffset, r.length]), [[100, 0, 8192, 16384], [101, 1, 24576, 16384]], 'MaxOutstandingR2T=2, MaxBurstLength each');
  c.acceptDataOut(dout(100, 0, 8192, 8192, false), [src.subarray(8192, 16384)], 8192);
  c.acceptDataOut(dout(100, 1, 16384, 8192, true), [src.subarray(16384, 24576)], 8192);
  const more = c.nextR2ts();
  t.same(more.map((r) => [r.r2tSN, r.bufferOffset, r.length]), [[2, 40960, 7232]]);
  c.acceptDataOut(dout(101, 0, 24576, 16384, true), [src.subarray(24576, 40960)], 16384);
  t.notOk(c.complete);
  c.acceptDataOut(dout(102, 0, 40960, 7232, true), [src.subarray(40960)], 7232);
  t.ok(c.complete);
  t.same(c.buffer, src);
});

t.test('sequence errors', async (t) => {
  const bad: Array<[string, (c: DataOutCollector) => void]> = [
    ['wrong DataSN', (c) => { c.nextR2ts(); c.acceptDataOut(dout(100, 1, 0, 512, false), [Buffer.alloc(512)], 512); }],
    ['wrong BufferOffset', (c) => { c.nextR2ts(); c.acceptDataOut(dout(100, 0, 512, 512, false), [Buffer.alloc(512)], 512); }],
    ['more than the R2T asked', (c) => { c.nextR2ts(); c.acceptDataOut(dout(100, 0, 0, 16896, true), [Buffer.alloc(16896)], 16896); }],
    ['F bit too early', (c) => { c.nextR2ts(); c.acceptDataOut(dout(100, 0, 0, 512, true), [Buffer.alloc(512)], 512); }],
    ['unknown TTT', (c) => { c.acceptDataOut(dout(555, 0, 0, 512, false), [Buffer.alloc(512)], 512); }],
    ['unsolicited data when none may follow', (c) => { c.acceptDataOut(dout(0xffffffff, 0, 0, 512, true), [Buffer.alloc(512)], 512); }],
    ['immediate data beyond the expected length', (c) => { c.acceptImmediate([Buffer.alloc(40000)], 40000); }],
  ];
  for (const [name, f] of bad) {
    const c = make(32768, false);
    let err: unknown = null;
    try { f(c); } catch (e) { err = e; }
    t.ok(err instanceof DataOutError, name);
  }
  const u = make(32768, true);
  let err: unknown = null;
  try { u.acceptDataOut(dout(0xffffffff, 0, 0, 8192, false), [Buffer.alloc(8192)], 8192); } catch (e) { err = e; }
  t.ok(err instanceof DataOutError, 'the unsolicited burst reaching FirstBurstLength must carry F');
});
