import { createFakeClock } from '@bulwark/core';
import { deferred, type Deferred } from '@bulwark/test-utils';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { circuitBreaker, type CircuitBreakerPolicy } from './index.js';

const boom = new Error('down');

interface Outcome {
  readonly failed: boolean;
  readonly ms: number;
  readonly gapMs: number;
}

const outcomes = fc.array(
  fc.record({ failed: fc.boolean(), ms: fc.integer({ min: 0, max: 300 }), gapMs: fc.integer({ min: 0, max: 400 }) }),
  { minLength: 1, maxLength: 80, size: "max" },
);
const rate = fc.integer({ min: 1, max: 20 }).map((n) => n / 20);

/** Runs outcomes one after another until the breaker opens; returns the index of the call that opened it. */
async function openedAt(make: (clock: ReturnType<typeof createFakeClock>) => CircuitBreakerPolicy, calls: readonly Outcome[]) {
  const clock = createFakeClock();
  const breaker = make(clock);
  for (let i = 0; i < calls.length; i++) {
    const { failed, ms, gapMs } = calls[i]!;
    clock.tick(gapMs);
    await breaker
      .execute(() => {
        clock.tick(ms);
        return failed ? Promise.reject(boom) : Promise.resolve(i);
      })
      .catch(() => undefined);
    if (breaker.state !== 'closed') return i;
  }
  return -1;
}

/** The reference: the same thresholds, recomputed from scratch after every call. */
function modelOpenedAt(calls: readonly Outcome[], inWindow: (i: number, j: number) => boolean, t: {
  minimumCalls: number;
  failureRate: number;
  slowMs: number;
  slowRate: number;
}): number {
  for (let i = 0; i < calls.length; i++) {
    let n = 0;
    let failures = 0;
    let slow = 0;
    for (let j = 0; j <= i; j++) {
      if (!inWindow(i, j)) continue;
      n++;
      if (calls[j]!.failed) failures++;
      if (calls[j]!.ms >= t.slowMs) slow++;
    }
    if (n >= t.minimumCalls && (failures >= t.failureRate * n || slow >= t.slowRate * n)) return i;
  }
  return -1;
}

