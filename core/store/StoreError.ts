/**
 * What a store throws when an I/O cannot be done. core/scsi maps `kind` to
 * sense data, so a store never needs to know SCSI.
 */
export type StoreErrorKind =
  /** The data could not be read or written (SCSI MEDIUM ERROR). */
  | 'medium'
  /** The store is temporarily unreachable, e.g. reconnecting (NOT READY, retry). */
  | 'not-ready'
  /** The store refuses writes (DATA PROTECT / WRITE PROTECTED). */
  | 'write-protected'
  /** No space left for a thin store (DATA PROTECT / SPACE ALLOCATION FAILED WRITE PROTECT). */
  | 'space-exhausted'
  /** The operation is not supported by this store. */
  | 'unsupported'
  /** The store is gone for good (closed, volume deleted). */
  | 'gone';

export class StoreError extends Error {
  readonly kind: StoreErrorKind;
  constructor(kind: StoreErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.kind = kind;
  }
}
