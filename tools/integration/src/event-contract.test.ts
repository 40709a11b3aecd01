// The event contract, checked on the real primitives of every package: every `onXxx` of every
// source is an event of core's catalog, which names that source among its emitters; every payload
// names the primitive that emitted it (its factory's name by default); and logging and telemetry
// both handle every event — with the catalog's severity and meaning, and with a metric each.
import { rmSync } from 'node:fs';
import { createFakeClock, EVENT_CATALOG, EVENT_NAMES, isEventName, subscribeEvent, type EventName } from '@bulwark/core';
import { logPolicyEvents } from '@bulwark/logging';
import { policyMetrics } from '@bulwark/telemetry';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, test } from 'vitest';
import { driveEveryEvent, everySource, memoryLogger } from './support.js';

class PullMetricReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** Every `onXxx` function of a source, own or inherited: what a user sees as its events. */
function onNames(source: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = source; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (/^on[A-Z]/.test(name) && typeof (source as Record<string, unknown>)[name] === 'function') names.add(name);
    }
  }
  return [...names].sort();
}

/** The factory a source was made by: the fixture's key, less the `shared` of the store-backed twins. */
const factoryOf = (key: string): string => (key.startsWith('shared') ? key.charAt(6).toLowerCase() + key.slice(7) : key);

/** The `name` a source's events must carry: its factory's name (a provider chain relays its members' events, named theirs). */
function expectedName(key: string, source: object): string {
  return key === 'chainProviders' ? (source as { name: string }).name : factoryOf(key);
}

function run() {
  const clock = createFakeClock({ now: Date.UTC(2026, 10, 24) });
  const fixture = everySource(clock);
  return { clock, fixture, sources: Object.entries(fixture.sources) as Array<[string, object]> };
}

async function finish({ clock, fixture }: ReturnType<typeof run>): Promise<void> {
  await fixture.sources.secretManager.close();
  await clock.tickAsync(5_000); // the cache's subscription gives up on the Redis that is down
  await fixture.sources.cache.close();
  rmSync(fixture.mount, { recursive: true, force: true });
}

