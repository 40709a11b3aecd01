// Shared fixtures of the integration tests: a logger writing to memory, and the real event
// sources of every package, each on one fake clock.
import { bulkhead, fallback, timeout, type FakeClock } from '@bulwark/core';
import { circuitBreaker } from '@bulwark/breaker';
import { cache } from '@bulwark/cache';
import { createLogger, type Logger, type LogLevel } from '@bulwark/logging';
import { memoryStore, rateLimiter } from '@bulwark/ratelimit';
import { constantBackoff, retry } from '@bulwark/retry';
import { memoryProvider, secretManager, type SecretProvider } from '@bulwark/secrets';

/** A parsed log line. */
export type LogLine = Record<string, unknown> & { level: LogLevel; message: string };

/** A logger that writes every line to an array, at `debug` unless told otherwise. */
export function memoryLogger(options: { clock?: FakeClock; level?: LogLevel } = {}): {
  logger: Logger;
  raw: string[];
  lines: () => LogLine[];
} {
  const raw: string[] = [];
  const logger = createLogger({
    service: 'integration',
    level: options.level ?? 'debug',
    env: {},
    floodControl: false,
    traceContext: false,
    destination: { write: (line: string) => void raw.push(line) },
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  return { logger, raw, lines: () => raw.map((line) => JSON.parse(line) as LogLine) };
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
    limiter: rateLimiter({ name: 'upstream-limit', limits: { limit: 1, windowMs: 1_000 }, store: memoryStore({ clock }), clock }),
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
