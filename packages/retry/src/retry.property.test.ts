import { createFakeClock, seededRandom } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  constantBackoff,
  decorrelatedJitterBackoff,
  exponentialBackoff,
  isRetriesExhaustedError,
  retry,
  retryBudget,
  type Backoff,
  type RetryEvent,
} from './index.js';


type Outcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'transient'; readonly hintMs?: number }
  | { readonly kind: 'fatal' };

const outcomeArb: fc.Arbitrary<Outcome> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'ok' } as const) },
  { weight: 4, arbitrary: fc.constant({ kind: 'transient' } as const) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 5_000 }).map((hintMs) => ({ kind: 'transient', hintMs }) as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'fatal' } as const) },
);

const backoffArb: fc.Arbitrary<Backoff> = fc.oneof(
  fc.integer({ min: 0, max: 3_000 }).map((ms) => constantBackoff(ms)),
  fc
    .record({ initialDelayMs: fc.integer({ min: 0, max: 1_000 }), factor: fc.double({ min: 1, max: 4, noNaN: true }) })
    .map((o) => exponentialBackoff(o)),
  fc.integer({ min: 0, max: 1_000 }).map((initialDelayMs) => decorrelatedJitterBackoff({ initialDelayMs })),
  // A careless custom backoff: huge values must still be capped.
  fc.constant<Backoff>(({ attempt }) => 10 ** attempt),
);

const scenarioArb = fc.record({
  maxAttempts: fc.integer({ min: 1, max: 8 }),
  maxDelayMs: fc.integer({ min: 0, max: 5_000 }),
  maxElapsedMs: fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 20_000 })),
  backoff: backoffArb,
  seed: fc.integer(),
  script: fc.array(fc.record({ outcome: outcomeArb, durationMs: fc.integer({ min: 0, max: 800 }) }), {
    minLength: 1,
    maxLength: 12,
  }),
});

describe('retry properties', () => {
  test('never more than maxAttempts calls, never a wait past the deadline, delays within bounds', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const clock = createFakeClock();
        const policy = retry({
          clock,
          maxAttempts: s.maxAttempts,
          maxDelayMs: s.maxDelayMs,
          maxElapsedMs: s.maxElapsedMs,
          backoff: s.backoff,
          random: seededRandom(s.seed),
        });
        const retries: Array<RetryEvent & { at: number }> = [];
        policy.onRetry((e) => retries.push({ ...e, at: clock.monotonic() }));
        const starts: number[] = [];
        const call = policy.execute(async ({ attempt }) => {
          starts.push(clock.monotonic());
          const step = s.script[Math.min(attempt - 1, s.script.length - 1)]!;
          if (step.durationMs > 0) await new Promise<void>((r) => clock.setTimeout(r, step.durationMs));
          const o = step.outcome;
          if (o.kind === 'ok') return attempt;
          throw Object.assign(new Error(o.kind), o.kind === 'fatal' ? { status: 400 } : { status: 503, retryAfterMs: o.hintMs });
        });
        const outcome = call.then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        await clock.runAllAsync(1_000);
        const result = await outcome;

        expect(starts.length).toBeLessThanOrEqual(s.maxAttempts);
        for (const at of starts.slice(1)) expect(at).toBeLessThanOrEqual(s.maxElapsedMs);
        for (const r of retries) {
          expect(r.at + r.delayMs).toBeLessThanOrEqual(s.maxElapsedMs);
          const hint = s.script[Math.min(r.attempt - 1, s.script.length - 1)]!.outcome;
          const hintMs = hint.kind === 'transient' ? hint.hintMs : undefined;
          if (hintMs === undefined) {
            expect(r.delayMs).toBeGreaterThanOrEqual(0);
            expect(r.delayMs).toBeLessThanOrEqual(s.maxDelayMs);
          } else {
            expect(r.delayMs).toBeGreaterThanOrEqual(hintMs);
            expect(r.delayMs).toBeLessThanOrEqual(Math.max(hintMs, s.maxDelayMs));
          }
        }
        // Every wait announced was taken in full before the next attempt.
        retries.forEach((r, i) => expect(starts[i + 1]).toBe(r.at + r.delayMs));
        if (result.ok) {
          expect(s.script[Math.min(starts.length - 1, s.script.length - 1)]!.outcome.kind).toBe('ok');
          expect(result.value).toBe(starts.length);
        } else if (isRetriesExhaustedError(result.error)) {
          expect(result.error.attempts).toBe(starts.length);
          expect(result.error.errors).toHaveLength(starts.length);
          expect(result.error.cause).toBe(result.error.errors[starts.length - 1]);
        } else {
          expect((result.error as Error).message).toBe('fatal');
        }
        expect(clock.pendingTimers).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  test('hedging never exceeds maxAttempts calls nor maxHedgedAttempts concurrent extras', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          maxAttempts: fc.integer({ min: 1, max: 6 }),
          delayMs: fc.integer({ min: 0, max: 300 }),
          maxHedgedAttempts: fc.integer({ min: 1, max: 4 }),
          script: fc.array(fc.record({ ok: fc.boolean(), durationMs: fc.integer({ min: 0, max: 1_000 }) }), {
            minLength: 1,
            maxLength: 8,
          }),
        }),
        async (s) => {
          const clock = createFakeClock();
          const policy = retry({
            clock,
            maxAttempts: s.maxAttempts,
            backoff: constantBackoff(50),
            hedge: { delayMs: s.delayMs, maxHedgedAttempts: s.maxHedgedAttempts },
          });
          let hedges = 0;
          policy.onHedge(() => hedges++);
          let calls = 0;
          const call = policy.execute(async ({ attempt }) => {
            calls++;
            const step = s.script[Math.min(attempt - 1, s.script.length - 1)]!;
            await new Promise<void>((r) => clock.setTimeout(r, step.durationMs));
            if (!step.ok) throw Object.assign(new Error('busy'), { status: 503 });
            return attempt;
          });
          const settled = call.then(
            () => true,
            () => true,
          );
          await clock.runAllAsync(1_000);
          expect(await settled).toBe(true);
          expect(calls).toBeLessThanOrEqual(s.maxAttempts);
          expect(hedges).toBeLessThanOrEqual(s.maxHedgedAttempts);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('a budget never grants more retries than its floor plus ratio × calls in the window', () => {
    fc.assert(
      fc.property(
        fc.record({
          ratio: fc.double({ min: 0, max: 1, noNaN: true }),
          minRetriesPerSecond: fc.integer({ min: 0, max: 5 }),
          ops: fc.array(fc.oneof(fc.constant('call' as const), fc.constant('retry' as const)), { maxLength: 200 }),
        }),
        ({ ratio, minRetriesPerSecond, ops }) => {
          const clock = createFakeClock();
          const budget = retryBudget({ ratio, minRetriesPerSecond, windowMs: 1_000, clock });
          let calls = 0;
          let granted = 0;
          for (const op of ops) {
            if (op === 'call') {
              budget.recordCall();
              calls++;
            } else if (budget.tryRetry()) {
              granted++;
            }
            expect(granted).toBeLessThanOrEqual(minRetriesPerSecond + ratio * calls);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
