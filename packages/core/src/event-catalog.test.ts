import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  EVENT_CATALOG,
  EVENT_NAMES,
  bulkhead,
  chaos,
  createFakeClock,
  eventsOf,
  fallback,
  isEventName,
  subscribeEvent,
  timeout,
  type EventPayloads,
  type RejectedEvent,
} from './index.js';

describe('EVENT_CATALOG', () => {
  test('every name is `on` and a PascalCase word, every entry has a meaning, a severity and emitters', () => {
    expect(EVENT_NAMES.length).toBeGreaterThan(20);
    for (const name of EVENT_NAMES) {
      expect(name).toMatch(/^on[A-Z][A-Za-z]+$/);
      const { meaning, severity, emitters } = EVENT_CATALOG[name];
      expect(meaning).toMatch(/^[a-z][^.]*[^.]$/);
      expect(['debug', 'info', 'warn', 'error']).toContain(severity);
      expect(emitters.length).toBeGreaterThan(0);
    }
    expect(Object.isFrozen(EVENT_CATALOG)).toBe(true);
  });

  test('one name for a refused call and one for a failed store, whoever emits them', () => {
    expect(EVENT_CATALOG.onRejected.emitters).toEqual(['bulkhead', 'circuitBreaker', 'rateLimiter']);
    expect(EVENT_CATALOG.onStoreError.emitters).toEqual(['cache', 'circuitBreaker', 'rateLimiter']);
    expect(EVENT_CATALOG.onEvict.emitters).toEqual(['cache']);
  });

  test('isEventName knows the catalog and nothing else', () => {
    expect(isEventName('onRetry')).toBe(true);
    expect(isEventName('onCallRejected')).toBe(false);
    expect(isEventName('toString')).toBe(false);
    expect(isEventName(42)).toBe(false);
  });
});

describe("core's primitives follow the contract", () => {
  test('each has exactly the catalogued events its entry names it for', () => {
    const sources = { timeout: timeout(10), bulkhead: bulkhead({ limit: 1 }), fallback: fallback(0), chaos: chaos({}) };
    for (const [factory, source] of Object.entries(sources)) {
      const events = eventsOf(source);
      expect(events.length).toBe(1);
      expect(EVENT_CATALOG[events[0]!].emitters).toContain(factory);
    }
  });

  test("every payload names its primitive: the factory's name by default, else the given one", async () => {
    const clock = createFakeClock();
    const seen: Array<{ event: string; name: string }> = [];
    const record = (event: string) => (payload: { name: string }) => seen.push({ event, name: payload.name });
    for (const name of [undefined, 'custom']) {
      const o = name === undefined ? {} : { name };
      const t = timeout(5, { ...o, clock });
      const b = bulkhead({ ...o, limit: 1 });
      const f = fallback('x', o);
      const c = chaos({ ...o, faultRate: 1, seed: 1 });
      t.onTimeout(record('onTimeout'));
      b.onRejected(record('onRejected'));
      f.onFallback(record('onFallback'));
      c.onChaos(record('onChaos'));
      const late = t.execute(() => new Promise(() => {})).catch(() => {});
      await clock.tickAsync(5);
      await late;
      let open!: () => void;
      const busy = b.execute(() => new Promise<void>((resolve) => (open = resolve)));
      await b.execute(() => 1).catch(() => {});
      open();
      await busy;
      await f.execute(() => Promise.reject(new Error('down')));
      await c.execute(() => 1).catch(() => {});
    }
    expect(seen).toEqual([
      { event: 'onTimeout', name: 'timeout' },
      { event: 'onRejected', name: 'bulkhead' },
      { event: 'onFallback', name: 'fallback' },
      { event: 'onChaos', name: 'chaos' },
      { event: 'onTimeout', name: 'custom' },
      { event: 'onRejected', name: 'custom' },
      { event: 'onFallback', name: 'custom' },
      { event: 'onChaos', name: 'custom' },
    ]);
  });

  test('subscribeEvent subscribes by name, typed by the contract', async () => {
    const b = bulkhead({ name: 'pool', limit: 1 });
    const seen: RejectedEvent[] = [];
    const subscription = subscribeEvent(b, 'onRejected', (payload) => {
      expectTypeOf(payload).toEqualTypeOf<EventPayloads['onRejected']>();
      seen.push(payload);
    });
    expect(subscribeEvent(b, 'onRetry', () => {})).toBeUndefined();
    let open!: () => void;
    const busy = b.execute(() => new Promise<void>((resolve) => (open = resolve)));
    await b.execute(() => 1).catch(() => {});
    subscription!.dispose();
    await b.execute(() => 1).catch(() => {});
    open();
    await busy;
    expect(seen).toEqual([{ name: 'pool', reason: 'full', retryAfterMs: undefined, executing: 1, queued: 0 }]);
  });
});
