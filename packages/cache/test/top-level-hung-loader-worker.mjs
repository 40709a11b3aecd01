// A plain script, as a user writes one: it awaits at top level a getOrSet whose loader never settles
// (it holds nothing: no socket, no timer). The load's deadline must hold the process, so the script
// gets a TimeoutError instead of exiting with 13 (unsettled top-level await).
import { isTimeoutError } from '@bulwark/core';
import { cache } from '@bulwark/cache';

const c = cache({ loaderTimeoutMs: 200 });
let aborted = false;
try {
  await c.getOrSet('h', ({ signal }) => {
    signal.addEventListener('abort', () => (aborted = true));
    return new Promise(() => {});
  });
  console.log(JSON.stringify({ value: 'unexpected' }));
} catch (error) {
  console.log(JSON.stringify({ timeout: isTimeoutError(error), timeoutMs: error.timeoutMs, aborted }));
}
