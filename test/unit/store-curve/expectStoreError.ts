/** Assert that a promise rejects with a StoreError of `kind`; returns the error. */
import type { Test } from 'tap';
import { StoreError, type StoreErrorKind } from '../../../core/store/StoreError.js';

type Assert = Pick<Test, 'ok' | 'equal'>;

export async function expectStoreError(t: Assert, promise: Promise<unknown>, kind: StoreErrorKind, message?: string): Promise<StoreError | null> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(err instanceof StoreError, `${message ?? kind}: rejected with a StoreError (${String(err)})`);
  t.equal(err instanceof StoreError ? err.kind : undefined, kind, message ?? `kind ${kind}`);
  return err instanceof StoreError ? err : null;
}
