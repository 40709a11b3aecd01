import { createClient } from 'redis';
import { rateLimiter, redisRateLimitStore } from '@bulwark/ratelimit';

export const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
client.on('error', () => {}); // reconnects by itself; the limiter falls back meanwhile
await client.connect();

export const shared = rateLimiter({
  name: 'payments-api',
  limits: { limit: 100, windowMs: 1_000, burst: 20 },
  store: redisRateLimitStore({ client, timeoutMs: 50 }),
  fallbackShare: 0.25, // four processes: each may use a quarter of the limit while Redis is down
});
shared.onStoreError(({ error, fallbackDecisions }) => console.warn(error.message, fallbackDecisions));
