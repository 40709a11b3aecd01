import { circuitBreaker, isCircuitOpenError } from '@bulwark/breaker';
import { cache } from '@bulwark/cache';
import { createFakeClock, fallback, pipeline } from '@bulwark/core';
import { constantBackoff, retry } from '@bulwark/retry';
import { describe, expect, test } from 'vitest';
import { connectionReset } from './support.js';
import { runUntilSettled } from '@bulwark/test-utils';

type Verdict = { email: string; valid: boolean };

function offlineSetup() {
  const clock = createFakeClock({ now: Date.UTC(2026, 10, 24) });
  const validations = cache({ name: 'validations', ttlMs: 60_000, staleIfErrorMs: 3_600_000, ttlJitter: 0, earlyRefreshBeta: 0, clock });
  const breaker = circuitBreaker({ name: 'validation-api', breaker: { kind: 'consecutive', threshold: 2 }, halfOpenAfterMs: 30_000, clock });
  // maxElapsedMs keeps a call from waiting out an open circuit: it gives up at once instead.
  const guarded = pipeline(retry({ name: 'validation-api', maxAttempts: 2, backoff: constantBackoff(50), maxElapsedMs: 1_000, clock }), breaker);
  const api = { up: true, calls: 0 };
  const load = (email: string) => () =>
    guarded.execute(async (): Promise<Verdict> => {
      api.calls++;
      if (!api.up) throw connectionReset('validation API unreachable');
      return { email, valid: email.endsWith('@example.com') };
    });
  const stale: { key: string; reason: string; ageMs: number }[] = [];
  validations.onStale((e) => stale.push(e));
  return { clock, validations, breaker, api, load, stale };
}

