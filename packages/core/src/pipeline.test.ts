import { describe, expect, test } from 'vitest';
import {
  AbortedError,
  OperationFailedError,
  TimeoutError,
  bulkhead,
  createFakeClock,
  fallback,
  pipeline,
  timeout,
  type Policy,
} from './index.js';

/** A policy that records when it is entered and left. */
function tracer(name: string, log: string[]): Policy {
  return {
    async execute(fn, signal) {
      log.push(`enter ${name}`);
      try {
        const { CallContext } = await import('./index.js');
        return await fn(new CallContext(signal));
      } finally {
        log.push(`leave ${name}`);
      }
    },
    executeResult() {
      throw new Error('not used');
    },
  };
}

describe('pipeline', () => {
  test('runs policies outermost first', async () => {
    const log: string[] = [];
    await pipeline(tracer('a', log), tracer('b', log), tracer('c', log)).execute(() => log.push('fn'));
    expect(log).toEqual(['enter a', 'enter b', 'enter c', 'fn', 'leave c', 'leave b', 'leave a']);
  });

  test('flattens nested pipelines', async () => {
    const log: string[] = [];
    const inner = pipeline(tracer('b', log), tracer('c', log));
    await pipeline(tracer('a', log), inner).execute(() => log.push('fn'));
    expect(log).toEqual(['enter a', 'enter b', 'enter c', 'fn', 'leave c', 'leave b', 'leave a']);
  });

  test("the caller's signal reaches the innermost function", async () => {
    const controller = new AbortController();
    const policy = pipeline(bulkhead({ limit: 5 }), timeout(1_000, { clock: createFakeClock() }));
    let inner: AbortSignal | undefined;
    const call = policy.execute(({ signal }) => {
      inner = signal;
      return new Promise(() => {});
    }, controller.signal);
    await new Promise((r) => setImmediate(r));
    controller.abort(new Error('stop'));
    await expect(call).rejects.toThrow('stop');
    expect(inner!.aborted).toBe(true);
  });

  test('executeResult maps every failure to a BulwarkError', async () => {
    const clock = createFakeClock();
    const policy = pipeline(timeout(5, { clock }));
    const ok = await policy.executeResult(async () => 1);
    expect(ok.isOk() && ok.value).toBe(1);

    const boom = new Error('boom');
    const failed = await policy.executeResult(() => Promise.reject(boom));
    expect(failed.isErr() && failed.error).toBeInstanceOf(OperationFailedError);
    expect(failed.isErr() && failed.error.cause).toBe(boom);

    const slow = policy.executeResult(() => new Promise(() => {}));
    await clock.tickAsync(5);
    const timedOut = await slow;
    expect(timedOut.isErr() && timedOut.error).toBeInstanceOf(TimeoutError);

    const aborted = await policy.executeResult(() => 1, AbortSignal.abort());
    expect(aborted.isErr() && aborted.error).toBeInstanceOf(AbortedError);
  });

  test('a fallback outside a failing pipeline answers as a value in the Result', async () => {
    const result = await pipeline(fallback('spare'), timeout(100)).executeResult(() => Promise.reject(new Error('x')));
    expect(result.isOk() && result.value).toBe('spare');
  });

  test('policies carry a name for logs and metrics', () => {
    expect(timeout(5).name).toBe('timeout');
    expect(timeout(5, { name: 'upstream' }).name).toBe('upstream');
    expect(bulkhead({ limit: 1, name: 'pool' }).name).toBe('pool');
    expect(fallback(0).name).toBe('fallback');
    expect(() => timeout(5, { name: 42 as never })).toThrow('Expected `name` to be a non-empty string, got 42.');
  });

  test('rejects what is not a policy, naming its position', () => {
    expect(() => pipeline()).toThrow('Expected `policies` to hold at least one policy, got none.');
    expect(() => pipeline(timeout(1), {} as Policy)).toThrow(/Expected `policies\[1\]` to be a Policy/);
    expect(() => pipeline(timeout(1), null as never)).toThrow(new TypeError('Expected `policies[1]` to be a Policy (an object with execute), got null.'));
    expect(() => pipeline(timeout as never, timeout(1))).toThrow(
      new TypeError('Expected `policies[0]` to be a Policy (an object with execute), not the factory that makes one: `timeout(…)`, got a function.'),
    );
  });
});
