// Starts a retry whose next wait is a minute long, with `unref: true`, and does not await it:
// nothing else keeps the event loop alive, so the process must exit on its own.
// `node pending-wait-worker.mjs ref` shows the default by hand: the wait holds the process the minute.
import { constantBackoff, retry } from '@bulwark/retry';

const unref = process.argv[2] !== 'ref';
const policy = retry({ backoff: constantBackoff(60_000), maxDelayMs: 60_000, ...(unref ? { unref } : {}) });
policy.onRetry(({ delayMs }) => process.send?.({ waiting: delayMs }));
policy
  .execute(() => Promise.reject(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })))
  .catch(() => {});
