import t from 'tap';
import { CheckCondition } from '../../../../core/scsi/CheckCondition.js';
import { SenseCodes } from '../../../../core/scsi/SenseCodes.js';
import { PrType } from '../../../../core/scsi/reservations/PersistentReservationType.js';
import { ReservationSenseCodes } from '../../../../core/scsi/reservations/ReservationSenseCodes.js';
import { newState, nexus, reg } from './nexusFixture.js';

const A = nexus('iqn.2026-01.test:a');
const B = nexus('iqn.2026-01.test:b');
const C = nexus('iqn.2026-01.test:c');

function senseOf(fn: () => unknown): { asc: number; ascq: number; key: number } | null {
  try {
    fn();
  } catch (err) {
    if (err instanceof CheckCondition) return { key: err.code.key, asc: err.code.asc, ascq: err.code.ascq };
    throw err;
  }
  return null;
}

t.test('REGISTER: unregistered nexus', async (t) => {
  const { state } = newState([A]);
  t.equal(state.register(A, reg(5n, 0x10n), false), 'conflict', 'non-zero RESERVATION KEY while unregistered');
  t.equal(state.generation, 0);
  t.equal(state.register(A, reg(0n, 0n), false), 'good', 'unregistering an unregistered nexus');
  t.equal(state.generation, 0, 'no-op does not bump the generation');
  t.equal(state.register(A, reg(0n, 0x10n), false), 'good');
  t.equal(state.generation, 1);
  t.same(state.registrations.map((r) => r.key), [0x10n]);
  t.equal(state.registrationOf(A)?.key, 0x10n);
  t.equal(state.registrationOf(B), undefined);
});

t.test('REGISTER: registered nexus changes or removes its key, wrong key conflicts', async (t) => {
  const { state } = newState([A]);
  state.register(A, reg(0n, 0x10n), false);
  t.equal(state.register(A, reg(0n, 0x11n), false), 'conflict', 'libiscsi ProutRegister: re-register without the key');
  t.equal(state.register(A, reg(0x99n, 0x11n), false), 'conflict');
  t.equal(state.register(A, reg(0x10n, 0x11n), false), 'good');
  t.equal(state.registrationOf(A)?.key, 0x11n);
  t.equal(state.register(A, reg(0x11n, 0n), false), 'good');
  t.equal(state.registrations.length, 0);
  t.equal(state.generation, 3);
});

t.test('REGISTER AND IGNORE EXISTING KEY ignores RESERVATION KEY', async (t) => {
  const { state } = newState([A]);
  t.equal(state.register(A, reg(0x77n, 0x10n), true), 'good');
  t.equal(state.register(A, reg(0x77n, 0x20n), true), 'good');
  t.equal(state.registrationOf(A)?.key, 0x20n);
  t.equal(state.register(A, reg(0n, 0n), true), 'good');
  t.equal(state.registrations.length, 0);
});

t.test('registrations belong to the initiator port and target port', async (t) => {
  const otherIsid = nexus('iqn.2026-01.test:a', '800000000002');
  const otherPort = nexus('iqn.2026-01.test:a', '800000000001', 2);
  const { state } = newState([A, otherIsid, otherPort]);
  state.register(A, reg(0n, 1n), false);
  t.ok(state.registrationOf(A));
  t.equal(state.registrationOf(otherIsid), undefined, 'another ISID is another initiator port');
  t.equal(state.registrationOf(otherPort), undefined, 'another portal group is another target port');
  // Reconnecting with the same names is the same I_T nexus (registrations outlive nexus loss).
  state.nexusClosed(A);
  t.ok(state.registrationOf(nexus('iqn.2026-01.test:a')));
});

t.test('ALL_TG_PT registers the initiator port on every target port', async (t) => {
  const otherPort = nexus('iqn.2026-01.test:a', '800000000001', 7);
  const { state } = newState([A, otherPort]);
  state.register(A, reg(0n, 1n, { allTargetPorts: true }), false);
  t.equal(state.registrationOf(otherPort)?.key, 1n);
  t.equal(state.registrations[0].targetPort, null);
});

