import { getEventListeners } from 'node:events';
import { describe, expect, test } from 'vitest';
import { ChaosFaultError, chaos, createFakeClock, isChaosFaultError } from './index.js';

async function outcomes(seed: number, n: number): Promise<string[]> {
  const policy = chaos({ faultRate: 0.5, seed });
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(await policy.execute(() => 'ok').catch((e: unknown) => (isChaosFaultError(e) ? 'fault' : 'other')));
  }
  return out;
}

describe('chaos', () => {
  test('the same seed injects the same faults', async () => {
    const a = await outcomes(42, 40);
    expect(await outcomes(42, 40)).toEqual(a);
    expect(a).toContain('fault');
    expect(a).toContain('ok');
    expect(await outcomes(7, 40)).not.toEqual(a);
  });

  test('faultRate 0 never faults and faultRate 1 always does, without calling the function', async () => {
    let calls = 0;
    const fn = () => ++calls;
    const never = chaos({ faultRate: 0, seed: 1 });
    for (let i = 0; i < 20; i++) await never.execute(fn);
    expect(calls).toBe(20);
    const always = chaos({ faultRate: 1, seed: 1 });
    await expect(always.execute(fn)).rejects.toBeInstanceOf(ChaosFaultError);
    expect(calls).toBe(20);
  });

  test('injects a configured fault, an error or a function making one', async () => {
    const custom = new Error('ECONNRESET');
    await expect(chaos({ faultRate: 1, fault: custom }).execute(() => 1)).rejects.toBe(custom);
    await expect(chaos({ faultRate: 1, fault: () => new RangeError('made') }).execute(() => 1)).rejects.toThrow(RangeError);
  });

  test('adds latency on the clock, and emits what it did', async () => {
    const clock = createFakeClock();
    const policy = chaos({ latencyMs: 300, seed: 3, clock });
    const events: unknown[] = [];
    policy.onChaos((e) => events.push(e));
    let done = false;
    const call = policy.execute(() => 'slow').then((v) => {
      done = true;
      return v;
    });
    await clock.tickAsync(299);
    expect(done).toBe(false);
    await clock.tickAsync(1);
    await expect(call).resolves.toBe('slow');
    expect(events).toEqual([{ name: 'chaos', kind: 'latency', delayMs: 300 }]);
  });

  test('draws latency within a [min, max] range', async () => {
    const clock = createFakeClock();
    const policy = chaos({ latencyMs: [100, 200], seed: 9, clock });
    const delays: number[] = [];
    policy.onChaos((e) => delays.push(e.delayMs!));
    for (let i = 0; i < 10; i++) {
      const call = policy.execute(() => i);
      await clock.tickAsync(200);
      await call;
    }
    expect(delays.every((d) => d >= 100 && d <= 200)).toBe(true);
  });

  test('an abort ends the injected latency at once', async () => {
    const clock = createFakeClock();
    const controller = new AbortController();
    const call = chaos({ latencyMs: 10_000, clock }).execute(() => 1, controller.signal);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(clock.pendingTimers).toBe(0);
  });

  test('can be switched off per call', async () => {
    let on = false;
    const policy = chaos({ faultRate: 1, enabled: () => on });
    await expect(policy.execute(() => 'fine')).resolves.toBe('fine');
    on = true;
    await expect(policy.execute(() => 'fine')).rejects.toBeInstanceOf(ChaosFaultError);
  });

  test('leaves no listener on the caller signal, on or off', async () => {
    const controller = new AbortController();
    for (const enabled of [true, false]) {
      await chaos({ enabled, seed: 1 }).execute(({ signal }) => signal.aborted, controller.signal);
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  test('validates its options', () => {
    expect(() => chaos({ faultRate: 1.5 })).toThrow('Expected `faultRate` to be a number from 0 to 1, got 1.5.');
    expect(() => chaos({ latencyMs: [5, 1] })).toThrow(/Expected `latencyMs` to be a non-negative number or a \[min, max\] pair/);
    expect(() => chaos({ seed: 1.5 })).toThrow('Expected `seed` to be an integer, got 1.5.');
    expect(() => chaos({ enabled: 'yes' as never })).toThrow(/Expected `enabled` to be a boolean or a function/);
  });
});

describe('chaos options', () => {
  test('refuses a missing options object, which would inject nothing', () => {
    expect(() => (chaos as () => unknown)()).toThrow(
      new TypeError('Expected `options` to be an options object (`{ faultRate }`, `{ latencyMs }` or both), got undefined.'),
    );
  });
});
