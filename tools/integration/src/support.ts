// Shared fixtures of the integration tests: a logger writing to memory, and the real event
// sources of every package, each on one fake clock.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bulkhead, chaos, fallback, timeout, type FakeClock } from '@bulwark/core';
import { circuitBreaker, circuitBreakerRegistry, redisCircuitStore } from '@bulwark/breaker';
import { cache, redisCacheStore } from '@bulwark/cache';
import { httpClient } from '@bulwark/http';
import { createLogger, type Logger, type LogLevel } from '@bulwark/logging';
import { memoryRateLimitStore, rateLimiter, redisRateLimitStore } from '@bulwark/ratelimit';
import { constantBackoff, retry } from '@bulwark/retry';
import { chainProviders, directoryProvider, memoryProvider, secretManager, type SecretProvider } from '@bulwark/secrets';
import { anomalyDetector, burnRateAlerts, ewmaDetector } from '@bulwark/telemetry';
import { createClient } from 'redis';
import { captureLog, settled } from '@bulwark/test-utils';

/** A parsed log line. */
export type LogLine = Record<string, unknown> & { level: LogLevel; message: string };

/** A logger that writes every line to memory, at `debug` unless told otherwise; `lines()` parses them once written. */
export function memoryLogger(options: { clock?: FakeClock; level?: LogLevel } = {}): {
  logger: Logger;
  lines: () => Promise<LogLine[]>;
} {
  const log = captureLog();
  const logger = createLogger({
    service: 'integration',
    level: options.level ?? 'debug',
    env: {},
    floodControl: false,
    traceContext: false,
    destination: log.destination,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  return { logger, lines: () => log.lines() as Promise<LogLine[]> };
}

/** An error that `isRetryableError` and `isCircuitFailure` both count: a dropped connection. */
export function connectionReset(message = 'read ECONNRESET'): Error {
  return Object.assign(new Error(message), { code: 'ECONNRESET' });
}

/** A provider that answers nothing while up (so the next one does) and throws while down. */
export function switchableProvider(name = 'vault'): SecretProvider & { down: boolean } {
  return {
    name,
    down: false,
    async fetch(): Promise<undefined> {
      if (this.down) throw new Error('vault unreachable');
      return undefined;
    },
  };
}

/** One real source of each kind, sharing `clock`. */
export function realSources(clock: FakeClock, secrets: Record<string, string> = { API_KEY: 'key-one', DB_URL: 'postgres://db.internal/app' }) {
  const vault = switchableProvider();
  const memory = memoryProvider({ secrets });
  return {
    retry: retry({ name: 'upstream-retry', maxAttempts: 2, backoff: constantBackoff(100), clock }),
    breaker: circuitBreaker({ name: 'upstream-breaker', breaker: { kind: 'consecutive', threshold: 2 }, halfOpenAfterMs: 1_000, clock }),
    limiter: rateLimiter({ name: 'upstream-limit', limits: { limit: 1, windowMs: 1_000 }, store: memoryRateLimitStore({ clock }), clock }),
    cache: cache({ name: 'validations', ttlMs: 1_000, staleIfErrorMs: 60_000, ttlJitter: 0, earlyRefreshBeta: 0, clock }),
    vault,
    memory,
    secrets: secretManager({ name: 'vault', providers: [vault, memory], ttlMs: 60_000, refreshAheadMs: 0, clock }),
    timeout: timeout(50, { name: 'upstream-timeout', clock }),
    fallback: fallback('offline', { name: 'offline-answer' }),
    bulkhead: bulkhead({ name: 'upstream-bulkhead', limit: 1 }),
  };
}

export type RealSources = ReturnType<typeof realSources>;

/**
 * Drives every source through its events: retry (a success after a failure, a give-up), breaker
 * (open, half-open, reset), rate limiter (a denial, a 429 with Retry-After), cache (miss, hit,
 * stale-if-error), secrets (a read, a denied scoped read, a rotation, a failed refresh), and core's
 * timeout, fallback and bulkhead.
 */
export async function driveEverySource(s: RealSources, clock: FakeClock, newApiKey = 'key-two'): Promise<void> {
  // retry: fails once, then succeeds; and one that gives up.
  let flakyCalls = 0;
  const flaky = s.retry.execute(async () => {
    if (++flakyCalls === 1) throw connectionReset();
    return 'ok';
  });
  await clock.tickAsync(100);
  if ((await flaky) !== 'ok') throw new Error('the flaky call should have succeeded on its retry');
  const doomed = s.retry.execute(async () => {
    throw connectionReset('connect ECONNRESET again');
  });
  const doomedSettled = doomed.then(
    () => undefined,
    (error: unknown) => error,
  );
  await clock.tickAsync(100);
  await doomedSettled;

  // breaker: two failures open it, a call is rejected, after the break a probe closes it.
  for (let i = 0; i < 2; i++) {
    await s.breaker
      .execute(async () => {
        throw connectionReset();
      })
      .catch(() => undefined);
  }
  await s.breaker.execute(async () => 'not called').catch(() => undefined);
  await clock.tickAsync(1_000);
  await s.breaker.execute(async () => 'probe ok');

  // rate limiter: the second unit in the window is denied; the server answers 429 with Retry-After.
  await s.limiter.tryAcquire('api.example.com');
  await s.limiter.tryAcquire('api.example.com');
  await s.limiter.observe('api.example.com', { status: 429, headers: { 'retry-after': '5' } });

  // cache: a miss, a hit, then the loader fails after the TTL and the stale value is served.
  await s.cache.getOrSet('email:ada@example.com', async () => ({ valid: true }));
  await s.cache.getOrSet('email:ada@example.com', async () => ({ valid: true }));
  await clock.tickAsync(1_500);
  await s.cache.getOrSet('email:ada@example.com', async () => {
    throw connectionReset('validation API down');
  });

  // secrets: a read, a scoped read that is denied, a rotation, a refresh that fails.
  await s.secrets.get('API_KEY');
  await s.secrets
    .scope({ who: 'billing', names: ['API_KEY'] })
    .get('DB_URL')
    .catch(() => undefined);
  s.memory.set('API_KEY', newApiKey);
  await s.secrets.refresh('API_KEY');
  s.vault.down = true;
  await s.secrets.refresh('API_KEY').catch(() => undefined);
  s.vault.down = false;

  // core: a timeout the fallback answers for, and a bulkhead that is full.
  const answer = s.fallback.execute(() => s.timeout.execute(() => new Promise<string>(() => {})));
  await clock.tickAsync(50);
  if ((await answer) !== 'offline') throw new Error('the fallback should have answered');
  let release!: () => void;
  const busy = s.bulkhead.execute(() => new Promise<void>((resolve) => (release = resolve)));
  await s.bulkhead.execute(async () => undefined).catch(() => undefined);
  release();
  await busy;
}

/**
 * Every primitive of the toolkit that emits events, each under its factory's name and with its
 * default `name` (the breaker with a store needs one: it is given its factory's), on one clock. The
 * shared stores use one node-redis client that never connects: Redis is down, so they report it.
 * The HTTP client calls an in-memory upstream.
 */
export function everySource(clock: FakeClock) {
  const down = createClient({ url: 'redis://127.0.0.1:9' });
  down.on('error', () => {});
  const memory = memoryProvider();
  const failing: SecretProvider & { down: boolean } = switchableProvider();
  const chained = memoryProvider({ name: 'chained' });
  const mount = mkdtempSync(join(tmpdir(), 'bulwark-contract-'));
  // An upstream that refuses the first credential and takes the refreshed one.
  let credential = 'Bearer one';
  const upstream = async (_url: string, init: RequestInit): Promise<Response> =>
    new Response(null, { status: new Headers(init.headers).get('authorization') === 'Bearer two' ? 204 : 401 });
  return {
    down,
    sources: {
      timeout: timeout(50, { clock }),
      bulkhead: bulkhead({ limit: 1 }),
      fallback: fallback('offline'),
      chaos: chaos({ faultRate: 1, latencyMs: 1, seed: 1, clock }),
      retry: retry({ maxAttempts: 3, backoff: constantBackoff(10), hedge: { delayMs: 5 }, clock }),
      circuitBreaker: circuitBreaker({ breaker: { kind: 'consecutive', threshold: 1 }, halfOpenAfterMs: 100, clock }),
      sharedCircuitBreaker: circuitBreaker({
        name: 'circuitBreaker',
        store: redisCircuitStore({ client: down, timeoutMs: 50, syncIntervalMs: 0, clock }),
        clock,
      }),
      circuitBreakerRegistry: circuitBreakerRegistry({ maxEntries: 1, breaker: { clock } }),
      rateLimiter: rateLimiter({ limits: { limit: 1, windowMs: 1_000 }, store: memoryRateLimitStore({ clock }), clock, learn: true }),
      sharedRateLimiter: rateLimiter({ limits: { limit: 1, windowMs: 1_000 }, store: redisRateLimitStore({ client: down, timeoutMs: 50, clock }), clock }),
      cache: cache({
        ttlMs: 100,
        staleWhileRevalidateMs: 100,
        staleIfErrorMs: 1_000,
        ttlJitter: 0,
        earlyRefreshBeta: 0,
        maxEntries: 1,
        store: redisCacheStore({ client: down, subscriber: down, timeoutMs: 50, clock }),
        clock,
      }),
      secretManager: secretManager({ providers: [failing, memory], ttlMs: 60_000, refreshAheadMs: 0, clock }),
      memoryProvider: memory,
      directoryProvider: directoryProvider({ path: mount }),
      chainProviders: chainProviders(chained),
      ewmaDetector: ewmaDetector({ warmup: 2, clock }),
      anomalyDetector: anomalyDetector({ intervalMs: 100, minSamples: 1, warmupIntervals: 2, clock }),
      burnRateAlerts: burnRateAlerts({ objective: 0.9, windows: [{ severity: 'page', longWindowMs: 1_000, shortWindowMs: 100, factor: 2 }], clock }),
      httpClient: httpClient({
        fetch: upstream,
        auth: { get: () => credential, refresh: () => (credential = 'Bearer two') },
        clock,
      }),
    },
    failing,
    chained,
    /** The directory provider's (empty) directory, to remove after the test. */
    mount,
  };
}

export type EverySource = ReturnType<typeof everySource>;

/** Makes every source emit every event it has, at least once. */
export async function driveEveryEvent({ sources: s, failing, chained }: EverySource, clock: FakeClock): Promise<void> {
  // core
  const late = settled(s.timeout.execute(() => new Promise(() => {})));
  await clock.tickAsync(50);
  await late;
  let release!: () => void;
  const busy = s.bulkhead.execute(() => new Promise<void>((resolve) => (release = resolve)));
  await settled(s.bulkhead.execute(async () => 1));
  release();
  await busy;
  await s.fallback.execute(() => Promise.reject(connectionReset()));
  const chaotic = settled(s.chaos.execute(async () => 1));
  await clock.tickAsync(1);
  await chaotic;

  // retry: a slow first attempt is hedged; both fail; a retry after the backoff fails too: a give-up.
  let calls = 0;
  const doomed = settled(
    s.retry.execute(() => new Promise((_, reject) => clock.setTimeout(() => reject(connectionReset()), ++calls === 1 ? 10 : 1))),
  );
  await clock.tickAsync(100);
  await doomed;
  await s.retry.execute(async () => 'ok');

  // breaker: opens, refuses, half-opens after the break, closes on a good probe.
  await settled(s.circuitBreaker.execute(() => Promise.reject(connectionReset())));
  await settled(s.circuitBreaker.execute(async () => 'refused'));
  await clock.tickAsync(100);
  await s.circuitBreaker.execute(async () => 'probe');
  // a breaker whose store is down says so, and goes on locally.
  await s.sharedCircuitBreaker.execute(async () => 'ok');
  // registry: a second key drops the first.
  s.circuitBreakerRegistry.get('a');
  s.circuitBreakerRegistry.get('b');

  // rate limiter: the second unit is refused; a 429 with Retry-After (which also sets the rate it
  // learns); a limiter whose store is down.
  await s.rateLimiter.tryAcquire('api.example.com');
  await s.rateLimiter.tryAcquire('api.example.com');
  await s.rateLimiter.observe('api.example.com', { status: 429, headers: { 'retry-after': '5' } });
  await s.sharedRateLimiter.tryAcquire('api.example.com');

  // cache (its Redis is down): a miss, a hit, stale while revalidating, stale after a failed load,
  // and an eviction (one entry at most).
  await s.cache.getOrSet('a', async () => 1);
  await s.cache.getOrSet('a', async () => 1);
  await clock.tickAsync(150);
  await s.cache.getOrSet('a', async () => 2);
  await clock.tickAsync(300);
  await s.cache.getOrSet('a', async () => {
    throw connectionReset('validation API down');
  });
  await s.cache.getOrSet('b', async () => 3);

  // secrets: a read, a rotation seen on refresh, a refresh that fails; providers announce changes.
  s.memoryProvider.set('API_KEY', 'key-one');
  await s.secretManager.get('API_KEY');
  s.memoryProvider.set('API_KEY', 'key-two');
  await s.secretManager.refresh('API_KEY');
  failing.down = true;
  await settled(s.secretManager.refresh('API_KEY'));
  failing.down = false;
  chained.set('WEBHOOK_SECRET', 'whsec-one');

  // telemetry: a jump out of a steady series; a slow interval after steady ones; a burn that pages, then resolves.
  for (const value of [10, 10, 10, 10, 1_000]) s.ewmaDetector.observe(value);
  for (let interval = 0; interval < 4; interval++) {
    s.anomalyDetector.record(interval < 3 ? 10 : 10_000, true);
    await clock.tickAsync(100);
  }
  s.anomalyDetector.flush();
  for (let i = 0; i < 20; i++) s.burnRateAlerts.record(false);
  await clock.tickAsync(1_100);
  for (let i = 0; i < 20; i++) s.burnRateAlerts.record(true);
  s.burnRateAlerts.evaluate();

  // http: a 401 (a response), a refresh, the request again with the new credential (a response).
  await s.httpClient.fetch('https://api.example.com/v1/users/1');
}
