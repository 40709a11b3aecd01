import { createFakeClock, isBulwarkError, pipeline, timeout } from '@bulwark/core';
import { deferred } from '@bulwark/test-utils';
import { ConsecutiveBreaker, ExponentialBackoff, noJitterGenerator } from 'cockatiel';
import { describe, expect, test } from 'vitest';
import {
  circuitBreaker,
  isCircuitOpenError,
  type BreakEvent,
  type CircuitRejectedEvent,
  type CircuitBreakerOptions,
  type StateChangeEvent,
} from './index.js';

const boom = new Error('upstream down');
const fail = async (): Promise<never> => {
  throw boom;
};
const ok = async (): Promise<string> => 'ok';

function setup(options: CircuitBreakerOptions = {}) {
  const clock = createFakeClock();
  const breaker = circuitBreaker({ breaker: { kind: 'consecutive', threshold: 3 }, halfOpenAfterMs: 1_000, clock, ...options });
  const changes: string[] = [];
  breaker.onStateChange(({ from, to }) => changes.push(`${from}->${to}`));
  return { clock, breaker, changes };
}

async function failTimes(breaker: ReturnType<typeof setup>['breaker'], n: number): Promise<void> {
  for (let i = 0; i < n; i++) await expect(breaker.execute(fail)).rejects.toBe(boom);
}

