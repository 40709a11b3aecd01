import { getEventListeners } from 'node:events';
import { describe, expect, test } from 'vitest';
import { CallContext } from './index.js';

describe('CallContext', () => {
  test('inherits the attempt of its parent context unless given one', () => {
    const parent = new CallContext(undefined, 3);
    expect(new CallContext(parent).attempt).toBe(3);
    expect(new CallContext(parent, 4).attempt).toBe(4);
    expect(new CallContext(new AbortController().signal).attempt).toBe(1);
  });

  test('an abort reaches every descendant whose signal was read', () => {
    const root = new CallContext();
    const child = new CallContext(root);
    const grandchild = new CallContext(child);
    const signal = grandchild.signal;
    root.abort('why');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('why');
    expect(child.aborted).toBe(true);
  });

  test('a descendant that never listened still reports the abort when asked', () => {
    const root = new CallContext();
    const child = new CallContext(root);
    root.abort('late');
    expect(child.aborted).toBe(true);
    expect(child.reason).toBe('late');
    expect(child.signal.aborted).toBe(true);
  });

  test('release detaches from a parent signal', () => {
    const controller = new AbortController();
    const context = new CallContext(controller.signal);
    void context.signal;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    context.release();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  test('onAbort runs once for a subclass', () => {
    const calls: unknown[] = [];
    class Tracking extends CallContext {
      protected override onAbort(reason: unknown): void {
        calls.push(reason);
      }
    }
    const context = new Tracking();
    context.abort('one');
    context.abort('two');
    expect(calls).toEqual(['one']);
  });
});
