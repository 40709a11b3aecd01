import { createFakeClock } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { memoryRateLimitStore, rateLimiter } from './index.js';

const START = Date.UTC(2026, 0, 1);
const LIMIT = { limit: 100, windowMs: 1_000 };

function setup(extra: Partial<Parameters<typeof rateLimiter>[0]> = {}) {
  const clock = createFakeClock({ now: START });
  const store = memoryRateLimitStore({ clock });
  const limiter = rateLimiter({ limits: LIMIT, store, clock, ...extra });
  const other = rateLimiter({ limits: LIMIT, store, clock });
  return { clock, limiter, other };
}

const respond = (status: number, headers: Record<string, string> = {}) => new Response(null, { status, headers });

describe('observe', () => {
  test('Retry-After holds the key back for everyone sharing the store', async () => {
    const { clock, limiter, other } = setup();
    const result = await limiter.observe('api', respond(429, { 'Retry-After': '5' }));
    expect(result).toMatchObject({ holdMs: 5_000, backoff: false });
    expect(await other.tryAcquire('api')).toMatchObject({ allowed: false, retryAfterMs: 5_000, remaining: -1 });
    expect((await other.tryAcquire('elsewhere')).allowed).toBe(true);
    clock.tick(5_000);
    expect((await other.tryAcquire('api')).allowed).toBe(true);
  });

  test('an HTTP-date Retry-After is measured against the clock', async () => {
    const { limiter } = setup();
    const at = new Date(START + 30_000).toUTCString();
    expect((await limiter.observe('api', respond(503, { 'Retry-After': at }))).holdMs).toBe(30_000);
  });

  test('an exhausted IETF RateLimit quota holds until its reset; Retry-After takes precedence', async () => {
    const { limiter } = setup();
    const quota = await limiter.observe('api', respond(200, { RateLimit: '"default";r=0;t=30', 'RateLimit-Policy': '"default";q=100;w=60' }));
    expect(quota.holdMs).toBe(30_000);
    const both = await limiter.observe('b', respond(429, { RateLimit: '"default";r=0;t=30', 'Retry-After': '2' }));
    expect(both.holdMs).toBe(2_000);
  });

  test('legacy X-RateLimit-* with an epoch-seconds reset', async () => {
    const { limiter } = setup();
    const reset = String(START / 1000 + 42);
    const result = await limiter.observe('gh', respond(403, { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': reset, 'X-RateLimit-Limit': '60' }));
    expect(result.holdMs).toBe(42_000);
    expect(result.hints).toMatchObject({ limit: 60, remaining: 0, source: 'x-ratelimit' });
  });

  test('quota left means no hold', async () => {
    const { limiter, other } = setup();
    const result = await limiter.observe('api', respond(200, { 'X-RateLimit-Remaining': '10', 'X-RateLimit-Reset': '30' }));
    expect(result.holdMs).toBe(0);
    expect((await other.tryAcquire('api')).allowed).toBe(true);
  });

  test('a 429 or 503 without headers backs off exponentially, shared, and a success resets it', async () => {
    const { clock, limiter, other } = setup({ backoff: { initialDelayMs: 100, maxDelayMs: 500 } });
    const holds: number[] = [];
    for (let i = 0; i < 5; i++) holds.push((await limiter.observe('api', respond(i % 2 ? 503 : 429))).holdMs);
    expect(holds).toEqual([100, 200, 400, 500, 500]);
    expect((await other.tryAcquire('api')).retryAfterMs).toBe(500);
    clock.tick(500);
    await limiter.observe('api', respond(200));
    expect((await limiter.observe('api', respond(429))).holdMs).toBe(100);
  });

  test('a malformed Retry-After is not trusted: the 429 counts as header-less', async () => {
    const { limiter } = setup();
    const result = await limiter.observe('api', respond(429, { 'Retry-After': 'tomorrow-ish' }));
    expect(result).toMatchObject({ holdMs: 1_000, backoff: true });
    expect(result.hints.retryAfterMs).toBeUndefined();
  });

  test('clamps an absurd wait to maxHintMs', async () => {
    const { limiter } = setup({ maxHintMs: 60_000 });
    expect((await limiter.observe('api', respond(429, { 'Retry-After': '31536000' }))).holdMs).toBe(60_000);
  });

  test('a hold never shortens a longer one', async () => {
    const { limiter, other } = setup();
    await limiter.observe('api', respond(429, { 'Retry-After': '10' }));
    await limiter.observe('api', respond(429, { 'Retry-After': '1' }));
    expect((await other.tryAcquire('api')).retryAfterMs).toBe(10_000);
  });

  test('acquire waits out a hold', async () => {
    const { clock, limiter, other } = setup();
    await limiter.observe('api', respond(429, { 'Retry-After': '2' }));
    let done = false;
    const waiting = other.acquire('api').then(() => (done = true));
    await clock.tickAsync(1_999);
    expect(done).toBe(false);
    await clock.tickAsync(1);
    await waiting;
    expect(done).toBe(true);
  });

  test('onServerHint reports what was read and done', async () => {
    const { limiter } = setup({ name: 'upstream' });
    const seen: unknown[] = [];
    limiter.onServerHint((e) => seen.push(e));
    await limiter.observe('api', respond(429, { 'Retry-After': '3', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Limit': '10' }));
    await limiter.observe('api', respond(200)); // nothing said, nothing held: no event
    expect(seen).toEqual([
      {
        name: 'upstream',
        key: 'api',
        status: 429,
        holdMs: 3_000,
        backoff: false,
        retryAfterMs: 3_000,
        remaining: 0,
        limit: 10,
        resetMs: undefined,
        source: 'retry-after',
      },
    ]);
  });

  test('property: whatever the headers say, observe never throws and holds within [0, maxHintMs]', async () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer({ min: -1e15, max: 1e15 }).map(String),
      fc.double({ noNaN: false }).map(String),
      fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
      fc.constantFrom('"default";r=0;t=30', '"a";r=1, "b";r=0;t=9999999', '10;w=1', '"x";q=5;w=1', ';;', '"', '(', '0'),
    );
    const headerName = fc.constantFrom(
      'retry-after',
      'ratelimit',
      'ratelimit-policy',
      'ratelimit-remaining',
      'ratelimit-reset',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
      'x-ratelimit-reset-after',
      'x-ratelimit-limit',
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(200, 403, 429, 503), fc.dictionary(headerName, value), async (status, headers) => {
        const { limiter } = setup({ maxHintMs: 120_000, backoff: { initialDelayMs: 10, maxDelayMs: 100 } });
        const result = await limiter.observe('api', { status, headers });
        expect(result.holdMs).toBeGreaterThanOrEqual(0);
        expect(result.holdMs).toBeLessThanOrEqual(120_000);
        expect(Number.isFinite(result.holdMs)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('accepts plain header records (status unknown: no backoff)', async () => {
    const { limiter } = setup();
    expect((await limiter.observe('api', { 'retry-after': '1' })).holdMs).toBe(1_000);
    expect((await limiter.observe('b', { 'content-type': 'text/html' })).holdMs).toBe(0);
  });
});