describe('circuitBreaker', () => {
  test('passes values and errors through while closed', async () => {
    const { breaker } = setup();
    await expect(breaker.execute(() => 42)).resolves.toBe(42);
    await expect(breaker.execute(fail)).rejects.toBe(boom);
    expect(breaker.state).toBe('closed');
  });

  test('opens after the threshold of consecutive failures and fails fast with retryAfterMs', async () => {
    const { breaker, clock, changes } = setup();
    const breaks: BreakEvent[] = [];
    breaker.onBreak((e) => breaks.push(e));
    await failTimes(breaker, 3);
    expect(breaker.state).toBe('open');
    expect(changes).toEqual(['closed->open']);
    expect(breaks).toMatchObject([{ reason: 'consecutive-failures', error: boom, retryAfterMs: 1_000, calls: 3, failures: 3 }]);

    clock.tick(400);
    let calls = 0;
    const error = await breaker.execute(() => ++calls).catch((e: unknown) => e);
    expect(calls).toBe(0);
    expect(isCircuitOpenError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'CIRCUIT_OPEN', state: 'open', retryAfterMs: 600, transient: true, cause: boom });
  });

  test('a success resets the consecutive count', async () => {
    const { breaker } = setup();
    await failTimes(breaker, 2);
    await breaker.execute(ok);
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('closed');
  });

  test('half-opens after the break, closes on a successful probe', async () => {
    const { breaker, clock, changes } = setup();
    const events: string[] = [];
    breaker.onHalfOpen(() => events.push('half-open'));
    breaker.onReset(() => events.push('reset'));
    await failTimes(breaker, 3);
    clock.tick(1_000);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
    expect(events).toEqual(['half-open', 'reset']);
  });

  test('a failed probe reopens for another break', async () => {
    const { breaker, clock, changes } = setup();
    const breaks: BreakEvent[] = [];
    breaker.onBreak((e) => breaks.push(e));
    await failTimes(breaker, 3);
    clock.tick(1_000);
    await expect(breaker.execute(fail)).rejects.toBe(boom);
    expect(breaker.state).toBe('open');
    expect(breaks.map((b) => b.reason)).toEqual(['consecutive-failures', 'half-open-failure']);
    expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->open']);
    await expect(breaker.execute(ok)).rejects.toMatchObject({ state: 'open', retryAfterMs: 1_000 });
  });

  test('half-open lets halfOpenMaxCalls probes through; the rest fail fast; all must succeed to close', async () => {
    const { breaker, clock } = setup({ halfOpenMaxCalls: 2 });
    const rejected: CircuitRejectedEvent[] = [];
    breaker.onRejected((e) => rejected.push(e));
    await failTimes(breaker, 3);
    clock.tick(1_000);
    const a = deferred<string>();
    const b = deferred<string>();
    const p1 = breaker.execute(() => a.promise);
    const p2 = breaker.execute(() => b.promise);
    await expect(breaker.execute(ok)).rejects.toMatchObject({ state: 'half-open', retryAfterMs: 0 });
    expect(rejected).toEqual([{ name: 'circuitBreaker', reason: 'half-open', retryAfterMs: 0 }]);
    a.resolve('a');
    await expect(p1).resolves.toBe('a');
    expect(breaker.state).toBe('half-open');
    // The episode admits two probes in all, not two at a time.
    await expect(breaker.execute(ok)).rejects.toMatchObject({ state: 'half-open' });
    b.resolve('b');
    await expect(p2).resolves.toBe('b');
    expect(breaker.state).toBe('closed');
  });

  test('the caller’s own abort never counts against the circuit, in closed or half-open state', async () => {
    const { breaker, clock } = setup({ breaker: { kind: 'consecutive', threshold: 1 } });
    const controller = new AbortController();
    const running = breaker.execute(
      ({ signal }) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
      controller.signal,
    );
    controller.abort(new Error('user left'));
    await expect(running).rejects.toThrow('user left');
    expect(breaker.state).toBe('closed');

    await expect(breaker.execute(fail)).rejects.toBe(boom);
    clock.tick(1_000);
    const probeAbort = new AbortController();
    const probe = breaker.execute(
      ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
      probeAbort.signal,
    );
    probeAbort.abort();
    await expect(probe).rejects.toMatchObject({ name: 'AbortError' });
    expect(breaker.state).toBe('half-open');
    // The slot was freed: the next call probes.
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  test('rejects at once with the abort reason when the signal is already aborted', async () => {
    const { breaker } = setup();
    let called = false;
    const reason = new Error('gone');
    await expect(breaker.execute(() => (called = true), AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(called).toBe(false);
  });

  test('default isFailure ignores 4xx caller errors but counts 408, 429 and 5xx', async () => {
    const { breaker } = setup({ breaker: { kind: 'consecutive', threshold: 2 } });
    const http = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });
    for (const status of [400, 404, 422, 404]) await expect(breaker.execute(() => Promise.reject(http(status)))).rejects.toThrow();
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(() => Promise.reject(http(429)))).rejects.toThrow();
    await expect(breaker.execute(() => Promise.reject(http(503)))).rejects.toThrow();
    expect(breaker.state).toBe('open');
  });

  test('a custom isFailure decides; a throwing predicate counts as a failure', async () => {
    const { breaker } = setup({ breaker: { kind: 'consecutive', threshold: 2 }, isFailure: (e) => e !== boom });
    await failTimes(breaker, 5);
    expect(breaker.state).toBe('closed');
    const { breaker: b2 } = setup({
      breaker: { kind: 'consecutive', threshold: 1 },
      isFailure: () => {
        throw new Error('bad predicate');
      },
    });
    await expect(b2.execute(fail)).rejects.toBe(boom);
    expect(b2.state).toBe('open');
  });

  test('isolate holds the circuit open until every handle is disposed', async () => {
    const { breaker, changes } = setup();
    const first = breaker.isolate();
    const second = breaker.isolate();
    const error = await breaker.execute(ok).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CIRCUIT_OPEN', state: 'isolated', retryAfterMs: undefined, transient: false });
    first.dispose();
    first.dispose();
    expect(breaker.state).toBe('isolated');
    second[Symbol.dispose]();
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(changes).toEqual(['closed->isolated', 'isolated->closed']);
  });

  test('outcomes of calls started before a transition do not count in the new state', async () => {
    const { breaker, clock } = setup({ breaker: { kind: 'consecutive', threshold: 1 } });
    const slow = deferred<string>();
    const late = breaker.execute(() => slow.promise);
    await expect(breaker.execute(fail)).rejects.toBe(boom);
    clock.tick(1_000);
    const probe = deferred<string>();
    const probing = breaker.execute(() => probe.promise);
    slow.resolve('late'); // a success from the closed era must not close the half-open circuit
    await expect(late).resolves.toBe('late');
    expect(breaker.state).toBe('half-open');
    probe.reject(boom);
    await expect(probing).rejects.toBe(boom);
    expect(breaker.state).toBe('open');
  });

  test('halfOpenAfterMs takes a cockatiel backoff that grows with each failed probe', async () => {
    const backoff = new ExponentialBackoff({ initialDelay: 100, maxDelay: 10_000, generator: noJitterGenerator });
    const { breaker, clock } = setup({ halfOpenAfterMs: backoff });
    const breaks: Array<number | undefined> = [];
    breaker.onBreak((e) => breaks.push(e.retryAfterMs));
    await failTimes(breaker, 3);
    for (let i = 0; i < 2; i++) {
      clock.tick(breaks.at(-1)!);
      await expect(breaker.execute(fail)).rejects.toBe(boom);
    }
    expect(breaks).toEqual([100, 200, 400]);
  });

  test('accepts a cockatiel IBreaker instance', async () => {
    const { breaker, clock } = setup({ breaker: new ConsecutiveBreaker(2) });
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('open');
    clock.tick(1_000);
    await breaker.execute(ok);
    expect(breaker.state).toBe('closed');
  });

  test('executeResult returns Ok or an Err holding a BulwarkError', async () => {
    const { breaker } = setup({ breaker: { kind: 'consecutive', threshold: 1 } });
    expect((await breaker.executeResult(ok))._unsafeUnwrap()).toBe('ok');
    const failed = await breaker.executeResult(fail);
    expect(failed._unsafeUnwrapErr()).toMatchObject({ code: 'OPERATION_FAILED', cause: boom });
    const open = await breaker.executeResult(ok);
    expect(isCircuitOpenError(open._unsafeUnwrapErr())).toBe(true);
  });

  test('executeResult never quotes the original error: its kind is named, the error kept as cause', async () => {
    const { breaker } = setup();
    const original = new Error('token=S3cr3t');
    const error = (
      await breaker.executeResult(async () => {
        throw original;
      })
    )._unsafeUnwrapErr();
    expect(error.message).toBe('The operation failed (Error).');
    expect(error.cause).toBe(original);
    expect(JSON.stringify(error)).not.toContain('S3cr3t');
  });

  test('composes with core’s pipeline and timeout: a hang counts as a failure', async () => {
    const clock = createFakeClock();
    const breaker = circuitBreaker({ breaker: { kind: 'consecutive', threshold: 1 }, clock });
    const policy = pipeline(breaker, timeout(100, { clock }));
    const hanging = policy.execute(() => new Promise(() => {})).catch((e: unknown) => e);
    await clock.tickAsync(100);
    expect(await hanging).toMatchObject({ code: 'TIMEOUT' });
    expect(breaker.state).toBe('open');
    const error = await policy.execute(ok).catch((e: unknown) => e);
    expect(isBulwarkError(error) && error.code).toBe('CIRCUIT_OPEN');
  });

  test('sets no timer in any state: open turns half-open on the first call after the break', async () => {
    const { breaker, clock } = setup({ breaker: { kind: 'time', windowMs: 1_000, minimumCalls: 1, slowCallDurationMs: 10 } });
    await breaker.execute(ok);
    await expect(breaker.execute(fail)).rejects.toBe(boom);
    await expect(breaker.execute(ok)).rejects.toMatchObject({ state: 'open' });
    clock.tick(5_000);
    expect(breaker.state).toBe('open');
    await breaker.execute(ok);
    expect(breaker.state).toBe('closed');
    expect(clock.pendingTimers).toBe(0);
  });

  test('a function that throws synchronously counts like a rejection', async () => {
    const { breaker } = setup({ breaker: { kind: 'consecutive', threshold: 1 } });
    await expect(
      breaker.execute(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(breaker.state).toBe('open');
  });

  test('the name appears in errors and events', async () => {
    const { breaker } = setup({ name: 'payments', breaker: { kind: 'consecutive', threshold: 1 } });
    const seen: StateChangeEvent[] = [];
    breaker.onStateChange((e) => seen.push(e));
    await expect(breaker.execute(fail)).rejects.toBe(boom);
    expect(breaker.name).toBe('payments');
    expect(seen).toEqual([{ name: 'payments', from: 'closed', to: 'open' }]);
    await expect(breaker.execute(ok)).rejects.toThrow('The circuit "payments" is open; it lets a probe call through in 1000 ms.');
  });

  test("without a name, events carry the factory's name", async () => {
    const { breaker } = setup({ breaker: { kind: 'consecutive', threshold: 1 } });
    const names: string[] = [];
    breaker.onBreak((e) => names.push(e.name));
    breaker.onRejected((e) => names.push(e.name));
    await expect(breaker.execute(fail)).rejects.toBe(boom);
    await expect(breaker.execute(ok)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(names).toEqual(['circuitBreaker', 'circuitBreaker']);
  });

  test('a fn that is not a function rejects (never throws) with a TypeError naming fn, in every state, and counts for nothing', async () => {
    const { breaker, clock } = setup({ breaker: { kind: 'consecutive', threshold: 1 } });
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = breaker.execute(undefined as never);
    }).not.toThrow();
    await expect(pending).rejects.toThrow(new TypeError('Expected `fn` to be a function, got undefined.'));
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(fail)).rejects.toBe(boom);
    await expect(breaker.execute(null as never)).rejects.toThrow(new TypeError('Expected `fn` to be a function, got null.'));
    clock.tick(1_000);
    const result = await breaker.executeResult(42 as never);
    expect(result._unsafeUnwrapErr().cause).toEqual(new TypeError('Expected `fn` to be a function, got 42.'));
    expect(breaker.state).toBe('open'); // no probe was spent on it
    await expect(breaker.execute(ok)).resolves.toBe('ok');
  });

  test('a signal that is not one rejects (never throws) with a TypeError naming signal, in every state, and counts for nothing', async () => {
    const { breaker, clock } = setup({ breaker: { kind: 'consecutive', threshold: 1 } });
    let ran = 0;
    const reads = ({ signal }: { signal: AbortSignal }) => (ran++, signal.aborted);
    const refusal = (got: string) => new TypeError(`Expected \`signal\` to be an AbortSignal or an execute context, got ${got}.`);
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = breaker.execute(reads, {} as never);
    }).not.toThrow();
    await expect(pending).rejects.toThrow(refusal('an object (Object)'));
    await expect(breaker.execute(ok, 5 as never)).rejects.toThrow(refusal('5'));
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(fail)).rejects.toBe(boom);
    clock.tick(1_000);
    await expect(breaker.execute(reads, { attempt: 1 } as never)).rejects.toThrow(refusal('an object (Object)'));
    expect(ran).toBe(0);
    expect(breaker.state).toBe('open'); // no probe was spent on it
    await expect(breaker.execute(reads, { signal: new AbortController().signal, attempt: 1 })).resolves.toBe(false);
    expect(breaker.state).toBe('closed');
  });
});

