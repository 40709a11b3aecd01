// One of several processes sharing a Redis-backed rate limiter (see multi-process.test.ts).
// Receives { redisUrl, prefix, scenarios, durationMs, concurrency } and answers with the Redis time
// of every call it was allowed to make, per scenario.
import { rateLimiter, redisRateLimitStore } from '@bulwark/ratelimit';
import { createClient } from 'redis';

process.once('message', async (job) => {
  const client = createClient({ url: job.redisUrl });
  client.on('error', () => {});
  await client.connect();
  const store = redisRateLimitStore({ client, prefix: job.prefix, timeoutMs: 2_000 });
  process.send({ type: 'ready' });
  await new Promise((resolve) => process.once('message', resolve));
  const endAt = Date.now() + job.durationMs;
  const admitted = {};
  let fallbacks = 0;
  const loops = [];
  for (const scenario of job.scenarios) {
    const limiter = rateLimiter({ limits: scenario.limits, store, maxWaitMs: 5_000, ...(scenario.lease ? { lease: scenario.lease } : {}) });
    const times = (admitted[scenario.name] = []);
    for (let i = 0; i < job.concurrency; i++) {
      loops.push(
        (async () => {
          while (Date.now() < endAt) {
            const decision = await limiter.acquire(scenario.key);
            if (decision.fallback) fallbacks++;
            if (Date.now() < endAt) times.push(decision.decidedAt);
          }
        })(),
      );
    }
  }
  await Promise.all(loops);
  process.send({ type: 'done', admitted, fallbacks });
  await client.close();
  process.exit(0);
});
