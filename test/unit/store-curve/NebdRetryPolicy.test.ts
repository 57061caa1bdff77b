/** nebd-client's backoff: max(interval, min(interval * n, maxInterval)); EHOSTDOWN waits hostDownInterval. */
import t from 'tap';
import { NEBD_RETRY_DEFAULTS, retryDelayMs } from '../../../plugins/store-curve/NebdRetryPolicy.js';
import { BrpcErrno } from '../../../plugins/store-curve/RpcError.js';

t.test('delays', async (t) => {
  const d = (n: number, code: number = BrpcErrno.ERPCTIMEDOUT): number => retryDelayMs(NEBD_RETRY_DEFAULTS, n, code);
  t.equal(d(1), 100);
  t.equal(d(2), 200);
  t.equal(d(10), 1000);
  t.equal(d(1000), 64000, 'capped');
  t.equal(d(5, BrpcErrno.EHOSTDOWN), 10);
});
