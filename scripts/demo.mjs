// `npm run demo`: a flaky upstream called two ways, side by side — naively, and through
// pipeline(fallback, bulkhead, timeout) from @bulwark/core — and what happened to each.
// `npm run demo` builds (tsc -b) before this runs; the import is dynamic so that a missing build
// is reported as such.
const { bulkhead, chaos, fallback, isTimeoutError, pipeline, timeout } = await import('@bulwark/core');

const REQUESTS = 60;
const CONCURRENCY = 6;
const TIMEOUT_MS = 250;

// The upstream: a validation API that usually answers in 10–120 ms, drops 15% of connections,
// and now and then (one call in ten) stalls for 2–4 seconds.
function makeUpstream(seed) {
  const faults = pipeline(
    chaos({ seed, latencyRate: 0.1, latencyMs: [2_000, 4_000] }),
    chaos({
      seed: seed + 1,
      faultRate: 0.15,
      fault: () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      latencyMs: [10, 120],
    }),
  );
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    validate(email, signal) {
      calls++;
      return faults.execute(() => ({ email, valid: email.includes('@') }), signal);
    },
  };
}

function percentile(sorted, p) {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function drive(label, call) {
  const outcomes = { answered: 0, fallback: 0, failed: 0 };
  const latencies = [];
  let next = 0;
  async function worker() {
    while (next < REQUESTS) {
      const i = next++;
      const started = performance.now();
      try {
        const answer = await call(`user${i}@example.com`);
        outcomes[answer.offline ? 'fallback' : 'answered']++;
      } catch {
        outcomes.failed++;
      }
      latencies.push(performance.now() - started);
    }
  }
  const began = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  latencies.sort((a, b) => a - b);
  return { label, ...outcomes, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1), wallMs: performance.now() - began };
}

console.log(`\nBulwark demo: ${REQUESTS} validations, ${CONCURRENCY} at a time, against an upstream that answers in 10–120 ms, drops 15% of connections and stalls for seconds on one call in ten.\n`);

// 1. Naive: await the upstream and hope.
const naiveUpstream = makeUpstream(2026);
const naive = await drive('naive client', (email) => naiveUpstream.validate(email));

// 2. Resilient: a fallback answer outside, a bulkhead, and a timeout around each call.
const protectedUpstream = makeUpstream(2026);
const limit = timeout(TIMEOUT_MS);
const spare = fallback((error) => ({ valid: null, offline: true, reason: isTimeoutError(error) ? 'timeout' : error.code ?? error.name }));
const policy = pipeline(spare, bulkhead({ limit: CONCURRENCY, queue: 100 }), limit);
const events = { timeouts: 0, fallbacks: 0, reasons: {} };
limit.onTimeout(() => events.timeouts++);
spare.onFallback(({ error }) => {
  events.fallbacks++;
  const reason = isTimeoutError(error) ? 'TimeoutError' : error.code ?? error.name;
  events.reasons[reason] = (events.reasons[reason] ?? 0) + 1;
});
const resilient = await drive(`pipeline(fallback, bulkhead, timeout(${TIMEOUT_MS}))`, (email) =>
  policy.execute(({ signal }) => protectedUpstream.validate(email, signal)),
);

const ms = (n) => `${n.toFixed(0)} ms`.padStart(8);
console.log('client'.padEnd(44), 'answered', 'fallback', '  failed', '     p50', '     p99', '     max', '    total');
for (const r of [naive, resilient]) {
  console.log(
    r.label.padEnd(44),
    String(r.answered).padStart(8),
    String(r.fallback).padStart(8),
    String(r.failed).padStart(8),
    ms(r.p50),
    ms(r.p99),
    ms(r.max),
    ms(r.wallMs).padStart(9),
  );
}
console.log(`\nThe resilient client: ${events.timeouts} calls cut at ${TIMEOUT_MS} ms (their signal aborted, so the upstream could stop), ${events.fallbacks} answered by the fallback (${Object.entries(events.reasons).map(([k, v]) => `${v} ${k}`).join(', ')}), no error reached its caller.`);
console.log(`The naive client: ${naive.failed} errors reached its caller, and its slowest answer took ${ms(naive.max).trim()}.`);
const ok = resilient.failed === 0 && resilient.max < naive.max && events.timeouts > 0;
console.log(ok ? '\ndemo: done.' : '\ndemo: the resilient client did not do better — something is wrong.');
process.exit(ok ? 0 : 1);
