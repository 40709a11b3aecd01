import type { Clock, Timer, TimerOptions } from './clock.js';
import { expectFunction, expectInteger, expectNumber, expectOptions, knownOptions } from './validate.js';

/** Options for {@link createFakeClock}. */
export interface FakeClockOptions {
  /** Wall-clock start, milliseconds since the Unix epoch. @default 0 */
  readonly now?: number;
}

/**
 * A {@link Clock} that moves only when told to. Both wall-clock and monotonic time advance
 * together, and every timer made through it fires in deadline order as time passes.
 */
export interface FakeClock extends Clock {
  /** Timers scheduled and not yet fired or cleared. */
  readonly pendingTimers: number;
  /**
   * Advances time by `ms`, firing due timers synchronously in order. Promise callbacks queued by
   * those timers do not run in between: prefer {@link FakeClock.tickAsync} for async code.
   */
  tick(ms: number): void;
  /**
   * Advances time by `ms`, one due timer at a time, letting promise callbacks and I/O run after
   * each, so chains of awaits scheduled by timers settle as they would in real time.
   */
  tickAsync(ms: number): Promise<void>;
  /** Fires timers (async-style) until none is pending, up to `limit` of them; returns how many fired. */
  runAllAsync(limit?: number): Promise<number>;
  /** Lets pending promise callbacks and I/O run without moving time. */
  flush(): Promise<void>;
}

interface Scheduled {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
  cleared: boolean;
}

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const FAKE_CLOCK_OPTIONS = knownOptions<FakeClockOptions>('createFakeClock()', { now: ['start', 'startMs', 'epoch'] });

/**
 * Creates a {@link FakeClock} for tests: inject it wherever a Bulwark option takes `clock`.
 *
 * @example
 * ```ts
 * const clock = createFakeClock();
 * const policy = timeout(1_000, { clock });
 * const call = policy.execute(() => new Promise(() => {}));
 * await clock.tickAsync(1_000); // the call now rejects with TimeoutError
 * ```
 */
export function createFakeClock(options: FakeClockOptions = {}): FakeClock {
  expectOptions('options', options, FAKE_CLOCK_OPTIONS);
  const start = options.now ?? 0;
  expectNumber('now', start, { min: 0 });
  let elapsed = 0;
  let seq = 0;
  let timers: Scheduled[] = [];

  const due = (until: number): Scheduled | undefined => {
    let best: Scheduled | undefined;
    for (const t of timers) {
      if (t.cleared || t.at > until || t.at === Infinity) continue;
      if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  };
  const fire = (t: Scheduled): void => {
    timers = timers.filter((x) => x !== t);
    if (t.at > elapsed) elapsed = t.at;
    t.callback();
  };
  const checkMs = (ms: number): void => expectNumber('ms', ms, { min: 0 });

  const clock: FakeClock = {
    now: () => start + elapsed,
    monotonic: () => elapsed,
    setTimeout(callback: () => void, delayMs: number, _options?: TimerOptions): Timer {
      // Refused here, not when time reaches it: there the failure would point at a tick.
      expectFunction('callback', callback);
      const entry: Scheduled = {
        // Like systemClock: `Infinity` never fires, NaN and negative delays fire at once.
        at: delayMs === Infinity ? Infinity : elapsed + (delayMs > 0 ? delayMs : 0),
        seq: seq++,
        callback,
        cleared: false,
      };
      timers.push(entry);
      return {
        clear: () => {
          entry.cleared = true;
          timers = timers.filter((x) => x !== entry);
        },
      };
    },
    get pendingTimers() {
      return timers.length;
    },
    tick(ms: number): void {
      checkMs(ms);
      const target = elapsed + ms;
      for (let t = due(target); t !== undefined; t = due(target)) fire(t);
      elapsed = target;
    },
    async tickAsync(ms: number): Promise<void> {
      checkMs(ms);
      const target = elapsed + ms;
      await macrotask();
      for (let t = due(target); t !== undefined; t = due(target)) {
        fire(t);
        await macrotask();
      }
      elapsed = target;
      await macrotask();
    },
    async runAllAsync(limit = 10_000): Promise<number> {
      expectInteger('limit', limit, { min: 0, allowInfinity: true });
      let fired = 0;
      await macrotask();
      for (let t = due(Infinity); t !== undefined && fired < limit; t = due(Infinity)) {
        fire(t);
        fired++;
        await macrotask();
      }
      return fired;
    },
    flush: macrotask,
  };
  return clock;
}
