import { createFakeClock } from '@bulwark/core';
import { ConsecutiveBreaker } from 'cockatiel';
import { describe, expect, test } from 'vitest';
import { circuitBreakerRegistry, dependencyKey, isCircuitOpenError, type BreakerDroppedEvent } from './index.js';

const boom = new Error('down');
const fail = () => Promise.reject(boom);

describe('circuitBreakerRegistry', () => {
  test('one bad endpoint opens its own circuit, not the others', async () => {
    const clock = createFakeClock();
    const breakers = circuitBreakerRegistry({ breaker: { breaker: { kind: 'consecutive', threshold: 2 }, clock } });
    const bad = { host: 'API.example.com', endpoint: 'GET /slow' };
    for (let i = 0; i < 2; i++) await expect(breakers.execute(bad, fail)).rejects.toBe(boom);
    const error = await breakers.execute(bad, () => 'x').catch((e: unknown) => e);
    expect(isCircuitOpenError(error) && error.breaker).toBe('api.example.com GET /slow');
    await expect(breakers.execute({ host: 'api.example.com', endpoint: 'GET /fast' }, () => 'fine')).resolves.toBe('fine');
    expect(breakers.get('api.example.com GET /slow').state).toBe('open');
    expect(breakers.get(bad)).toBe(breakers.get('api.example.com GET /slow'));
    expect((await breakers.executeResult('other', () => 1))._unsafeUnwrap()).toBe(1);
  });

  test('options may be a function of the key', async () => {
    const breakers = circuitBreakerRegistry({
      breaker: (key) => ({ breaker: key === 'fragile' ? { kind: 'consecutive', threshold: 1 } : new ConsecutiveBreaker(3) }),
    });
    await expect(breakers.execute('fragile', fail)).rejects.toBe(boom);
    await expect(breakers.execute('sturdy', fail)).rejects.toBe(boom);
    expect(breakers.get('fragile').state).toBe('open');
    expect(breakers.get('sturdy').state).toBe('closed');
  });

  test('bounded: evicts the least recently used closed breaker, keeps open ones', async () => {
    const breakers = circuitBreakerRegistry({ breaker: { breaker: { kind: 'consecutive', threshold: 1 } }, maxEntries: 3 });
    const evicted: BreakerDroppedEvent[] = [];
    breakers.onBreakerDropped((e) => evicted.push(e));
    await expect(breakers.execute('a', fail)).rejects.toBe(boom); // a is open and least recently used
    breakers.get('b');
    breakers.get('c');
    breakers.get('b'); // c is now the least recently used closed one
    breakers.get('d');
    expect(evicted).toEqual([{ name: 'circuitBreakerRegistry', key: 'c', state: 'closed' }]);
    expect(breakers.keys()).toEqual(['a', 'b', 'd']);
    expect(breakers.size).toBe(3);
    expect(breakers.peek('a')?.state).toBe('open');
  });

  test('when every breaker is open it still stays bounded, and says what it forgot', async () => {
    const breakers = circuitBreakerRegistry({ breaker: { breaker: { kind: 'consecutive', threshold: 1 } }, maxEntries: 2 });
    const evicted: BreakerDroppedEvent[] = [];
    breakers.onBreakerDropped((e) => evicted.push(e));
    await expect(breakers.execute('a', fail)).rejects.toBe(boom);
    await expect(breakers.execute('b', fail)).rejects.toBe(boom);
    breakers.get('c');
    expect(evicted).toEqual([{ name: 'circuitBreakerRegistry', key: 'a', state: 'open' }]);
    expect(breakers.size).toBe(2);
  });

  test('onBreakerCreated hands out each new breaker, to wire its events; the registry names itself', async () => {
    const breakers = circuitBreakerRegistry({ name: 'upstreams', breaker: { breaker: { kind: 'consecutive', threshold: 1 } } });
    const opened: string[] = [];
    const created: string[] = [];
    breakers.onBreakerCreated(({ name, key, breaker }) => {
      created.push(`${name}: ${key}`);
      breaker.onBreak((e) => opened.push(e.name));
    });
    await expect(breakers.execute('x', fail)).rejects.toBe(boom);
    expect(opened).toEqual(['x']);
    expect(created).toEqual(['upstreams: x']);
    expect(breakers.name).toBe('upstreams');
    expect(circuitBreakerRegistry().name).toBe('circuitBreakerRegistry');
  });

  test('a bad key or fn never throws: execute rejects and executeResult is an Err, both naming the field', async () => {
    const breakers = circuitBreakerRegistry();
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = breakers.execute('', () => 1);
    }).not.toThrow();
    await expect(pending).rejects.toThrow(new TypeError('Expected `key` to be a non-empty string or { host, endpoint? }, got "".'));
    let result: ReturnType<typeof breakers.executeResult> | undefined;
    expect(() => {
      result = breakers.executeResult('', () => 1);
    }).not.toThrow();
    expect((await result!)._unsafeUnwrapErr().cause).toEqual(new TypeError('Expected `key` to be a non-empty string or { host, endpoint? }, got "".'));
    await expect(breakers.execute({ host: 42 } as never, () => 1)).rejects.toThrow(TypeError);
    await expect(breakers.execute('api', undefined as never)).rejects.toThrow(new TypeError('Expected `fn` to be a function, got undefined.'));
    expect((await breakers.executeResult('api', 'x' as never))._unsafeUnwrapErr().cause).toEqual(
      new TypeError('Expected `fn` to be a function, got "x".'),
    );
    expect(breakers.size).toBe(0); // nothing was made for a call that could not run
  });

  test('a signal that is not one rejects, naming it, and makes no breaker', async () => {
    const breakers = circuitBreakerRegistry();
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = breakers.execute('api', () => 1, {} as never);
    }).not.toThrow();
    await expect(pending).rejects.toThrow(new TypeError('Expected `signal` to be an AbortSignal or an execute context, got an object (Object).'));
    expect(breakers.size).toBe(0);
  });

  test('snapshots keep the open circuits across a restart', async () => {
    const clock = createFakeClock();
    const options = { breaker: { breaker: { kind: 'consecutive' as const, threshold: 1 }, clock, halfOpenAfterMs: 1_000 } };
    const before = circuitBreakerRegistry(options);
    await expect(before.execute('down', fail)).rejects.toBe(boom);
    before.get('up');
    const saved = JSON.parse(JSON.stringify(before.toJSON()));
    expect(Object.keys(saved.breakers)).toEqual(['down']);
    const after = circuitBreakerRegistry(options);
    after.restore(saved);
    expect(after.get('down').state).toBe('open');
    expect(() => after.restore({ version: 3 } as never)).toThrow(TypeError);
  });

  test('validates its options and keys', () => {
    expect(() => circuitBreakerRegistry({ maxEntries: 0 })).toThrow('Expected `maxEntries` to be a positive integer, got 0.');
    expect(() => circuitBreakerRegistry({ breaker: { breaker: new ConsecutiveBreaker(2) } })).toThrow(/breaker\.breaker/);
    expect(() => circuitBreakerRegistry({ breaker: { halfOpenAfterMs: -1 } })).toThrow(/halfOpenAfterMs/);
    expect(() => circuitBreakerRegistry({ breaker: { name: 'x' } as never })).toThrow(/breaker\.name/);
    expect(() => dependencyKey({ host: '' })).toThrow(/`key`/);
    expect(dependencyKey({ host: 'A.B', endpoint: '' })).toBe('a.b');
  });
});
