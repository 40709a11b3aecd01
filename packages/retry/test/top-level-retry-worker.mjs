// A plain script, as a user writes one: it awaits a retry at top level whose first attempt fails.
// Nothing but the retry's wait is pending, so the wait must hold the process: the script prints the
// value instead of exiting with 13 (unsettled top-level await).
import { constantBackoff, retry } from '@bulwark/retry';

let calls = 0;
const value = await retry({ maxAttempts: 3, backoff: constantBackoff(50) }).execute(() => {
  calls++;
  if (calls === 1) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  return 'rate 1.08';
});
console.log(JSON.stringify({ value, calls }));
