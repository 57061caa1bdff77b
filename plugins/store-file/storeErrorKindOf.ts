/** Which StoreError kind (hence which SCSI sense) a failed fs call's errno becomes. */
import type { StoreErrorKind } from '../../core/store/StoreError.js';

export function storeErrorKindOf(code: string | undefined, closed: boolean): StoreErrorKind {
  if (closed) return 'gone';
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG':
      return 'space-exhausted';
    case 'EROFS':
    case 'EACCES':
    case 'EPERM':
      return 'write-protected';
    case 'EBADF':
    case 'ENXIO':
    case 'ENODEV':
      return 'gone';
    default:
      return 'medium';
  }
}
