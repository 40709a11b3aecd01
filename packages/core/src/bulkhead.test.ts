import { getEventListeners } from 'node:events';
import { describe, expect, test } from 'vitest';
import { BulkheadFullError, bulkhead, isBulkheadFullError } from './index.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('bulkhead', () => {
  test('runs at most `limit` calls at once and queues the rest in order', async () => {
    const policy = bulkhead({ limit: 2, queue: 3 });
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    const calls = gates.map((g, i) =>
      policy.execute(async () => {
        started.push(i);
        await g.opened;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(policy.executing).toBe(2);
    expect(policy.queued).toBe(3);
    gates[1]!.open();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.open();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const g of gates) g.open();
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4]);
    expect(policy.executing).toBe(0);
    expect(policy.queued).toBe(0);
  });

  test('rejects a call beyond limit and queue at once with BulkheadFullError, and emits onRejected', async () => {
    const policy = bulkhead({ limit: 1, queue: 1 });
    const g = gate();
    const rejected: unknown[] = [];
    policy.onRejected((e) => rejected.push(e));
    const running = policy.execute(() => g.opened);
    const queued = policy.execute(() => g.opened);
    const error = await policy.execute(() => 1).catch((e: unknown) => e);
    expect(isBulkheadFullError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'BULKHEAD_FULL', limit: 1, queue: 1, transient: true });
    expect(rejected).toEqual([{ name: 'bulkhead', reason: 'full', retryAfterMs: undefined, executing: 1, queued: 1 }]);
    g.open();
    await Promise.all([running, queued]);
  });

  test('frees the slot when a call fails', async () => {
    const policy = bulkhead({ limit: 1 });
    await expect(policy.execute(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(policy.execute(() => 'next')).resolves.toBe('next');
  });

  test('a queued call whose signal aborts leaves the queue at once with the reason and its listener', async () => {
    const policy = bulkhead({ limit: 1, queue: 2 });
    const g = gate();
    const running = policy.execute(() => g.opened);
    const controller = new AbortController();
    let ran = false;
    const queued = policy.execute(() => {
      ran = true;
    }, controller.signal);
    await tick();
    expect(policy.queued).toBe(1);
    const reason = new Error('gone');
    controller.abort(reason);
    await expect(queued).rejects.toBe(reason);
    expect(policy.queued).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    g.open();
    await running;
    expect(ran).toBe(false);
    expect(policy.executing).toBe(0);
  });

  test('an already aborted signal never takes a slot', async () => {
    const policy = bulkhead({ limit: 1 });
    await expect(policy.execute(() => 1, AbortSignal.abort(new Error('no')))).rejects.toThrow('no');
    expect(policy.executing).toBe(0);
  });

  test('executeResult returns Err(BulkheadFullError) instead of throwing', async () => {
    const policy = bulkhead({ limit: 1 });
    const g = gate();
    const running = policy.execute(() => g.opened);
    const result = await policy.executeResult(() => 1);
    expect(result.isErr() && result.error).toBeInstanceOf(BulkheadFullError);
    g.open();
    await running;
  });

  test('validates its options', () => {
    expect(() => bulkhead({ limit: 0 })).toThrow('Expected `limit` to be a positive integer, got 0.');
    expect(() => bulkhead({ limit: 1.5 })).toThrow('Expected `limit` to be a positive integer, got 1.5.');
    expect(() => bulkhead({ limit: 1, queue: -1 })).toThrow('Expected `queue` to be a non-negative integer, got -1.');
    expect(() => bulkhead(undefined as never)).toThrow(/Expected `options` to be an options object/);
  });
});
