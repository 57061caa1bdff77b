/**
 * What each SD_RES_* result means for the LUN: the StoreError kind core/scsi
 * turns into sense data (medium → MEDIUM ERROR, not-ready → NOT READY so the
 * initiator retries, write-protected / space-exhausted → DATA PROTECT,
 * gone → the VDI is no more).
 */
import { StoreError, type StoreErrorKind } from '../../core/store/StoreError.js';
import { SheepResult as R, sheepResultText } from './SheepProtocol.js';

const KIND: ReadonlyMap<number, StoreErrorKind> = new Map<number, StoreErrorKind>([
  [R.UNKNOWN, 'medium'],
  [R.NO_OBJ, 'medium'],
  [R.EIO, 'medium'],
  [R.VDI_EXIST, 'medium'],
  [R.INVALID_PARMS, 'medium'],
  [R.SYSTEM_ERROR, 'medium'],
  [R.VDI_LOCKED, 'not-ready'],
  [R.NO_VDI, 'gone'],
  [R.NO_BASE_VDI, 'gone'],
  [R.VDI_READ, 'medium'],
  [R.VDI_WRITE, 'medium'],
  [R.BASE_VDI_READ, 'medium'],
  [R.BASE_VDI_WRITE, 'medium'],
  [R.NO_TAG, 'gone'],
  [R.STARTUP, 'not-ready'],
  [R.VDI_NOT_LOCKED, 'medium'],
  [R.SHUTDOWN, 'not-ready'],
  [R.NO_MEM, 'not-ready'],
  [R.FULL_VDI, 'space-exhausted'],
  [R.VER_MISMATCH, 'medium'],
  [R.NO_SPACE, 'space-exhausted'],
  [R.WAIT_FOR_FORMAT, 'not-ready'],
  [R.WAIT_FOR_JOIN, 'not-ready'],
  [R.JOIN_FAILED, 'not-ready'],
  [R.HALT, 'not-ready'],
  [R.READONLY, 'write-protected'],
  [R.INODE_INVALIDATED, 'not-ready'],
  [R.NETWORK_ERROR, 'not-ready'],
  [R.NODE_IN_RECOVERY, 'not-ready'],
  [R.KILLED, 'not-ready'],
  [R.AGAIN, 'not-ready'],
  [R.CLUSTER_ERROR, 'not-ready'],
  [R.COLLECTING_CINFO, 'not-ready'],
]);

/** The StoreError kind of a non-success result (unknown codes are medium errors). */
export function storeErrorKindOf(result: number): StoreErrorKind {
  return KIND.get(result) ?? 'medium';
}

/** A StoreError for a failed sheep request, saying what was asked and what sheep answered. */
export function sheepResultError(result: number, what: string): StoreError {
  return new StoreError(storeErrorKindOf(result), `${what}: sheep answered ${sheepResultText(result)}`);
}