describe('the event contract on every real source', () => {
  test('every onXxx of every source is in the catalog, which names the source among its emitters; no entry is dead', async () => {
    const r = run();
    const { sources } = r;
    const seen = new Set<string>();
    const emitters = new Set<string>();
    for (const [key, source] of sources) {
      const names = onNames(source);
      expect(names.length, key).toBeGreaterThan(0);
      for (const name of names) {
        expect(isEventName(name), `${key}.${name} is in EVENT_CATALOG`).toBe(true);
        expect(EVENT_CATALOG[name as EventName].emitters, `${name} names ${factoryOf(key)} among its emitters`).toContain(factoryOf(key));
        seen.add(name);
      }
      emitters.add(factoryOf(key));
    }
    expect([...seen].sort()).toEqual([...EVENT_NAMES].sort());
    expect([...emitters].sort()).toEqual([...new Set(EVENT_NAMES.flatMap((name) => EVENT_CATALOG[name].emitters))].sort());
    await finish(r);
  });

  test("every event is emitted, and every payload names the primitive that emitted it: by default its factory's name", async () => {
    const r = run();
    const emitted = new Map<string, Set<string>>();
    for (const [key, source] of r.sources) {
      for (const name of onNames(source)) {
        subscribeEvent(source, name as EventName, (payload) => {
          expect(payload.name, `${key}.${name}`).toBe(expectedName(key, source));
          if (!emitted.has(name)) emitted.set(name, new Set());
          emitted.get(name)!.add(key);
        });
      }
    }
    await driveEveryEvent(r.fixture, r.clock);
    await finish(r);
    expect([...emitted.keys()].sort()).toEqual([...EVENT_NAMES].sort());
    // One name, one meaning: a refused call and a failed store are the same event wherever they happen.
    expect([...emitted.get('onRejected')!].sort()).toEqual(['bulkhead', 'circuitBreaker', 'rateLimiter']);
    expect([...emitted.get('onStoreError')!].sort()).toEqual(['cache', 'sharedCircuitBreaker', 'sharedRateLimiter']);
  });

  test("logging writes every event at the catalog's severity, with its meaning as the message and the emitter as `policy`", async () => {
    const r = run();
    const { logger, lines } = memoryLogger({ clock: r.clock });
    const logging = logPolicyEvents(logger, ...r.sources.map(([, source]) => source));
    await driveEveryEvent(r.fixture, r.clock);
    await finish(r);
    logging.dispose();
    await logger.close();
    const written = await lines();
    for (const name of EVENT_NAMES) {
      const field = name.charAt(2).toLowerCase() + name.slice(3);
      const { severity, meaning } = EVENT_CATALOG[name];
      const mine = written.filter((line) => line.event === field);
      expect(mine.length, `a line for ${name}`).toBeGreaterThan(0);
      for (const line of mine) {
        expect([line.level, line.message], name).toEqual([severity, meaning]);
        expect(typeof line.policy, name).toBe('string');
      }
    }
    // Nothing fell through to the catch-all for unknown events.
    expect(written.filter((line) => String(line.message).startsWith('event on'))).toEqual([]);
  });

  test('telemetry subscribes to every event of every source, and each event lands in a metric', async () => {
    const r = run();
    const reader = new PullMetricReader();
    const provider = new MeterProvider({ readers: [reader] });
    const metrics = policyMetrics(provider.getMeter('contract'), { clock: r.clock });
    // Each source seen through a proxy that records which events telemetry subscribes to.
    const subscribed = new Map<string, Set<string>>();
    const watched = r.sources.map(([key, source]) => {
      subscribed.set(key, new Set());
      return new Proxy(source, {
        get(target, property) {
          const value: unknown = Reflect.get(target, property);
          if (typeof property === 'string' && /^on[A-Z]/.test(property) && typeof value === 'function') {
            return (listener: unknown) => {
              subscribed.get(key)!.add(property);
              return (value as (l: unknown) => unknown).call(target, listener);
            };
          }
          return value;
        },
      });
    });
    using _instrumented = metrics.instrument(...watched);
    for (const [key, source] of r.sources) expect([...subscribed.get(key)!].sort(), key).toEqual(onNames(source));
    await driveEveryEvent(r.fixture, r.clock);
    await finish(r);

    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const points = new Map<string, Array<{ attributes: Record<string, unknown> }>>();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) points.set(metric.descriptor.name, metric.dataPoints as Array<{ attributes: Record<string, unknown> }>);
    }
    // Where each event shows; typed by the catalog, so a new event needs a line here too.
    const where: { readonly [K in EventName]: readonly [string, Record<string, unknown>?] } = {
      onTimeout: ['bulwark.timeout.expirations'],
      onRejected: ['bulwark.rejections'],
      onFallback: ['bulwark.fallback.activations'],
      onChaos: ['bulwark.chaos.injections'],
      onRetry: ['bulwark.retry.retries'],
      onGiveUp: ['bulwark.retry.attempts', { 'bulwark.call.outcome': 'gave_up' }],
      onSuccess: ['bulwark.retry.attempts', { 'bulwark.call.outcome': 'success' }],
      onHedge: ['bulwark.retry.hedges'],
      onBreak: ['bulwark.breaker.opens'],
      onReset: ['bulwark.breaker.transitions', { 'bulwark.breaker.to': 'closed' }],
      onHalfOpen: ['bulwark.breaker.transitions', { 'bulwark.breaker.to': 'half_open' }],
      onStateChange: ['bulwark.breaker.transitions'],
      onBreakerCreated: ['bulwark.breaker.registry.breakers'],
      onBreakerDropped: ['bulwark.breaker.registry.drops'],
      onStoreError: ['bulwark.store.errors'],
      onServerHint: ['bulwark.ratelimit.server_hints'],
      onLimitChange: ['bulwark.ratelimit.limit_changes'],
      onHit: ['bulwark.cache.lookups', { 'bulwark.cache.result': 'hit' }],
      onMiss: ['bulwark.cache.lookups', { 'bulwark.cache.result': 'miss' }],
      onStale: ['bulwark.cache.lookups', { 'bulwark.cache.result': 'stale' }],
      onRefresh: ['bulwark.cache.refreshes'],
      onLoaderError: ['bulwark.cache.loader_errors'],
      onEvict: ['bulwark.cache.evictions'],
      onRotated: ['bulwark.secret.rotations'],
      onAudit: ['bulwark.secret.accesses'],
      onRefreshFailed: ['bulwark.secret.refresh_failures'],
      onChange: ['bulwark.secret.changes'],
      onAnomaly: ['bulwark.anomalies'],
      onAlert: ['bulwark.slo.burn_rate_alerts', { 'bulwark.slo.state': 'firing' }],
      onResolve: ['bulwark.slo.burn_rate_alerts', { 'bulwark.slo.state': 'resolved' }],
      onResponse: ['bulwark.http.response.duration', { 'http.response.status_code': 401 }],
      onAuthRefresh: ['bulwark.http.auth_refreshes', { 'bulwark.http.refreshed': true }],
    };
    for (const name of EVENT_NAMES) {
      const [metric, attributes = {}] = where[name];
      const matching = (points.get(metric) ?? []).filter((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));
      expect(matching.length, `${name} → ${metric}`).toBeGreaterThan(0);
      for (const p of matching) expect(typeof p.attributes['bulwark.policy.name'], `${name} names its source`).toBe('string');
    }
    await metrics.close();
    await provider.shutdown();
  });
});
