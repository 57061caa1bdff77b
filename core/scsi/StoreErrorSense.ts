/**
 * How a failure thrown by a BackingStore (or a bug) becomes sense data.
 * Stores know nothing of SCSI; this is the one place their errors meet it.
 */
import { StoreError } from '../store/StoreError.js';
import { SenseCodes, type SenseCode } from './SenseCodes.js';

/** `writing`: the failed command moved data towards the medium (a medium error is then WRITE ERROR). */
export function senseForStoreFailure(err: unknown, writing: boolean): SenseCode {
  if (!(err instanceof StoreError)) return SenseCodes.internalTargetFailure;
  switch (err.kind) {
    case 'medium':
      return writing ? SenseCodes.writeError : SenseCodes.unrecoveredReadError;
    case 'not-ready':
      // "Becoming ready": initiators retry, which is right for a store that is reconnecting.
      return SenseCodes.notReadyBecomingReady;
    case 'write-protected':
      return SenseCodes.writeProtected;
    case 'space-exhausted':
      return SenseCodes.spaceAllocationFailedWriteProtect;
    default:
      return SenseCodes.internalTargetFailure;
  }
}