describe('snapshots', () => {
  test('an open circuit stays open across a restart until its break is over', async () => {
    const { breaker, clock } = setup();
    await failTimes(breaker, 3);
    clock.tick(300);
    const saved = JSON.parse(JSON.stringify(breaker.toJSON()));
    expect(saved).toEqual({ version: 1, name: 'circuitBreaker', state: 'open', openUntil: 1_000, attempt: 1 });

    const later = createFakeClock({ now: 500 });
    const fresh = circuitBreaker({ halfOpenAfterMs: 1_000, clock: later });
    const breaks: BreakEvent[] = [];
    fresh.onBreak((e) => breaks.push(e));
    expect(fresh.restore(saved)).toBeUndefined();
    expect(fresh.state).toBe('open');
    expect(breaks).toMatchObject([{ reason: 'restored', retryAfterMs: 500 }]);
    await expect(fresh.execute(ok)).rejects.toMatchObject({ retryAfterMs: 500 });
    later.tick(500);
    await expect(fresh.execute(ok)).resolves.toBe('ok');
  });

  test('a half-open circuit is saved as open until now: it probes first thing after restore', async () => {
    const { breaker, clock } = setup();
    await failTimes(breaker, 3);
    clock.tick(1_000);
    const probe = deferred<string>();
    const probing = breaker.execute(() => probe.promise);
    expect(breaker.toJSON()).toMatchObject({ state: 'open', openUntil: clock.now() });
    probe.resolve('x');
    await probing;
  });

  test('closed windows and isolation survive a snapshot', async () => {
    const { breaker } = setup({ breaker: { kind: 'count', size: 4, minimumCalls: 4, failureRateThreshold: 0.5 } });
    await breaker.execute(ok);
    await failTimes(breaker, 1);
    const saved = breaker.toJSON();
    expect(saved).toMatchObject({ state: 'closed', window: [0, 1] });
    const { breaker: fresh } = setup({ breaker: { kind: 'count', size: 4, minimumCalls: 4, failureRateThreshold: 0.5 } });
    fresh.restore(saved);
    await fresh.execute(ok);
    await expect(fresh.execute(fail)).rejects.toBe(boom); // 2 failures out of 4
    expect(fresh.state).toBe('open');

    const isolated = setup().breaker;
    const handle = isolated.isolate();
    const again = setup().breaker;
    const restoredHandle = again.restore(isolated.toJSON());
    expect(again.state).toBe('isolated');
    restoredHandle!.dispose();
    handle.dispose();
    expect(again.state).toBe('closed');
  });

  test('a malformed snapshot is a TypeError naming the field', () => {
    const { breaker } = setup();
    expect(() => breaker.restore({ version: 2 } as never)).toThrow('Expected `snapshot.version` to be 1, got 2.');
    expect(() => breaker.restore({ version: 1, state: 'open' } as never)).toThrow(/snapshot\.openUntil/);
    expect(() => breaker.restore({ version: 1, state: 'weird' } as never)).toThrow(/snapshot\.state/);
    expect(() => breaker.restore({ version: 1, state: 'closed', window: 'x' })).toThrow(/snapshot\.window/);
  });
});