describe('cache.getOrSet with a loader behind pipeline(retry, circuitBreaker): the offline path', () => {
  test('while the breaker is open, a value within staleIfErrorMs is served stale and the API is not called', async () => {
    const { clock, validations, breaker, api, load, stale } = offlineSetup();
    const key = 'email:ada@example.com';
    expect(await validations.getOrSet(key, load('ada@example.com'))).toEqual({ email: 'ada@example.com', valid: true });

    // The API goes down after the entry has gone stale: the retried loader fails twice and opens the breaker.
    api.up = false;
    await clock.tickAsync(61_000);
    expect(await runUntilSettled(clock, validations.getOrSet(key, load('ada@example.com')))).toEqual({ email: 'ada@example.com', valid: true });
    expect(breaker.state).toBe('open');
    expect(api.calls).toBe(3);

    // Now the loader fails fast on the open circuit; the stale value is served, the API left alone.
    await clock.tickAsync(5_000);
    const loaderErrors: unknown[] = [];
    validations.onLoaderError(({ error }) => loaderErrors.push(error));
    expect(await runUntilSettled(clock, validations.getOrSet(key, load('ada@example.com')))).toEqual({ email: 'ada@example.com', valid: true });
    expect(api.calls).toBe(3);
    expect(loaderErrors).toHaveLength(1);
    expect(loaderErrors[0]).toMatchObject({ code: 'RETRIES_EXHAUSTED' });
    expect(isCircuitOpenError((loaderErrors[0] as { cause?: unknown }).cause)).toBe(true);
    expect(stale.map((s) => [s.key, s.reason])).toEqual([
      [key, 'loader-error'],
      [key, 'loader-error'],
    ]);
    expect(stale[1]!.ageMs).toBeGreaterThanOrEqual(6_000); // stale since the TTL ended at 60 s
    expect(validations.stats()).toMatchObject({ staleServed: 2, loaderErrors: 2 });
  });

  test('a key never cached has nothing stale to serve: the caller gets the circuit error', async () => {
    const { clock, validations, breaker, api, load } = offlineSetup();
    api.up = false;
    await runUntilSettled(clock, validations.getOrSet('email:first@example.com', load('first@example.com'))).catch(() => undefined);
    expect(breaker.state).toBe('open');
    const error = await runUntilSettled(clock, validations.getOrSet('email:bob@example.com', load('bob@example.com'))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RETRIES_EXHAUSTED' });
    expect(isCircuitOpenError((error as { cause?: unknown }).cause)).toBe(true);
    expect(validations.peek('email:bob@example.com')).toBeUndefined();
  });

  test('past staleIfErrorMs the stale value is no longer served', async () => {
    const { clock, validations, api, load } = offlineSetup();
    const key = 'email:ada@example.com';
    await validations.getOrSet(key, load('ada@example.com'));
    api.up = false;
    await clock.tickAsync(60_000 + 3_600_000 + 1);
    const error = await runUntilSettled(clock, validations.getOrSet(key, load('ada@example.com'))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RETRIES_EXHAUSTED' });
  });

  test('when the API is back and the break is over, the probe reloads the entry and it is fresh again', async () => {
    const { clock, validations, breaker, api, load, stale } = offlineSetup();
    const key = 'email:ada@example.com';
    await validations.getOrSet(key, load('ada@example.com'));
    api.up = false;
    await clock.tickAsync(61_000);
    await runUntilSettled(clock, validations.getOrSet(key, load('ada@example.com')));
    expect(breaker.state).toBe('open');
    api.up = true;
    await clock.tickAsync(30_000);
    const callsBefore = api.calls;
    expect(await runUntilSettled(clock, validations.getOrSet(key, load('ada@example.com')))).toEqual({ email: 'ada@example.com', valid: true });
    expect(api.calls).toBe(callsBefore + 1);
    expect(breaker.state).toBe('closed');
    const staleBefore = stale.length;
    await validations.getOrSet(key, load('ada@example.com'));
    expect(stale.length).toBe(staleBefore); // a fresh hit now
    expect(api.calls).toBe(callsBefore + 1);
  });

  test('the same offline path with the cache as a policy: pipeline(fallback, cache.policy(key), retry, circuitBreaker)', async () => {
    const clock = createFakeClock();
    const validations = cache({ name: 'validations', ttlMs: 60_000, staleIfErrorMs: 3_600_000, ttlJitter: 0, earlyRefreshBeta: 0, clock });
    const breaker = circuitBreaker({ name: 'validation-api', breaker: { kind: 'consecutive', threshold: 2 }, halfOpenAfterMs: 30_000, clock });
    const inner = [retry({ name: 'validation-api', maxAttempts: 2, backoff: constantBackoff(50), maxElapsedMs: 1_000, clock }), breaker] as const;
    const offline = fallback({ email: '?', valid: false, offline: true });
    const validate = (email: string) => pipeline(offline, validations.policy(`email:${email}`), ...inner);
    let up = true;
    let calls = 0;
    const api = async (email: string): Promise<Verdict> => {
      calls++;
      if (!up) throw connectionReset('validation API unreachable');
      return { email, valid: true };
    };
    expect(await validate('ada@example.com').execute(() => api('ada@example.com'))).toEqual({ email: 'ada@example.com', valid: true });
    expect(await validate('ada@example.com').execute(() => api('ada@example.com'))).toEqual({ email: 'ada@example.com', valid: true });
    expect(calls).toBe(1); // the second was a hit
    up = false;
    await clock.tickAsync(61_000);
    expect(await runUntilSettled(clock, validate('ada@example.com').execute(() => api('ada@example.com')))).toEqual({ email: 'ada@example.com', valid: true });
    expect(breaker.state).toBe('open');
    // Cached before: stale. Never cached: the fallback answers. Neither reaches the API.
    const callsWhileOpen = calls;
    expect(await runUntilSettled(clock, validate('ada@example.com').execute(() => api('ada@example.com')))).toEqual({ email: 'ada@example.com', valid: true });
    expect(await runUntilSettled(clock, validate('bob@example.com').execute(() => api('bob@example.com')))).toEqual({ email: '?', valid: false, offline: true });
    expect(calls).toBe(callsWhileOpen);
  });
});
