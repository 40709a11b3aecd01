import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createFakeClock, sleep, systemClock, timeout, timeoutSignal } from './index.js';

// Node's own timer keeps at most 2^31 − 1 ms (about 24.8 days) and fires a longer one after 1 ms.
// Vitest's fake timers do the same, so these tests run the real systemClock on fake time.
const MAX_TIMER_MS = 2 ** 31 - 1;
const THIRTY_DAYS_MS = 30 * 86_400_000;

describe('systemClock: delays longer than the platform timer holds', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('a timer of 30 days fires after 30 days, not after 1 ms', async () => {
    let fired = 0;
    systemClock.setTimeout(() => fired++, THIRTY_DAYS_MS);
    await vi.advanceTimersByTimeAsync(5);
    expect(fired).toBe(0);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS);
    expect(fired).toBe(0);
    await vi.advanceTimersByTimeAsync(THIRTY_DAYS_MS - MAX_TIMER_MS - 6);
    expect(fired).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toBe(1);
    await vi.advanceTimersByTimeAsync(THIRTY_DAYS_MS);
    expect(fired).toBe(1);
  });

  test('clearing a long timer after its first stretch cancels it', async () => {
    let fired = 0;
    const timer = systemClock.setTimeout(() => fired++, 3e9, { unref: true });
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 1);
    timer.clear();
    await vi.advanceTimersByTimeAsync(3e9);
    expect(fired).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('an Infinity delay never fires', async () => {
    let fired = 0;
    const timer = systemClock.setTimeout(() => fired++, Infinity);
    await vi.advanceTimersByTimeAsync(10 * MAX_TIMER_MS);
    expect(fired).toBe(0);
    timer.clear();
    expect(vi.getTimerCount()).toBe(0);
  });

  test('sleep, timeout and timeoutSignal keep their long waits', async () => {
    const slept = vi.fn();
    void sleep(3e9).then(slept);
    const signal = timeoutSignal(3e9);
    const timedOut = vi.fn();
    timeout(3e9)
      .execute(() => new Promise(() => {}))
      .catch(timedOut);
    await vi.advanceTimersByTimeAsync(10);
    expect([slept.mock.calls.length, signal.signal.aborted, timedOut.mock.calls.length]).toEqual([0, false, 0]);
    await vi.advanceTimersByTimeAsync(3e9);
    expect([slept.mock.calls.length, signal.signal.aborted, timedOut.mock.calls.length]).toEqual([1, true, 1]);
  });
});

describe('systemClock: a delay of 0', () => {
  const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  test('runs on the next turn of the event loop, not after the 1 ms Node gives a 0 ms timer', async () => {
    const fired: number[] = [];
    systemClock.setTimeout(() => fired.push(0), 0);
    systemClock.setTimeout(() => fired.push(-1), -1);
    systemClock.setTimeout(() => fired.push(Number.NaN), Number.NaN);
    expect(fired).toEqual([]); // never synchronously
    await nextTurn();
    expect(fired).toEqual([0, -1, Number.NaN]);

    // Counted in turns of the loop, not in time: ten waits of 0 ms one after the other take ten
    // turns. A 1 ms timer would let the loop turn as often as it can meanwhile, hundreds of times.
    let turns = 0;
    let waiting = true;
    const count = (): void => {
      turns++;
      if (waiting) setImmediate(count);
    };
    setImmediate(count);
    for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 0));
    waiting = false;
    expect(turns).toBeLessThanOrEqual(11);
  });

  test('clear() before that turn cancels it, unref or not', async () => {
    let fired = 0;
    systemClock.setTimeout(() => fired++, 0).clear();
    systemClock.setTimeout(() => fired++, 0, { unref: true }).clear();
    await nextTurn();
    await nextTurn();
    expect(fired).toBe(0);
  });
});

describe('createFakeClock: long and endless delays', () => {
  test('an Infinity delay never fires, however far time moves', async () => {
    const clock = createFakeClock();
    let fired = 0;
    clock.setTimeout(() => fired++, Infinity);
    clock.setTimeout(() => fired++, 3e9);
    clock.tick(3e9);
    expect(fired).toBe(1);
    expect(await clock.runAllAsync()).toBe(0);
    expect(fired).toBe(1);
    expect(clock.monotonic()).toBe(3e9);
    expect(clock.pendingTimers).toBe(1);
  });
});
