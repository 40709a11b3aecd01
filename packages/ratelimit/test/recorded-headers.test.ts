import { createFakeClock } from '@bulwark/core';
import { describe, expect, test } from 'vitest';
import { memoryRateLimitStore, rateLimiter } from '@bulwark/ratelimit';

// Response header sets in the formats public APIs document, and the hold each must cause for
// everyone sharing the store. Times are relative to NOW so the expected holds are exact.
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const epochSeconds = (deltaS: number) => String(NOW / 1000 + deltaS);

const recorded: Array<{ api: string; status: number; headers: Record<string, string>; holdMs: number; backoff: boolean }> = [
  {
    api: 'GitHub REST, primary rate limit exhausted (x-ratelimit-reset in epoch seconds)',
    status: 403,
    headers: {
      'x-ratelimit-limit': '60',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '60',
      'x-ratelimit-reset': epochSeconds(1_800),
      'x-ratelimit-resource': 'core',
    },
    holdMs: 1_800_000,
    backoff: false,
  },
  {
    api: 'GitHub REST, secondary rate limit (retry-after)',
    status: 429,
    headers: { 'retry-after': '60', 'x-ratelimit-remaining': '4321', 'x-ratelimit-reset': epochSeconds(3_000) },
    holdMs: 60_000,
    backoff: false,
  },
  {
    api: 'GitHub REST, quota left: nothing to hold',
    status: 200,
    headers: { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': epochSeconds(3_599) },
    holdMs: 0,
    backoff: false,
  },
  {
    api: 'Discord, 429 on a bucket (Retry-After seconds, reset-after with decimals)',
    status: 429,
    headers: {
      'retry-after': '2',
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': epochSeconds(1.5),
      'x-ratelimit-reset-after': '1.5',
      'x-ratelimit-bucket': 'abcd1234',
      'x-ratelimit-scope': 'user',
    },
    holdMs: 2_000,
    backoff: false,
  },
  {
    api: 'Discord, bucket exhausted on a 200 (reset-after preferred to reset)',
    status: 200,
    headers: { 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': epochSeconds(9), 'x-ratelimit-reset-after': '0.75' },
    holdMs: 750,
    backoff: false,
  },
  {
    api: 'Stripe-like 429: no rate-limit headers (exponential backoff)',
    status: 429,
    headers: { 'content-type': 'application/json', 'request-id': 'req_8xYz', 'stripe-should-retry': 'true' },
    holdMs: 1_000,
    backoff: true,
  },
  {
    api: 'IETF draft: RateLimit-Policy and an exhausted RateLimit',
    status: 429,
    headers: { 'ratelimit-policy': '"burst";q=100;w=60,"daily";q=1000;w=86400', ratelimit: '"burst";r=0;t=35' },
    holdMs: 35_000,
    backoff: false,
  },
  {
    api: 'IETF draft: Retry-After (IMF-fixdate) takes precedence over RateLimit',
    status: 503,
    headers: { ratelimit: '"default";r=0;t=60', 'retry-after': new Date(NOW + 20_000).toUTCString() },
    holdMs: 20_000,
    backoff: false,
  },
  {
    api: 'Earlier IETF drafts: RateLimit-Limit/Remaining/Reset (delta seconds)',
    status: 429,
    headers: { 'ratelimit-limit': '10', 'ratelimit-remaining': '0', 'ratelimit-reset': '12' },
    holdMs: 12_000,
    backoff: false,
  },
  {
    api: 'Twitter/X v2 (x-rate-limit-*, epoch seconds)',
    status: 429,
    headers: { 'x-rate-limit-limit': '900', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': epochSeconds(840) },
    holdMs: 840_000,
    backoff: false,
  },
  {
    api: 'A gateway sending X-RateLimit-Reset in epoch milliseconds',
    status: 429,
    headers: { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW + 4_500) },
    holdMs: 4_500,
    backoff: false,
  },
  {
    api: 'A malformed Retry-After is not trusted (429 counts as header-less)',
    status: 429,
    headers: { 'retry-after': '5 seconds' },
    holdMs: 1_000,
    backoff: true,
  },
];

describe('observe: header sets of public APIs', () => {
  test.each(recorded)('$api', async ({ status, headers, holdMs, backoff }) => {
    const clock = createFakeClock({ now: NOW });
    const store = memoryRateLimitStore({ clock });
    const client = rateLimiter({ limits: { limit: 100, windowMs: 1_000 }, store, clock });
    const peer = rateLimiter({ limits: { limit: 100, windowMs: 1_000 }, store, clock });
    const result = await client.observe('api', new Response(null, { status, headers }));
    expect({ holdMs: result.holdMs, backoff: result.backoff }).toEqual({ holdMs, backoff });
    const decision = await peer.tryAcquire('api');
    expect(decision.allowed).toBe(holdMs === 0);
    if (holdMs > 0) expect(decision.retryAfterMs).toBe(holdMs);
  });
});
