/** The 8-byte LUN field: SAM-5 peripheral (0..255) and flat space (256..16383) addressing. */
import t from 'tap';
import { decodeLun, encodeLun, NO_LUN } from '../../../plugins/transport-iscsi-tcp/pdu/Lun.js';

const cases: Array<[number, string]> = [
  [0, '0000000000000000'],
  [1, '0001000000000000'],
  [255, '00ff000000000000'],
  [256, '4100000000000000'],
  [0x1234, '5234000000000000'],
  [16383, '7fff000000000000'],
];

for (const [lun, h] of cases) {
  t.test(`LUN ${lun}`, async (t) => {
    const b = Buffer.alloc(8, 0xff);
    encodeLun(lun, b, 0);
    t.equal(b.toString('hex'), h);
    t.equal(decodeLun(Buffer.from(h, 'hex'), 0), lun);
  });
}

t.test('what cannot be a single-level LUN decodes to NO_LUN', async (t) => {
  t.equal(decodeLun(Buffer.from('0105000000000000', 'hex'), 0), NO_LUN, 'peripheral addressing with bus 1');
  t.equal(decodeLun(Buffer.from('0001000100000000', 'hex'), 0), NO_LUN, 'second level');
  t.equal(decodeLun(Buffer.from('8001000000000000', 'hex'), 0), NO_LUN, 'logical unit addressing');
  t.equal(decodeLun(Buffer.from('c001000000000000', 'hex'), 0), NO_LUN, 'extended addressing');
});

t.test('decode at an offset (inside a BHS)', async (t) => {
  const bhs = Buffer.alloc(48);
  encodeLun(300, bhs, 8);
  t.equal(bhs.subarray(8, 16).toString('hex'), '412c000000000000');
  t.equal(decodeLun(bhs, 8), 300);
});
