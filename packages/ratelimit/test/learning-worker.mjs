// One client process of the learning tests (learning-nginx.test.ts). Receives { baseUrl, warmUrl,
// paths, durationMs, concurrency, limits?, redisUrl?, prefix? }; then, on 'go', sends requests to each path
// as fast as a learning limiter lets it (one limiter key per path), from `concurrency` loops per
// path, each request repeated until the server answers 200; and answers, per path, the times (ms
// from 'go') of every 200 and every refusal.
import { rateLimiter, redisRateLimitStore } from '@bulwark/ratelimit';
import { createClient } from 'redis';

process.once('message', async (job) => {
  let client;
  let store;
  if (job.redisUrl !== undefined) {
    client = createClient({ url: job.redisUrl });
    client.on('error', () => {});
    await client.connect();
    store = redisRateLimitStore({ client, prefix: job.prefix, timeoutMs: 2_000 });
  }
  const limiter = rateLimiter({
    learn: true,
    maxWaitMs: 30_000,
    ...(job.limits === undefined ? {} : { limits: job.limits }),
    ...(store === undefined ? {} : { store }),
  });
  // A warm client, as a service's would be: its connection is open and its code compiled.
  for (let i = 0; i < 3; i++) await (await fetch(job.warmUrl)).arrayBuffer();
  process.send({ type: 'ready' });
  await new Promise((resolve) => process.once('message', resolve));
  const start = Date.now();
  const endAt = start + job.durationMs;
  const results = {};
  const loops = [];
  for (const path of job.paths) {
    const result = (results[path] = { ok: [], refused: [], other: 0 });
    for (let i = 0; i < job.concurrency; i++) {
      loops.push(
        (async () => {
          while (Date.now() < endAt) {
            for (;;) {
              await limiter.acquire(path);
              const response = await fetch(`${job.baseUrl}${path}`);
              await response.arrayBuffer();
              await limiter.observe(path, response);
              if (response.status === 200) {
                result.ok.push(Date.now() - start);
                break;
              }
              if (response.status === 429) result.refused.push(Date.now() - start);
              else result.other++;
            }
          }
        })(),
      );
    }
  }
  await Promise.all(loops);
  process.send({ type: 'done', results, fallbacks: limiter.fallbackDecisions });
  await client?.close();
  process.exit(0);
});
