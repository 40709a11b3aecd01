import { createFakeClock } from '@bulwark/core';
import { deferred, type Deferred } from '@bulwark/test-utils';
import { describe, expect, test } from 'vitest';
import { circuitBreaker, type SharedAcquire, type SharedCircuit, type CircuitStore, type SharedVote } from './index.js';

const boom = new Error('down');
const fail = () => Promise.reject(boom);
const ok = () => Promise.resolve('ok');

/** A store whose every answer the test gives by hand, recording what the breaker asked. */
function scriptedStore() {
  const log: string[] = [];
  const acquires: Array<Deferred<SharedAcquire>> = [];
  let readMs = 0;
  let voteReply: SharedVote = { votes: 1, openForMs: 0 };
  const circuit: SharedCircuit = {
    syncIntervalMs: 100,
    vote: async (breakMs) => {
      log.push(`vote ${breakMs}`);
      return voteReply;
    },
    read: async () => {
      log.push('read');
      return readMs;
    },
    acquire: () => {
      log.push('acquire');
      const d = deferred<SharedAcquire>();
      acquires.push(d);
      return d.promise;
    },
    release: async (outcome, breakMs) => {
      log.push(`release ${outcome} ${breakMs}`);
    },
  };
  const store: CircuitStore = { bind: (name) => (log.push(`bind ${name}`), circuit) };
  return {
    store,
    log,
    acquires,
    setRead: (ms: number) => (readMs = ms),
    setVote: (v: SharedVote) => (voteReply = v),
  };
}

function setup() {
  const clock = createFakeClock();
  const s = scriptedStore();
  const breaker = circuitBreaker({ name: 'dep', breaker: { kind: 'consecutive', threshold: 1 }, halfOpenAfterMs: 1_000, store: s.store, clock });
  return { clock, breaker, ...s };
}

describe('a breaker with a shared store', () => {
  test('syncs at most once per syncIntervalMs, and only while closed', async () => {
    const { clock, breaker, log } = setup();
    for (let i = 0; i < 5; i++) await breaker.execute(ok);
    expect(log.filter((l) => l === 'read')).toHaveLength(1);
    clock.tick(100);
    await breaker.execute(ok);
    expect(log.filter((l) => l === 'read')).toHaveLength(2);
  });

  test('opens when the shared circuit is open, without holding up the call that asked', async () => {
    const { breaker, setRead } = setup();
    setRead(700);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    await Promise.resolve();
    expect(breaker.state).toBe('open');
    await expect(breaker.execute(ok)).rejects.toMatchObject({ state: 'open', retryAfterMs: 700 });
  });

  test('a local trip votes; a failed probe on a local break votes again and never reopens for all', async () => {
    const { clock, breaker, log, acquires } = setup();
    await expect(breaker.execute(fail)).rejects.toBe(boom);
    expect(log).toContain('vote 1000');
    clock.tick(1_000);
    const probing = breaker.execute(fail);
    acquires[0]!.resolve({ kind: 'probe', shared: false });
    await expect(probing).rejects.toBe(boom);
    expect(log.slice(-2)).toEqual(['vote 1000', 'release abandon 1000']);
  });

  test('a failed probe on a shared break reopens it for all; a good one closes it for all', async () => {
    const { clock, breaker, log, acquires } = setup();
    await expect(breaker.execute(fail)).rejects.toBe(boom);
    clock.tick(1_000);
    const first = breaker.execute(fail);
    acquires[0]!.resolve({ kind: 'probe', shared: true });
    await expect(first).rejects.toBe(boom);
    expect(log.at(-1)).toBe('release reopen 1000');
    clock.tick(1_000);
    const second = breaker.execute(ok);
    acquires[1]!.resolve({ kind: 'probe', shared: true });
    await expect(second).resolves.toBe('ok');
    expect(log.at(-1)).toBe('release closed 0');
    expect(breaker.state).toBe('closed');
  });

  test('while the lease is busy elsewhere calls fail fast, and the lease is not asked again before syncIntervalMs', async () => {
    const { clock, breaker, log, acquires } = setup();
    await expect(breaker.execute(fail)).rejects.toBe(boom);
    clock.tick(1_000);
    const waiting = breaker.execute(ok);
    await expect(breaker.execute(ok)).rejects.toMatchObject({ state: 'half-open' }); // one acquire at a time
    acquires[0]!.resolve({ kind: 'busy', remainingMs: 5_000 });
    await expect(waiting).rejects.toMatchObject({ state: 'half-open', retryAfterMs: 0 });
    await expect(breaker.execute(ok)).rejects.toMatchObject({ state: 'half-open' });
    expect(log.filter((l) => l === 'acquire')).toHaveLength(1);
    clock.tick(100);
    const probing = breaker.execute(ok);
    acquires[1]!.resolve({ kind: 'open', remainingMs: 2_000 });
    await expect(probing).rejects.toMatchObject({ state: 'open', retryAfterMs: 2_000 });
    expect(breaker.state).toBe('open');
  });

  test('a caller that aborts while the lease is being asked for gets its abort reason, and the lease goes back', async () => {
    const { clock, breaker, log, acquires } = setup();
    await expect(breaker.execute(fail)).rejects.toBe(boom);
    clock.tick(1_000);
    const controller = new AbortController();
    let called = false;
    const probing = breaker.execute(() => (called = true), controller.signal);
    controller.abort(new Error('caller left'));
    acquires[0]!.resolve({ kind: 'probe', shared: false });
    await expect(probing).rejects.toThrow('caller left');
    expect(called).toBe(false);
    expect(log.at(-1)).toBe('release abandon 0');
  });

  test('a store that fails with an error of its own is reported as StoreUnavailableError, with it as the cause', async () => {
    const cause = new Error('connection reset');
    const store: CircuitStore = {
      bind: () => ({
        syncIntervalMs: 0,
        vote: () => Promise.reject(cause),
        read: () => Promise.reject(cause),
        acquire: () => Promise.reject(cause),
        release: () => Promise.reject(cause),
      }),
    };
    const breaker = circuitBreaker({ name: 'dep', store });
    const errors: unknown[] = [];
    breaker.onStoreError((e) => errors.push(e));
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    await Promise.resolve();
    expect(errors).toEqual([{ name: 'dep', operation: 'sync', error: expect.objectContaining({ code: 'STORE_UNAVAILABLE', store: 'CircuitStore', cause }) }]);
  });

  test('isolating while the lease is being asked for wins', async () => {
    const { clock, breaker, acquires } = setup();
    await expect(breaker.execute(fail)).rejects.toBe(boom);
    clock.tick(1_000);
    const probing = breaker.execute(ok);
    const handle = breaker.isolate();
    acquires[0]!.resolve({ kind: 'probe', shared: false });
    await expect(probing).rejects.toMatchObject({ state: 'isolated' });
    handle.dispose();
  });
});
