import { createFakeClock } from '@bulwark/core';
import { describe, expect, test } from 'vitest';
import { circuitBreaker, type BreakEvent, type BreakerSpec } from './index.js';

const boom = new Error('down');

function setup(breaker: BreakerSpec, now = 0) {
  const clock = createFakeClock({ now });
  const policy = circuitBreaker({ breaker, clock, halfOpenAfterMs: 1_000 });
  const breaks: BreakEvent[] = [];
  policy.onBreak((e) => breaks.push(e));
  /** One call that takes `ms` of fake time and succeeds or fails. */
  const call = (failed: boolean, ms = 0) =>
    policy
      .execute(() => {
        clock.tick(ms);
        return failed ? Promise.reject(boom) : Promise.resolve('ok');
      })
      .catch(() => undefined);
  return { clock, policy, breaks, call };
}

describe('count window', () => {
  test('opens when the failure rate reaches the threshold once minimumCalls are in', async () => {
    const { policy, breaks, call } = setup({ kind: 'count', size: 10, minimumCalls: 4, failureRateThreshold: 0.5 });
    await call(true);
    await call(true);
    await call(true);
    expect(policy.state).toBe('closed'); // 3 calls < minimumCalls
    await call(false); // 3 failures of 4: 75 %
    expect(policy.state).toBe('open');
    expect(breaks).toMatchObject([{ reason: 'failure-rate', calls: 4, failures: 3, slowCalls: 0 }]);
  });

  test('old outcomes slide out of the window', async () => {
    const { policy, call } = setup({ kind: 'count', size: 4, minimumCalls: 4, failureRateThreshold: 0.75 });
    for (const failed of [true, true, false, false, false, true, true]) await call(failed);
    expect(policy.state).toBe('closed'); // last four: false false true true → 50 %
    await call(true); // last four: false true true true → 75 %
    expect(policy.state).toBe('open');
  });

  test('slow calls open the circuit by the slow-call rate, even when they succeed', async () => {
    const { policy, breaks, call } = setup({
      kind: 'count',
      size: 4,
      minimumCalls: 4,
      slowCallDurationMs: 500,
      slowCallRateThreshold: 0.5,
    });
    await call(false, 499);
    await call(false, 100);
    await call(false, 500);
    expect(policy.state).toBe('closed');
    await call(false, 2_000);
    expect(policy.state).toBe('open');
    expect(breaks).toMatchObject([{ reason: 'slow-call-rate', calls: 4, failures: 0, slowCalls: 2 }]);
  });

  test('a slow probe counts as a failed probe', async () => {
    const { clock, policy, call } = setup({ kind: 'count', size: 2, minimumCalls: 1, slowCallDurationMs: 100 });
    await call(true);
    expect(policy.state).toBe('open');
    clock.tick(1_000);
    await call(false, 150);
    expect(policy.state).toBe('open');
    clock.tick(1_000);
    await call(false, 10);
    expect(policy.state).toBe('closed');
  });
});

describe('time window', () => {
  test('counts only the calls of the last windowMs', async () => {
    const { clock, policy, call } = setup({ kind: 'time', windowMs: 10_000, buckets: 10, minimumCalls: 3, failureRateThreshold: 0.6 });
    await call(true);
    await call(true);
    clock.tick(10_000); // both failures leave the window
    await call(false);
    await call(true);
    expect(policy.state).toBe('closed'); // 1 of 2 in the window
    await call(true);
    expect(policy.state).toBe('open'); // 2 of 3
  });

  test('keeps a failure for as long as its slice is in the window', async () => {
    const { clock, policy, call } = setup({ kind: 'time', windowMs: 1_000, buckets: 4, minimumCalls: 2, failureRateThreshold: 1 });
    await call(true); // slice 0 (0–249 ms)
    clock.tick(999);
    await call(true); // slice 3: slice 0 still in the window
    expect(policy.state).toBe('open');
  });

  test('snapshots keep the slices on the wall clock, for another process', async () => {
    const spec = { kind: 'time', windowMs: 1_000, buckets: 4, minimumCalls: 3, failureRateThreshold: 1 } as const;
    const a = setup(spec, 50_000);
    await a.call(true);
    a.clock.tick(300);
    await a.call(true);
    const saved = JSON.parse(JSON.stringify(a.policy.toJSON()));
    expect(saved.window).toEqual([[50_000, 1, 1, 0], [50_250, 1, 1, 0]]);
    const b = setup(spec, 50_400); // restarted 100 ms later
    b.policy.restore(saved);
    await b.call(true);
    expect(b.policy.state).toBe('open');
    const c = setup(spec, 51_000); // restarted once the first slice has left the window
    c.policy.restore(saved);
    await c.call(true);
    expect(c.policy.state).toBe('closed');
    await c.call(true);
    expect(c.policy.state).toBe('open');
  });
});
