import { describe, expect, test } from 'vitest';
import { createFakeClock, DeadlineTimer, type Clock } from './index.js';

describe('DeadlineTimer', () => {
  test('fires once at its deadline; stop() before it means it never fires', () => {
    const clock = createFakeClock();
    const fired: number[] = [];
    const deadline = new DeadlineTimer(clock, false);
    deadline.start(100, () => fired.push(clock.monotonic()));
    clock.tick(99);
    expect(fired).toEqual([]);
    clock.tick(1);
    expect(fired).toEqual([100]);
    clock.tick(1_000);
    expect(fired).toEqual([100]);

    const stopped = new DeadlineTimer(clock, true);
    stopped.start(100, () => fired.push(-1));
    stopped.stop();
    clock.tick(1_000);
    expect(fired).toEqual([100]);
  });

  test('not held, its timer is unref\'d; hold() re-arms it held, for the time it had left, not a new full wait', () => {
    const fake = createFakeClock();
    const armed: Array<{ ms: number; unref: boolean }> = [];
    const clock: Clock = {
      now: fake.now,
      monotonic: fake.monotonic,
      setTimeout: (callback, ms, options) => (armed.push({ ms, unref: options?.unref === true }), fake.setTimeout(callback, ms, options)),
    };
    const fired: number[] = [];
    const deadline = new DeadlineTimer(clock, false);
    deadline.start(100, () => fired.push(fake.monotonic()));
    fake.tick(60);
    deadline.hold();
    deadline.hold(); // a second caller: nothing changes
    expect(armed).toEqual([
      { ms: 100, unref: true },
      { ms: 40, unref: false },
    ]);
    fake.tick(39);
    expect(fired).toEqual([]);
    fake.tick(1);
    expect(fired).toEqual([100]);
    expect(fake.pendingTimers).toBe(0);
  });
});