describe('properties', () => {
  test('a count window opens exactly at the call that crosses its thresholds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }).chain((size) =>
          fc.record({ size: fc.constant(size), minimumCalls: fc.integer({ min: 1, max: size }) }),
        ),
        rate,
        fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
        rate,
        outcomes,
        async ({ size, minimumCalls }, failureRate, slowMs, slowRate, calls) => {
          const spec = slowMs === undefined
            ? { kind: 'count' as const, size, minimumCalls, failureRateThreshold: failureRate }
            : { kind: 'count' as const, size, minimumCalls, failureRateThreshold: failureRate, slowCallDurationMs: slowMs, slowCallRateThreshold: slowRate };
          const actual = await openedAt((clock) => circuitBreaker({ breaker: spec, clock }), calls);
          const expected = modelOpenedAt(calls, (i, j) => i - j < size, {
            minimumCalls,
            failureRate,
            slowMs: slowMs ?? Infinity,
            slowRate: slowMs === undefined ? 1 : slowRate,
          });
          expect(actual).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a time window opens exactly at the call that crosses its thresholds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 10 }).map((n) => n * 100),
        fc.integer({ min: 1, max: 8 }),
        rate,
        fc.option(fc.record({ ms: fc.integer({ min: 1, max: 300 }), rate }), { nil: undefined }),
        outcomes,
        async (buckets, sliceMs, minimumCalls, failureRate, slow, calls) => {
          const windowMs = buckets * sliceMs;
          const ends: number[] = [];
          let t = 0;
          for (const c of calls) ends.push((t += c.gapMs + c.ms));
          const actual = await openedAt(
            (clock) =>
              circuitBreaker({
                breaker: {
                  kind: 'time',
                  windowMs,
                  buckets,
                  minimumCalls,
                  failureRateThreshold: failureRate,
                  ...(slow === undefined ? {} : { slowCallDurationMs: slow.ms, slowCallRateThreshold: slow.rate }),
                },
                clock,
              }),
            calls,
          );
          const slice = (ms: number) => Math.floor(ms / sliceMs);
          const expected = modelOpenedAt(calls, (i, j) => slice(ends[j]!) > slice(ends[i]!) - buckets, {
            minimumCalls,
            failureRate,
            slowMs: slow?.ms ?? Infinity,
            slowRate: slow?.rate ?? 1,
          });
          expect(actual).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a consecutive breaker opens exactly at the threshold-th failure in a row', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), outcomes, async (threshold, calls) => {
        const actual = await openedAt((clock) => circuitBreaker({ breaker: { kind: 'consecutive', threshold }, clock }), calls);
        let run = 0;
        const expected = calls.findIndex((c) => (run = c.failed ? run + 1 : 0) >= threshold);
        expect(actual).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  test('restore(toJSON()) in a fresh process behaves exactly like the original from then on', async () => {
    const spec = fc.oneof(
      fc.record({ kind: fc.constant('consecutive' as const), threshold: fc.integer({ min: 1, max: 5 }) }),
      fc.record({
        kind: fc.constant('count' as const),
        size: fc.constant(6),
        minimumCalls: fc.integer({ min: 1, max: 6 }),
        failureRateThreshold: rate,
        slowCallDurationMs: fc.integer({ min: 1, max: 300 }),
      }),
      fc.record({
        kind: fc.constant('time' as const),
        windowMs: fc.constant(1_200),
        buckets: fc.integer({ min: 1, max: 6 }),
        minimumCalls: fc.integer({ min: 1, max: 6 }),
        failureRateThreshold: rate,
      }),
    );
    await fc.assert(
      fc.asyncProperty(spec, outcomes, outcomes, fc.integer({ min: 0, max: 10_000 }), async (breaker, before, after, startAt) => {
        const clockA = createFakeClock({ now: startAt });
        const a = circuitBreaker({ breaker, clock: clockA, halfOpenAfterMs: 500 });
        const run = async (b: CircuitBreakerPolicy, clock: ReturnType<typeof createFakeClock>, c: Outcome) => {
          clock.tick(c.gapMs);
          return b
            .execute(() => {
              clock.tick(c.ms);
              return c.failed ? Promise.reject(boom) : Promise.resolve('ok');
            })
            .then(
              () => 'ok',
              (e: unknown) => (e === boom ? 'failed' : 'rejected'),
            );
        };
        for (const c of before) await run(a, clockA, c);
        const clockB = createFakeClock({ now: clockA.now() });
        const b = circuitBreaker({ breaker, clock: clockB, halfOpenAfterMs: 500 });
        b.restore(JSON.parse(JSON.stringify(a.toJSON())));
        expect(b.state).toBe(a.state);
        for (const c of after) {
          expect(await run(b, clockB, c)).toBe(await run(a, clockA, c));
          expect(b.state).toBe(a.state);
        }
      }),
      { numRuns: 200 },
    );
  });

  test('never more than halfOpenMaxCalls probes per half-open episode, whatever the interleaving', async () => {
    type Step = { kind: 'start' } | { kind: 'settle'; index: number; failed: boolean } | { kind: 'tick'; ms: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      { arbitrary: fc.constant({ kind: 'start' as const }), weight: 4 },
      { arbitrary: fc.record({ kind: fc.constant('settle' as const), index: fc.nat(30), failed: fc.boolean() }), weight: 3 },
      { arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 1_500 }) }), weight: 1 },
    );
    let fullEpisodes = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(step, { minLength: 20, maxLength: 120 }), async (maxCalls, steps) => {
        const clock = createFakeClock();
        const breaker = circuitBreaker({ breaker: { kind: 'consecutive', threshold: 1 }, halfOpenAfterMs: 1_000, halfOpenMaxCalls: maxCalls, clock });
        let episode = 0;
        breaker.onHalfOpen(() => episode++);
        const admitted = new Map<number, number>();
        let probing = 0;
        let maxProbing = 0;
        const pending: Array<{ d: Deferred<number>; probe: boolean }> = [];
        const settled: Array<Promise<unknown>> = [];
        for (const s of steps) {
          if (s.kind === 'tick') clock.tick(s.ms);
          else if (s.kind === 'start') {
            const p = breaker.execute(() => {
              const probe = breaker.state === 'half-open';
              const d = deferred<number>();
              if (probe) {
                admitted.set(episode, (admitted.get(episode) ?? 0) + 1);
                maxProbing = Math.max(maxProbing, ++probing);
              }
              pending.push({ d, probe });
              return d.promise;
            });
            settled.push(p.catch(() => undefined));
          } else if (pending.length > 0) {
            const [entry] = pending.splice(s.index % pending.length, 1);
            if (entry!.probe) probing--;
            if (s.failed) entry!.d.reject(boom);
            else entry!.d.resolve(1);
            await clock.flush();
          }
          expect(maxProbing).toBeLessThanOrEqual(maxCalls);
          for (const n of admitted.values()) expect(n).toBeLessThanOrEqual(maxCalls);
        }
        for (const { d } of pending) d.resolve(0);
        await Promise.all(settled);
        if ([...admitted.values()].includes(maxCalls)) fullEpisodes++;
      }),
      { numRuns: 200 },
    );
    // The property is only worth something if runs fill half-open episodes to the limit.
    expect(fullEpisodes).toBeGreaterThan(20);
  });
});
