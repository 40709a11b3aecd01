import { afterEach, describe, expect, test, vi } from 'vitest';
import { EventEmitter } from './index.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('EventEmitter', () => {
  test('delivers events in subscription order until disposed', () => {
    const emitter = new EventEmitter<number>();
    const seen: string[] = [];
    const a = emitter.event((n) => seen.push(`a${n}`));
    emitter.event((n) => seen.push(`b${n}`));
    emitter.emit(1);
    a.dispose();
    a.dispose();
    emitter.emit(2);
    expect(seen).toEqual(['a1', 'b1', 'b2']);
  });

  test('works with `using`', () => {
    const emitter = new EventEmitter<number>();
    const seen: number[] = [];
    {
      using _subscription = emitter.event((n) => seen.push(n));
      emitter.emit(1);
    }
    emitter.emit(2);
    expect(seen).toEqual([1]);
    expect(emitter.hasListeners).toBe(false);
  });

  test('a throwing listener neither stops the others nor the emitter; its error is rethrown later', () => {
    const deferred: Array<() => void> = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((cb) => void deferred.push(cb));
    const emitter = new EventEmitter<number>();
    const seen: number[] = [];
    emitter.event(() => {
      throw new Error('listener bug');
    });
    emitter.event((n) => seen.push(n));
    expect(() => emitter.emit(1)).not.toThrow();
    expect(seen).toEqual([1]);
    expect(deferred).toHaveLength(1);
    expect(() => deferred[0]!()).toThrow('listener bug');
  });

  test('a listener added during an emit hears the next one, not this one', () => {
    const emitter = new EventEmitter<number>();
    const seen: number[] = [];
    emitter.event(() => {
      emitter.event((n) => seen.push(n));
    });
    emitter.emit(1);
    expect(seen).toEqual([]);
    emitter.emit(2);
    expect(seen).toEqual([2]);
  });

  test('rejects a listener that is not a function', () => {
    expect(() => new EventEmitter<number>().event('x' as never)).toThrow('Expected `listener` to be a function, got "x".');
  });
});
