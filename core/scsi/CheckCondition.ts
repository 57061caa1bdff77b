/**
 * What a command handler throws to end a command with CHECK CONDITION.
 * ScsiTarget turns it into sense data; handlers never build sense bytes.
 */
import type { FieldPointer } from './Sense.js';
import { SenseCodes, type SenseCode } from './SenseCodes.js';

export interface CheckConditionDetails {
  /** Sense-key specific field pointer (INVALID FIELD IN CDB and friends). */
  readonly field?: FieldPointer;
  /** INFORMATION field of the sense data. */
  readonly information?: number;
  /** Bytes the CDB asked to transfer, when it differs from what the transport moved (ScsiResult.commandDataLength). */
  readonly commandDataLength?: number;
}

export class CheckCondition extends Error {
  readonly code: SenseCode;
  readonly details: CheckConditionDetails;

  constructor(code: SenseCode, details: CheckConditionDetails = {}) {
    super(`CHECK CONDITION key ${code.key} asc ${code.asc.toString(16)}h ascq ${code.ascq.toString(16)}h`);
    this.name = 'CheckCondition';
    this.code = code;
    this.details = details;
  }

  /** INVALID FIELD IN CDB, pointing at `byte` (and `bit` when one bit is wrong). */
  static invalidFieldInCdb(byte: number, bit?: number): CheckCondition {
    return new CheckCondition(SenseCodes.invalidFieldInCdb, { field: bit === undefined ? { inCdb: true, byte } : { inCdb: true, byte, bit } });
  }

  static lbaOutOfRange(): CheckCondition {
    return new CheckCondition(SenseCodes.lbaOutOfRange);
  }
}