t.test('SPEC_I_PT registers the named initiator ports too, all or nothing', async (t) => {
  const { state } = newState([A, B, C]);
  const r = state.register(A, reg(0n, 9n, {
    initiators: [
      { initiatorName: 'iqn.2026-01.test:b', initiatorPort: 'iqn.2026-01.test:b,i,0x800000000001' },
      { initiatorName: 'iqn.2026-01.test:c', initiatorPort: null },
    ],
  }), false);
  t.equal(r, 'good');
  t.equal(state.registrations.length, 3);
  t.equal(state.registrationOf(B)?.key, 9n);
  t.equal(state.registrationOf(nexus('iqn.2026-01.test:c', '80000000abcd'))?.key, 9n, 'name-only TransportID: any ISID');
  t.equal(state.generation, 1);

  const { state: s2 } = newState([A, B]);
  s2.register(B, reg(0n, 3n), false);
  const sense = senseOf(() => s2.register(A, reg(0n, 4n, { initiators: [{ initiatorName: 'iqn.2026-01.test:b', initiatorPort: null }] }), false));
  t.same(sense, { key: 5, asc: 0x26, ascq: 0 }, 'an already registered port: INVALID FIELD IN PARAMETER LIST');
  t.equal(s2.registrations.length, 1, 'nothing registered');

  const { state: s3 } = newState([A]);
  s3.register(A, reg(0n, 4n), false);
  t.same(senseOf(() => s3.register(A, reg(4n, 5n, { initiators: [{ initiatorName: 'x', initiatorPort: null }] }), false)),
    { key: 5, asc: 0x26, ascq: 0 }, 'SPEC_I_PT from a registered nexus');
});

t.test('RESERVE', async (t) => {
  const { state } = newState([A, B]);
  t.equal(state.reserve(A, 0n, PrType.WriteExclusive), 'conflict', 'unregistered');
  state.register(A, reg(0n, 1n), false);
  state.register(B, reg(0n, 2n), false);
  const gen = state.generation;
  t.equal(state.reserve(A, 2n, PrType.WriteExclusive), 'conflict', 'wrong key');
  t.equal(state.reserve(A, 1n, PrType.WriteExclusive), 'good');
  t.equal(state.generation, gen, 'RESERVE does not bump the generation');
  t.equal(state.reserve(A, 1n, PrType.WriteExclusive), 'good', 'holder, same type');
  t.equal(state.reserve(A, 1n, PrType.ExclusiveAccess), 'conflict', 'holder, other type');
  t.equal(state.reserve(B, 2n, PrType.WriteExclusive), 'conflict', 'not the holder');
  t.equal(state.reservation?.holder, state.registrationOf(A));
});

t.test('RESERVE of an ALL REGISTRANTS type: every registrant holds it', async (t) => {
  const { state } = newState([A, B]);
  state.register(A, reg(0n, 1n), false);
  state.register(B, reg(0n, 2n), false);
  t.equal(state.reserve(A, 1n, PrType.ExclusiveAccessAllRegistrants), 'good');
  t.equal(state.reserve(B, 2n, PrType.ExclusiveAccessAllRegistrants), 'good');
  t.ok(state.isHolder(state.registrationOf(B)!));
});

t.test('RELEASE', async (t) => {
  const { state, ua } = newState([A, B]);
  state.register(A, reg(0n, 1n), false);
  state.register(B, reg(0n, 2n), false);
  t.equal(state.release(A, 1n, PrType.WriteExclusive), 'good', 'nothing reserved');
  state.reserve(A, 1n, PrType.WriteExclusive);
  t.equal(state.release(B, 2n, PrType.WriteExclusive), 'good', 'not the holder: no-op');
  t.ok(state.reservation, 'still reserved');
  t.equal(state.release(A, 9n, PrType.WriteExclusive), 'conflict', 'wrong key');
  t.same(senseOf(() => state.release(A, 1n, PrType.ExclusiveAccess)), { key: 5, asc: 0x26, ascq: 0x04 }, 'INVALID RELEASE OF PERSISTENT RESERVATION');
  t.equal(state.release(A, 1n, PrType.WriteExclusive), 'good');
  t.equal(state.reservation, null);
  t.same(ua.raised, [], 'WRITE EXCLUSIVE release raises nothing');

  state.reserve(A, 1n, PrType.WriteExclusiveRegistrantsOnly);
  t.equal(state.release(A, 1n, PrType.WriteExclusiveRegistrantsOnly), 'good');
  t.same(ua.for(B), [ReservationSenseCodes.reservationsReleased], 'REGISTRANTS ONLY release: RESERVATIONS RELEASED to the others');
  t.same(ua.for(A), []);
});

