// A plain script, as a user writes one: it awaits a request at top level through the standard
// pipeline, and the first attempt's connection is reset. Nothing but the retry's wait is pending, so
// the wait must hold the process: the script prints the answer instead of exiting with 13
// (unsettled top-level await).
import { httpClient } from '@bulwark/http';
import { standard } from '@bulwark/http/standard';
import { constantBackoff } from '@bulwark/retry';

let calls = 0;
const client = httpClient({
  baseUrl: 'http://rates.example',
  policy: standard({ retry: { backoff: constantBackoff(50) } }),
  fetch: async () => {
    calls++;
    if (calls === 1) {
      throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
    }
    return Response.json({ rate: 1.08 });
  },
});
const { rate } = await client.get('rate');
console.log(JSON.stringify({ rate, calls }));
