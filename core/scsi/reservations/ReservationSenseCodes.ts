/**
 * Additional sense codes of persistent reservations (SPC-4 Annex D) that
 * SenseCodes.ts does not list. Frozen singletons, so unit attention queues
 * can compare them by identity.
 */
import { SenseKey } from '../Sense.js';
import type { SenseCode } from '../SenseCodes.js';

function code(key: SenseKey, asc: number, ascq: number): SenseCode {
  return Object.freeze({ key, asc, ascq });
}

export const ReservationSenseCodes = {
  reservationsPreempted: code(SenseKey.UnitAttention, 0x2a, 0x03),
  reservationsReleased: code(SenseKey.UnitAttention, 0x2a, 0x04),
  registrationsPreempted: code(SenseKey.UnitAttention, 0x2a, 0x05),
  parameterListLengthError: code(SenseKey.IllegalRequest, 0x1a, 0x00),
  invalidReleaseOfPersistentReservation: code(SenseKey.IllegalRequest, 0x26, 0x04),
  insufficientRegistrationResources: code(SenseKey.IllegalRequest, 0x55, 0x04),
} as const;