t.test('unregistering the holder', async (t) => {
  for (const [type, shared] of [
    [PrType.WriteExclusive, false], [PrType.ExclusiveAccess, false],
    [PrType.WriteExclusiveRegistrantsOnly, false], [PrType.ExclusiveAccessRegistrantsOnly, false],
    [PrType.WriteExclusiveAllRegistrants, true], [PrType.ExclusiveAccessAllRegistrants, true],
  ] as const) {
    const { state, ua } = newState([A, B]);
    state.register(A, reg(0n, 1n), false);
    state.register(B, reg(0n, 2n), false);
    state.reserve(A, 1n, type);
    state.register(A, reg(1n, 0n), false);
    if (shared) {
      t.equal(state.reservation?.type, type, `type ${type}: an ALL REGISTRANTS reservation stays`);
      t.equal(state.release(B, 2n, type), 'good');
      t.equal(state.reservation, null);
    } else {
      t.equal(state.reservation, null, `type ${type}: released with its holder`);
      const ro = type === PrType.WriteExclusiveRegistrantsOnly || type === PrType.ExclusiveAccessRegistrantsOnly;
      t.same(ua.for(B), ro ? [ReservationSenseCodes.reservationsReleased] : [], `type ${type}: unit attention`);
    }
  }
  const { state } = newState([A]);
  state.register(A, reg(0n, 1n), false);
  state.reserve(A, 1n, PrType.WriteExclusiveAllRegistrants);
  state.register(A, reg(1n, 0n), false);
  t.equal(state.reservation, null, 'the last registrant takes an ALL REGISTRANTS reservation with it');
});

t.test('CLEAR', async (t) => {
  const { state, ua } = newState([A, B, C]);
  state.register(A, reg(0n, 1n), false);
  state.register(B, reg(0n, 2n), false);
  state.reserve(A, 1n, PrType.ExclusiveAccess);
  t.equal(state.clear(C, 0n), 'conflict', 'unregistered');
  t.equal(state.clear(B, 1n), 'conflict', 'wrong key');
  const gen = state.generation;
  t.equal(state.clear(B, 2n), 'good');
  t.equal(state.generation, gen + 1);
  t.equal(state.reservation, null);
  t.equal(state.registrations.length, 0);
  t.same(ua.for(A), [ReservationSenseCodes.reservationsPreempted]);
  t.same(ua.for(B), [], 'not the sender');
  t.same(ua.for(C), [], 'not registered');
});

t.test('PREEMPT without a reservation removes registrations (libiscsi ProutPreempt)', async (t) => {
  const { state, ua } = newState([A, B]);
  state.register(A, reg(0n, 0xa1n), true);
  state.register(B, reg(0n, 0xb2n), true);
  const gen = state.generation;
  const r = state.preempt(B, 0xb2n, 0xa1n, PrType.ExclusiveAccess);
  t.equal(r.outcome, 'good');
  t.same(r.preemptedNexusIds, [A.id]);
  t.equal(state.generation, gen + 1);
  t.same(state.registrations.map((x) => x.key), [0xb2n]);
  t.same(ua.for(A), [ReservationSenseCodes.registrationsPreempted]);
  t.equal(state.reservation, null, 'no reservation established');
  t.equal(state.preempt(B, 0xb2n, 0x5555n, PrType.ExclusiveAccess).outcome, 'conflict', 'key of nobody');
  t.same(senseOf(() => state.preempt(B, 0xb2n, 0n, PrType.ExclusiveAccess)), { key: 5, asc: 0x26, ascq: 0 }, 'SARK 0 without reservation');
  t.equal(state.preempt(A, 0xa1n, 0xb2n, PrType.ExclusiveAccess).outcome, 'conflict', 'preempted nexus is no longer registered');
});

t.test('PREEMPT of the holder takes the reservation', async (t) => {
  const { state, ua } = newState([A, B, C]);
  state.register(A, reg(0n, 1n), false);
  state.register(B, reg(0n, 2n), false);
  state.register(C, reg(0n, 3n), false);
  state.reserve(A, 1n, PrType.WriteExclusive);
  t.same(senseOf(() => state.preempt(B, 2n, 1n, 0x2)), { key: 5, asc: 0x24, ascq: 0 }, 'invalid TYPE');
  const r = state.preempt(B, 2n, 1n, PrType.ExclusiveAccess);
  t.equal(r.outcome, 'good');
  t.equal(state.reservation?.holder, state.registrationOf(B));
  t.equal(state.reservation?.type, PrType.ExclusiveAccess);
  t.equal(state.registrationOf(A), undefined);
  t.same(ua.for(A), [ReservationSenseCodes.registrationsPreempted]);
  t.same(ua.for(C), [ReservationSenseCodes.reservationsReleased], 'type changed: the remaining registrants are told');
  t.same(ua.for(B), []);
});

