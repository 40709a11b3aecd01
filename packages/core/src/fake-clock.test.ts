import { describe, expect, test } from 'vitest';
import { createFakeClock, sleep } from './index.js';

describe('createFakeClock', () => {
  test('moves wall-clock and monotonic time together, only when told', () => {
    const clock = createFakeClock({ now: 1_700_000_000_000 });
    expect(clock.now()).toBe(1_700_000_000_000);
    expect(clock.monotonic()).toBe(0);
    clock.tick(250);
    expect(clock.now()).toBe(1_700_000_000_250);
    expect(clock.monotonic()).toBe(250);
  });

  test('fires timers in deadline order, ties in scheduling order, at their own time', () => {
    const clock = createFakeClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.monotonic()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.monotonic()}`), 10);
    clock.setTimeout(() => fired.push(`c@${clock.monotonic()}`), 20);
    const cleared = clock.setTimeout(() => fired.push('never'), 5);
    cleared.clear();
    clock.tick(19);
    expect(fired).toEqual(['a@10']);
    clock.tick(1);
    expect(fired).toEqual(['a@10', 'b@20', 'c@20']);
    expect(clock.pendingTimers).toBe(0);
  });

  test('tickAsync lets chains of awaits scheduled by timers run', async () => {
    const clock = createFakeClock();
    const steps: number[] = [];
    const run = (async () => {
      for (let i = 0; i < 3; i++) {
        await sleep(100, { clock });
        steps.push(clock.monotonic());
      }
    })();
    await clock.tickAsync(300);
    await run;
    expect(steps).toEqual([100, 200, 300]);
  });

  test('runAllAsync fires everything pending, including timers set by timers', async () => {
    const clock = createFakeClock();
    let count = 0;
    const again = () => {
      if (++count < 5) clock.setTimeout(again, 1_000);
    };
    clock.setTimeout(again, 1_000);
    expect(await clock.runAllAsync()).toBe(5);
    expect(clock.monotonic()).toBe(5_000);
  });

  test('rejects negative time', () => {
    expect(() => createFakeClock().tick(-1)).toThrow('Expected `ms` to be a non-negative number, got -1.');
  });
});
