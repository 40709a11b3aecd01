import { getEventListeners } from 'node:events';
import { describe, expect, test } from 'vitest';
import { TimeoutError, createFakeClock, mergeSignals, sleep, timeoutSignal } from './index.js';

describe('mergeSignals', () => {
  test('aborts with the reason of the first source to abort, then detaches from all', () => {
    const a = new AbortController();
    const b = new AbortController();
    const merged = mergeSignals(a.signal, undefined, b.signal);
    expect(merged.signal.aborted).toBe(false);
    b.abort('b first');
    expect(merged.signal.reason).toBe('b first');
    expect(getEventListeners(a.signal, 'abort')).toHaveLength(0);
  });

  test('dispose detaches from long-lived sources', () => {
    const shutdown = new AbortController();
    for (let i = 0; i < 100; i++) {
      using _merged = mergeSignals(shutdown.signal, new AbortController().signal);
    }
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });

  test('starts aborted when a source already is', () => {
    expect(mergeSignals(AbortSignal.abort('x')).signal.reason).toBe('x');
  });

  test('rejects a source that is not a signal', () => {
    expect(() => mergeSignals({} as AbortSignal)).toThrow('Expected `signals[0]` to be an AbortSignal or undefined, got an object (Object).');
  });
});

describe('timeoutSignal', () => {
  test('aborts with TimeoutError on the clock, or never once disposed', () => {
    const clock = createFakeClock();
    const fires = timeoutSignal(100, { clock });
    const disposed = timeoutSignal(100, { clock });
    disposed.dispose();
    clock.tick(100);
    expect(fires.signal.reason).toBeInstanceOf(TimeoutError);
    expect(disposed.signal.aborted).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  test('validates ms', () => {
    expect(() => timeoutSignal(-5)).toThrow("Expected `ms` to be a non-negative number, got -5.");
  });
});

describe('sleep', () => {
  test('resolves after the time on the clock', async () => {
    const clock = createFakeClock();
    let done = false;
    const wait = sleep(50, { clock }).then(() => (done = true));
    await clock.tickAsync(49);
    expect(done).toBe(false);
    await clock.tickAsync(1);
    await wait;
    expect(done).toBe(true);
  });

  test('an abort ends the wait at once, clears its timer and its listener', async () => {
    const clock = createFakeClock();
    const controller = new AbortController();
    const wait = sleep(10_000, { clock, signal: controller.signal });
    controller.abort('stop');
    await expect(wait).rejects.toBe('stop');
    expect(clock.pendingTimers).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  test('rejects at once for an aborted signal', async () => {
    await expect(sleep(10, { signal: AbortSignal.abort('early') })).rejects.toBe('early');
  });

  test('refuses a signal that is not one, before any timer is armed', () => {
    const clock = createFakeClock();
    expect(() => sleep(10, { clock, signal: 5 as never })).toThrow(
      new TypeError('Expected `signal` to be an AbortSignal or an execute context, got 5.'),
    );
    expect(() => sleep(10, { clock, signal: {} as never })).toThrow('Expected `signal` to be an AbortSignal or an execute context');
    expect(clock.pendingTimers).toBe(0);
    // The timer of a wait that was refused never fires into a listener that is not there.
    expect(() => clock.tick(10)).not.toThrow();
  });

  test('takes an execute context as its signal', async () => {
    const clock = createFakeClock();
    const controller = new AbortController();
    const wait = sleep(10_000, { clock, signal: { signal: controller.signal, attempt: 1 } });
    controller.abort('stop');
    await expect(wait).rejects.toBe('stop');
  });
});