t.test('PREEMPT of an ALL REGISTRANTS reservation with SARK 0 removes everyone else', async (t) => {
  const { state, ua } = newState([A, B, C]);
  state.register(A, reg(0n, 1n), false);
  state.register(B, reg(0n, 2n), false);
  state.register(C, reg(0n, 3n), false);
  state.reserve(A, 1n, PrType.WriteExclusiveAllRegistrants);
  const r = state.preempt(B, 2n, 0n, PrType.WriteExclusiveAllRegistrants);
  t.equal(r.outcome, 'good');
  t.same([...r.preemptedNexusIds].sort(), [A.id, C.id].sort());
  t.same(state.registrations.map((x) => x.key), [2n]);
  t.equal(state.reservation?.type, PrType.WriteExclusiveAllRegistrants);
  t.same(ua.for(A), [ReservationSenseCodes.registrationsPreempted]);
  t.same(ua.for(C), [ReservationSenseCodes.registrationsPreempted]);

  // With a non-zero key only that registration goes; the reservation stays.
  const { state: s2 } = newState([A, B]);
  s2.register(A, reg(0n, 1n), false);
  s2.register(B, reg(0n, 2n), false);
  s2.reserve(A, 1n, PrType.ExclusiveAccessAllRegistrants);
  t.equal(s2.preempt(B, 2n, 1n, PrType.ExclusiveAccessAllRegistrants).outcome, 'good');
  t.equal(s2.reservation?.type, PrType.ExclusiveAccessAllRegistrants);
  t.ok(s2.isHolder(s2.registrationOf(B)!));
});

t.test('REGISTER AND MOVE', async (t) => {
  const { state } = newState([A, B]);
  state.register(A, reg(0n, 1n), false);
  const move = { reservationKey: 1n, serviceActionKey: 7n, unregister: false, aptpl: false, relativeTargetPortId: 1,
    destination: { initiatorName: 'iqn.2026-01.test:b', initiatorPort: 'iqn.2026-01.test:b,i,0x800000000001' } };
  t.equal(state.registerAndMove(A, move), 'conflict', 'no reservation to move');
  state.reserve(A, 1n, PrType.ExclusiveAccess);
  t.equal(state.registerAndMove(A, { ...move, reservationKey: 2n }), 'conflict', 'wrong key');
  t.same(senseOf(() => state.registerAndMove(A, { ...move, serviceActionKey: 0n })), { key: 5, asc: 0x26, ascq: 0 });
  t.same(senseOf(() => state.registerAndMove(A, { ...move, destination: { initiatorName: 'iqn.2026-01.test:a', initiatorPort: A.initiatorPortName } })),
    { key: 5, asc: 0x26, ascq: 0 }, 'moving to itself');
  const gen = state.generation;
  t.equal(state.registerAndMove(A, { ...move, unregister: true }), 'good');
  t.equal(state.generation, gen + 1);
  t.equal(state.reservation?.holder, state.registrationOf(B));
  t.equal(state.registrationOf(B)?.key, 7n);
  t.equal(state.registrationOf(A), undefined, 'UNREG');
  t.equal(state.reservation?.type, PrType.ExclusiveAccess);
});

t.test('SPC-2 RESERVE / RELEASE', async (t) => {
  const { state } = newState([A, B]);
  t.equal(state.spc2Reserve(A), 'good');
  t.equal(state.spc2Reserve(A), 'good', 'holder reserves again');
  t.equal(state.spc2Reserve(B), 'conflict');
  t.equal(state.spc2Release(B), 'good', 'release by another: no-op');
  t.equal(state.spc2Holder, A.id);
  t.equal(state.spc2Release(A), 'good');
  t.equal(state.spc2Holder, null);

  state.spc2Reserve(A);
  state.nexusClosed(A);
  t.equal(state.spc2Holder, null, 'I_T nexus loss releases it');
  state.spc2Reserve(B);
  state.reset();
  t.equal(state.spc2Holder, null, 'LOGICAL UNIT RESET releases it');

  state.register(A, reg(0n, 1n), false);
  t.equal(state.spc2Reserve(B), 'conflict', 'registrations exist');
  t.equal(state.spc2Release(B), 'conflict', 'registrations exist');
  state.nexusClosed(A);
  t.equal(state.registrations.length, 1, 'persistent registrations survive nexus loss');
  state.reset();
  t.equal(state.registrations.length, 1, 'and LU reset');
});

t.test('generation wraps at 32 bits', async (t) => {
  const { state } = newState([A]);
  state.generation = 0xffffffff;
  state.register(A, reg(0n, 1n), false);
  t.equal(state.generation, 0);
});

t.test('SenseCodes reused, not redefined', async (t) => {
  t.equal(SenseCodes.invalidFieldInParameterList.asc, 0x26);
});
