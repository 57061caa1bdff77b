import t from 'tap';
import { TaskAttribute, type ItNexus, type ScsiCommand } from '../../../../core/scsi/ScsiCommand.js';
import { PrType } from '../../../../core/scsi/reservations/PersistentReservationType.js';
import { AccessClass, accessClassOf, reservationConflict } from '../../../../core/scsi/reservations/ReservationAccess.js';
import { newState, nexus, reg } from './nexusFixture.js';

const HOLDER = nexus('iqn.2026-01.test:holder');
const REGISTERED = nexus('iqn.2026-01.test:registered');
const OUTSIDER = nexus('iqn.2026-01.test:outsider');

function command(n: ItNexus, ...bytes: number[]): ScsiCommand {
  const cdb = Buffer.alloc(16);
  Buffer.from(bytes).copy(cdb);
  return { nexus: n, lun: 1, cdb, taskTag: 1, taskAttribute: TaskAttribute.Simple, expectedDataLength: 0, dataOut: null };
}

const READ10 = [0x28, 0, 0, 0, 0, 1, 0, 0, 1, 0];
const WRITE10 = [0x2a, 0, 0, 0, 0, 1, 0, 0, 1, 0];
const TUR = [0x00, 0, 0, 0, 0, 0];
const MODE_SENSE6 = [0x1a, 0, 0x3f, 0, 0xff, 0];
const SYNC_CACHE10 = [0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const PRIN = [0x5e, 0, 0, 0, 0, 0, 0, 0x40, 0, 0];

/**
 * SPC-4 table 5.9.x / SBC-3 4.17: [type, registered non-holder may read, may write, unregistered may read, may write].
 * The same expectations as libiscsi's ProutReserve.Access* tests.
 */
const MATRIX: Array<[string, PrType, boolean, boolean, boolean, boolean]> = [
  ['WRITE EXCLUSIVE', PrType.WriteExclusive, true, false, true, false],
  ['EXCLUSIVE ACCESS', PrType.ExclusiveAccess, false, false, false, false],
  ['WRITE EXCLUSIVE - REGISTRANTS ONLY', PrType.WriteExclusiveRegistrantsOnly, true, true, true, false],
  ['EXCLUSIVE ACCESS - REGISTRANTS ONLY', PrType.ExclusiveAccessRegistrantsOnly, true, true, false, false],
  ['WRITE EXCLUSIVE - ALL REGISTRANTS', PrType.WriteExclusiveAllRegistrants, true, true, true, false],
  ['EXCLUSIVE ACCESS - ALL REGISTRANTS', PrType.ExclusiveAccessAllRegistrants, true, true, false, false],
];

for (const [name, type, regRead, regWrite, unregRead, unregWrite] of MATRIX) {
  t.test(`conflict matrix: ${name}`, async (t) => {
    const { state } = newState([HOLDER, REGISTERED, OUTSIDER]);
    state.register(HOLDER, reg(0n, 1n), false);
    state.register(REGISTERED, reg(0n, 2n), false);
    t.equal(state.reserve(HOLDER, 1n, type), 'good');
    const conflicts = (n: ItNexus, cdb: number[]): boolean => reservationConflict(state, command(n, ...cdb));

    t.notOk(conflicts(HOLDER, READ10), 'holder reads');
    t.notOk(conflicts(HOLDER, WRITE10), 'holder writes');
    t.equal(!conflicts(REGISTERED, READ10), regRead, 'registered nexus reads');
    t.equal(!conflicts(REGISTERED, WRITE10), regWrite, 'registered nexus writes');
    t.equal(!conflicts(OUTSIDER, READ10), unregRead, 'unregistered nexus reads');
    t.equal(!conflicts(OUTSIDER, WRITE10), unregWrite, 'unregistered nexus writes');
    // Classes follow their model command.
    t.equal(conflicts(OUTSIDER, MODE_SENSE6), conflicts(OUTSIDER, READ10), 'MODE SENSE is a read (ALLOW COMMANDS 011b)');
    t.equal(conflicts(OUTSIDER, SYNC_CACHE10), conflicts(OUTSIDER, WRITE10), 'SYNCHRONIZE CACHE is a write');
    t.notOk(conflicts(OUTSIDER, TUR), 'TEST UNIT READY always passes');
    t.notOk(conflicts(OUTSIDER, PRIN), 'PERSISTENT RESERVE IN always passes');
    t.notOk(conflicts(OUTSIDER, [0x12, 0, 0, 0, 36, 0]), 'INQUIRY always passes');
    t.notOk(conflicts(OUTSIDER, [0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]), 'REPORT LUNS always passes');
  });
}

t.test('no reservation: nothing conflicts, registered or not', async (t) => {
  const { state } = newState([HOLDER, OUTSIDER]);
  state.register(HOLDER, reg(0n, 1n), false);
  t.notOk(reservationConflict(state, command(OUTSIDER, ...WRITE10)));
  t.notOk(reservationConflict(state, command(HOLDER, ...WRITE10)));
});

t.test('SPC-2 reservation: the holder does anything but PR; others only INQUIRY, REPORT LUNS, REQUEST SENSE, RELEASE', async (t) => {
  const { state } = newState([HOLDER, OUTSIDER]);
  state.spc2Reserve(HOLDER);
  const conflicts = (n: ItNexus, cdb: number[]): boolean => reservationConflict(state, command(n, ...cdb));
  t.notOk(conflicts(HOLDER, WRITE10));
  t.notOk(conflicts(HOLDER, MODE_SENSE6));
  t.ok(conflicts(HOLDER, PRIN), 'PERSISTENT RESERVE IN conflicts for everyone (SPC-4 5.13.3)');
  t.ok(conflicts(OUTSIDER, READ10));
  t.ok(conflicts(OUTSIDER, MODE_SENSE6), 'libiscsi Reserve6.2Initiators: MODE SENSE conflicts');
  t.ok(conflicts(OUTSIDER, TUR));
  t.ok(conflicts(OUTSIDER, [0x16, 0, 0, 0, 0, 0]), 'RESERVE(6) from another conflicts (dispatch)');
  t.notOk(conflicts(OUTSIDER, [0x12, 0, 0, 0, 36, 0]));
  t.notOk(conflicts(OUTSIDER, [0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]));
  t.notOk(conflicts(OUTSIDER, [0x03, 0, 0, 0, 18, 0]));
  t.notOk(conflicts(OUTSIDER, [0x17, 0, 0, 0, 0, 0]), 'RELEASE(6) passes (and is a no-op)');
});

t.test('access classes of special cases', async (t) => {
  const cdb = (...b: number[]): Buffer => { const x = Buffer.alloc(16); Buffer.from(b).copy(x); return x; };
  t.equal(accessClassOf(cdb(0x9e, 0x10)), AccessClass.Allowed, 'READ CAPACITY(16)');
  t.equal(accessClassOf(cdb(0x9e, 0x12)), AccessClass.Read, 'GET LBA STATUS');
  t.equal(accessClassOf(cdb(0xa3, 0x0c)), AccessClass.Read, 'REPORT SUPPORTED OPERATION CODES');
  t.equal(accessClassOf(cdb(0xa3, 0x0a)), AccessClass.Allowed, 'REPORT TARGET PORT GROUPS');
  t.equal(accessClassOf(cdb(0x1e, 0, 0, 0, 0)), AccessClass.Allowed, 'PREVENT ALLOW MEDIUM REMOVAL, PREVENT 0');
  t.equal(accessClassOf(cdb(0x1e, 0, 0, 0, 1)), AccessClass.Write, 'PREVENT 1');
  t.equal(accessClassOf(cdb(0x1b, 0, 0, 0, 0x01)), AccessClass.Allowed, 'START STOP UNIT START=1');
  t.equal(accessClassOf(cdb(0x1b, 0, 0, 0, 0x00)), AccessClass.Write, 'STOP');
  t.equal(accessClassOf(cdb(0x42)), AccessClass.Write, 'UNMAP');
  t.equal(accessClassOf(cdb(0x89)), AccessClass.Write, 'COMPARE AND WRITE');
  t.equal(accessClassOf(cdb(0xc0)), AccessClass.Write, 'unknown opcodes are writes');
});
