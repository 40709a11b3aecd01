import { createFakeClock } from '@bulwark/core';
import { useLoopbackServer } from '@bulwark/test-utils';
import { isRateLimitedError, rateLimiter } from '@bulwark/ratelimit';
import { expect, test } from 'vitest';
import { createHttpClient } from '@bulwark/http';

const server = useLoopbackServer();

test('one 429 reaches the rate limiter and holds back every client that shares it', async () => {
  const clock = createFakeClock({ now: Date.now() });
  const limiter = rateLimiter({ name: 'upstream', limits: { limit: 100, windowMs: 1_000 }, maxWaitMs: 1_000, clock });
  // Two clients (two services, say) that call the same upstream through one limiter.
  const a = createHttpClient({ baseUrl: server.url, limiter });
  const b = createHttpClient({ baseUrl: server.url, limiter });
  server.reply((r) => (r.index === 0 ? { status: 429, headers: { 'retry-after': '30' } } : { body: { ok: true } }));

  await expect(a.get('quotes')).rejects.toMatchObject({ status: 429, retryAfterMs: 30_000 });
  // The other client is refused by the limiter, without a request: the server asked for 30 s.
  const refused = await b.get('quotes').catch((error: unknown) => error);
  expect(isRateLimitedError(refused)).toBe(true);
  expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(29_000);
  expect(server.requests).toHaveLength(1);

  await clock.tickAsync(30_000);
  expect(await b.get('quotes')).toEqual({ ok: true });
  expect(server.requests).toHaveLength(2);
});

test('an exhausted RateLimit quota on a success holds the key too', async () => {
  const clock = createFakeClock({ now: Date.now() });
  const limiter = rateLimiter({ limits: { limit: 100, windowMs: 1_000 }, maxWaitMs: 0, clock });
  const client = createHttpClient({ baseUrl: server.url, limiter });
  server.reply(() => ({ body: { ok: true }, headers: { ratelimit: '"default";r=0;t=10', 'ratelimit-policy': '"default";q=5;w=10' } }));
  expect(await client.get('x')).toEqual({ ok: true });
  await expect(client.get('x')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  expect(server.requests).toHaveLength(1);
});
