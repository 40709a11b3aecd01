import { bulkhead, chaos, createFakeClock, EVENT_CATALOG, EventEmitter, fallback, isTimeoutError, StoreUnavailableError, timeout, TimeoutError } from '@bulwark/core';
import { describe, expect, test } from 'vitest';
import { captureLog, fakeBreaker, fakeCache, fakeRateLimiter, fakeRetry, fakeSecrets } from '@bulwark/test-utils';
import { createLogger, logPolicyEvents, POLICY_EVENT_LINES, registerSecretValue, withLogContext, type LoggerOptions } from './index.js';

function setup(options: Partial<LoggerOptions> = {}) {
  const out = captureLog();
  const logger = createLogger({ service: 'gateway', destination: out.destination, level: 'debug', ...options });
  return { out, logger };
}

describe('logPolicyEvents with every family of events', () => {
  test('each event becomes one line at its level, with its facts and the policy name', async () => {
    const { out, logger } = setup();
    const retry = fakeRetry();
    const breaker = fakeBreaker();
    const limiter = fakeRateLimiter();
    const cache = fakeCache();
    const secrets = fakeSecrets();
    const subscription = logPolicyEvents(logger, retry, breaker, limiter, cache, secrets);
    const failure = Object.assign(new Error('503 from upstream'), { code: 'HTTP_503' });

    retry.retry.emit({ attempt: 1, delayMs: 200, error: failure });
    retry.giveUp.emit({ attempts: 3, error: failure, reason: 'max-attempts' });
    retry.success.emit({ attempts: 2 });
    breaker.brk.emit({ reason: 'consecutive-failures', error: failure, retryAfterMs: 5_000 });
    breaker.halfOpen.emit({});
    breaker.reset.emit({});
    breaker.stateChange.emit({ from: 'closed', to: 'open' });
    breaker.rejected.emit({ reason: 'open', retryAfterMs: 5_000 });
    limiter.rejected.emit({ key: 'tenant-1', retryAfterMs: 750, reason: 'denied' });
    limiter.hint.emit({ key: 'tenant-1', status: 429, holdMs: 1_000 });
    limiter.storeError.emit({ operation: 'decide', error: new StoreUnavailableError('redisRateLimitStore', 'decide', 'redis down') });
    cache.hit.emit({ key: 'ada@example.com', tier: 'l1' });
    cache.miss.emit({ key: 'bob@example.com' });
    cache.stale.emit({ key: 'bob@example.com', reason: 'loader-error', ageMs: 20 });
    cache.refresh.emit({ key: 'bob@example.com', reason: 'stale' });
    cache.loaderError.emit({ key: 'bob@example.com', error: failure, servedStale: true });
    cache.storeError.emit({ operation: 'read', error: new StoreUnavailableError('redisCacheStore', 'read', 'Redis did not answer within 250 ms') });
    cache.evict.emit({ key: 'old@example.com', reason: 'capacity' });
    secrets.rotated.emit({ secretName: 'upstream-api-key', version: 'v2', previousVersion: 'v1' });
    secrets.audit.emit({ action: 'read', secretName: 'upstream-api-key', version: 'v2', who: 'gateway', at: 1 });
    secrets.refreshFailed.emit({ secretName: 'upstream-api-key', error: new TimeoutError(2_000), version: 'v1', failures: 1 });

    const lines = await out.lines();
    expect(lines.map((l) => [l.event, l.level, l.policy])).toEqual([
      ['retry', 'warn', 'upstream-retry'],
      ['giveUp', 'error', 'upstream-retry'],
      ['success', 'debug', 'upstream-retry'],
      ['break', 'error', 'upstream-breaker'],
      ['halfOpen', 'info', 'upstream-breaker'],
      ['reset', 'info', 'upstream-breaker'],
      ['stateChange', 'info', 'upstream-breaker'],
      ['rejected', 'warn', 'upstream-breaker'],
      ['rejected', 'warn', 'upstream-limit'],
      ['serverHint', 'info', 'upstream-limit'],
      ['storeError', 'warn', 'upstream-limit'],
      ['hit', 'debug', 'validation-cache'],
      ['miss', 'debug', 'validation-cache'],
      ['stale', 'info', 'validation-cache'],
      ['refresh', 'debug', 'validation-cache'],
      ['loaderError', 'warn', 'validation-cache'],
      ['storeError', 'warn', 'validation-cache'],
      ['evict', 'debug', 'validation-cache'],
      ['rotated', 'info', 'env-secrets'],
      ['audit', 'info', 'env-secrets'],
      ['refreshFailed', 'error', 'env-secrets'],
    ]);
    for (const line of lines) {
      const entry = EVENT_CATALOG[`on${String(line.event).charAt(0).toUpperCase()}${String(line.event).slice(1)}` as keyof typeof EVENT_CATALOG];
      expect(line.message).toBe(entry.meaning);
      expect(line.level).toBe(entry.severity);
      expect(line).not.toHaveProperty('name'); // the payload's `name` is the line's `policy`
    }
    expect(POLICY_EVENT_LINES.onRetry).toEqual({ level: 'warn', message: 'retrying after a failed attempt' });
    expect(lines[0]).toMatchObject({
      message: 'retrying after a failed attempt',
      attempt: 1,
      delayMs: 200,
      error: { name: 'Error', message: '503 from upstream', code: 'HTTP_503' },
    });
    expect(typeof (lines[0]!.error as { stack?: unknown }).stack).toBe('string');
    expect(lines[1]).toMatchObject({ attempts: 3, reason: 'max-attempts' });
    expect(lines[6]).toMatchObject({ from: 'closed', to: 'open' });
    expect(lines[7]).toMatchObject({ reason: 'open', retryAfterMs: 5_000 });
    expect(lines[8]).toMatchObject({ key: 'tenant-1', retryAfterMs: 750, reason: 'denied' });
    expect(lines[10]).toMatchObject({ operation: 'decide', error: { code: 'STORE_UNAVAILABLE', store: 'redisRateLimitStore' } });
    expect(lines[11]).toMatchObject({ key: 'ada@example.com', tier: 'l1' });
    // A secrets event names its secret under `secretName`, which the default redaction leaves readable.
    expect(lines[18]).toMatchObject({ policy: 'env-secrets', secretName: 'upstream-api-key', version: 'v2' });
    expect(lines[20]).toMatchObject({ policy: 'env-secrets', secretName: 'upstream-api-key', error: { code: 'TIMEOUT' } });

    subscription.dispose();
    retry.retry.emit({ attempt: 2, delayMs: 400, error: failure });
    expect(await out.lines()).toHaveLength(lines.length);
  });

  test('lines respect the level, carry the log context and go through redaction', async () => {
    const { out, logger } = setup({ level: 'info' });
    const cache = fakeCache();
    const secrets = fakeSecrets();
    using _ = logPolicyEvents(logger, cache, secrets);
    using _secret = registerSecretValue('sk_rotated_value_123456');
    withLogContext({ requestId: 'r-7' }, () => {
      cache.hit.emit({ key: 'k', tier: 'l1' });
      cache.stale.emit({ key: 'k', reason: 'revalidating', ageMs: 1 });
      secrets.refreshFailed.emit({
        secretName: 'api-key',
        error: new StoreUnavailableError('vault', 'fetch', 'fetch failed for sk_rotated_value_123456'),
        version: 'v1',
        failures: 1,
      });
    });
    const lines = await out.lines();
    expect(lines.map((l) => l.event)).toEqual(['stale', 'refreshFailed']);
    expect(lines[0]!.requestId).toBe('r-7');
    expect(JSON.stringify(lines)).not.toContain('sk_rotated_value_123456');
  });

  test('unknown onXxx events are logged at debug; sources without a name have no policy field', async () => {
    const { out, logger } = setup();
    const warmed = new EventEmitter<{ entries: number }>();
    const ping = new EventEmitter<number>();
    logPolicyEvents(logger, { onWarmed: warmed.event, onPing: ping.event, onlyData: 1, notAnEvent: () => 1 });
    warmed.emit({ entries: 42 });
    ping.emit(7);
    const lines = await out.lines();
    expect(lines).toEqual([
      expect.objectContaining({ level: 'debug', message: 'event onWarmed', event: 'warmed', entries: 42 }),
      expect.objectContaining({ level: 'debug', message: 'event onPing', event: 'ping', value: 7 }),
    ]);
    expect(lines[0]).not.toHaveProperty('policy');
  });

  test("a payload's event, policy and other line fields cannot overwrite the line's own: they are kept under a _ prefix", async () => {
    const { out, logger } = setup();
    const deployed = new EventEmitter<Record<string, unknown>>();
    logPolicyEvents(logger, { name: 'deployer', onDeployed: deployed.event });
    deployed.emit({ event: 'push', policy: 'canary', _event: 'taken', message: 'forged', level: 'error', version: 3 });
    deployed.emit({ name: 7, step: 'two' });
    const [first, second] = await out.lines();
    expect(first).toMatchObject({
      level: 'debug',
      message: 'event onDeployed',
      event: 'deployed',
      policy: 'deployer',
      _event: 'taken',
      __event: 'push',
      _policy: 'canary',
      _message: 'forged',
      _level: 'error',
      version: 3,
    });
    // A `name` that is no policy's name is kept as a fact rather than dropped.
    expect(second).toMatchObject({ event: 'deployed', policy: 'deployer', name: 7, step: 'two' });
  });

  test('a payload fact whose getter throws is written as [Unserializable], and the line is still written', async () => {
    const { out, logger } = setup();
    const thing = new EventEmitter<object>();
    logPolicyEvents(logger, { name: 'p', onThing: thing.event });
    thing.emit({
      get broken(): never {
        throw new Error('getter failed');
      },
      ok: 1,
    });
    expect(await out.lines()).toEqual([expect.objectContaining({ event: 'thing', policy: 'p', broken: '[Unserializable]', ok: 1 })]);
  });

  test('events found on a class prototype (getters) are subscribed too', async () => {
    const { out, logger } = setup();
    const emitter = new EventEmitter<{ key: string }>();
    class Cache {
      readonly name = 'proto-cache';
      get onMiss() {
        return emitter.event;
      }
    }
    logPolicyEvents(logger, new Cache());
    emitter.emit({ key: 'x' });
    expect((await out.lines())[0]).toMatchObject({ event: 'miss', policy: 'proto-cache', key: 'x' });
  });

  test('arguments are checked, and a failed call subscribes nothing', () => {
    const { logger } = setup();
    const retry = fakeRetry();
    expect(() => logPolicyEvents({} as never, retry)).toThrow('Expected `logger` to be a logger made by createLogger (or an object with its log and isLevelEnabled), got an object (Object).');
    // console has `log` too: it was taken, and the first event then threw from inside the emitter.
    expect(() => logPolicyEvents(console as never, retry)).toThrow('Expected `logger` to be a logger made by createLogger (or an object with its log and isLevelEnabled), got an object');
    expect(() => logPolicyEvents(logger, retry, { name: 'nothing' })).toThrow(
      'Expected `sources[1]` to be an object with at least one onXxx event (onRetry, onBreak, onHit, …), got an object (Object).',
    );
    expect(() => logPolicyEvents(logger, null as never)).toThrow('Expected `sources[0]`');
    retry.retry.emit({ attempt: 1, delayMs: 1, error: new Error('x') });
  });

  test('options after sources listed one by one are refused with a message that says to list the sources in an array', () => {
    const { logger } = setup();
    const retry = fakeRetry();
    expect(() => logPolicyEvents(logger, retry, { levels: { retry: 'debug' } })).toThrow(
      'Expected `sources[1]` to be an object with at least one onXxx event; to pass options ({ levels }), give the sources as an array: logPolicyEvents(logger, [a, b], { levels }), got an object (Object).',
    );
    expect(() => logPolicyEvents(logger, retry, [logger] as never)).toThrow('Expected `sources[1]` to be an object with at least one onXxx event (onRetry, onBreak, onHit, …)');
  });

  test('given as an array, sources take levels of their own per event, or none', async () => {
    const { out, logger } = setup({ level: 'info' });
    const retry = fakeRetry();
    const cache = fakeCache();
    using _ = logPolicyEvents(logger, [retry, cache], { levels: { loaderError: 'debug', giveUp: 'warn', stale: 'off' } });
    const failure = Object.assign(new Error('503 from upstream'), { code: 'HTTP_503' });
    retry.giveUp.emit({ attempts: 3, error: failure, reason: 'max-attempts' });
    cache.loaderError.emit({ key: 'bob@example.com', error: failure, servedStale: true });
    cache.stale.emit({ key: 'bob@example.com', reason: 'loader-error', ageMs: 20 });
    retry.retry.emit({ attempt: 1, delayMs: 200, error: failure });
    logger.level = 'debug';
    cache.loaderError.emit({ key: 'ada@example.com', error: failure, servedStale: false });
    cache.stale.emit({ key: 'ada@example.com', reason: 'loader-error', ageMs: 20 });
    const lines = await out.lines();
    expect(lines.map((l) => [l.event, l.level, l.message])).toEqual([
      ['giveUp', 'warn', 'gave up retrying'],
      ['retry', 'warn', 'retrying after a failed attempt'],
      ['loaderError', 'debug', 'cache loader failed'],
    ]);
  });

  test('levels are checked against the events of the sources given', () => {
    const { logger } = setup();
    const retry = fakeRetry();
    const cache = fakeCache();
    expect(() => logPolicyEvents(logger, [retry, cache], { levels: { loaderErorr: 'debug' } })).toThrow(
      'Unknown option `levels.loaderErorr` of logPolicyEvents() for these sources; did you mean `levels.loaderError`?',
    );
    expect(() => logPolicyEvents(logger, [retry], { levels: { onGiveUp: 'warn' } })).toThrow('did you mean `levels.giveUp`?');
    expect(() => logPolicyEvents(logger, [retry], { levels: { giveUp: 'loud' as never } })).toThrow(
      'Expected `levels.giveUp` to be one of "error", "warn", "info", "http", "verbose", "debug", "silly", "off", got "loud".',
    );
    expect(() => logPolicyEvents(logger, [retry], { level: { giveUp: 'warn' } } as never)).toThrow('did you mean `levels`?');
    expect(() => logPolicyEvents(logger, [retry], {}, cache as never)).toThrow('Expected `arguments` to be at most 3');
    expect(() => logPolicyEvents(logger, [retry, 'x'])).toThrow('Expected `sources[1]`');
    expect(() => logPolicyEvents(logger, [retry], cache as never)).toThrow(
      'Expected `options` to be an options object ({ levels }); a source goes in the array of sources, got',
    );
    expect(() => logPolicyEvents(logger, [retry], { levels: new Map([['giveUp', 'warn']]) as never })).toThrow(
      'Expected `levels` to be an options object, got',
    );
  });

  test('no sources is refused, in both forms, rather than a handle that logs nothing', () => {
    const { logger } = setup();
    const expected =
      'Expected `sources` to be at least one source of events (a retry, a breaker, a cache, …): logPolicyEvents(logger, retryPolicy, breaker) or logPolicyEvents(logger, [retryPolicy, breaker], options), got an array of length 0.';
    expect(() => logPolicyEvents(logger)).toThrow(expected);
    expect(() => logPolicyEvents(logger, [])).toThrow(expected);
    expect(() => logPolicyEvents(logger, [], { levels: { audit: 'off' } })).toThrow(expected);
  });
});

describe("logPolicyEvents with core's real policies", () => {
  test('chaos faults are logged at debug, so they show only when asked for', async () => {
    const { out, logger } = setup({ level: 'info' });
    const monkey = chaos({ faultRate: 1, seed: 1, name: 'monkey' });
    using _ = logPolicyEvents(logger, monkey);
    await expect(monkey.execute(async () => 1)).rejects.toThrow();
    expect(await out.lines()).toEqual([]);
    logger.level = 'debug';
    await expect(monkey.execute(async () => 1)).rejects.toThrow();
    expect(await out.lines()).toEqual([expect.objectContaining({ level: 'debug', event: 'chaos', policy: 'monkey', kind: 'fault' })]);
  });

  test('timeout, fallback and bulkhead events become lines with their facts', async () => {
    const { out, logger } = setup();
    const clock = createFakeClock();
    const upstreamTimeout = timeout(1_000, { clock, name: 'upstream-timeout' });
    const orDefault = fallback('offline answer', { name: 'offline-fallback' });
    const oneAtATime = bulkhead({ limit: 1, queue: 0, name: 'upstream-bulkhead' });
    using _ = logPolicyEvents(logger, upstreamTimeout, orDefault, oneAtATime);

    const slow = upstreamTimeout.execute(() => new Promise<never>(() => {}));
    const settled = slow.catch((error: unknown) => error);
    await clock.tickAsync(1_000);
    expect(isTimeoutError(await settled)).toBe(true);

    expect(await orDefault.execute(() => Promise.reject(new Error('upstream 500')))).toBe('offline answer');

    let release!: () => void;
    const holding = oneAtATime.execute(() => new Promise<void>((resolve) => (release = resolve)));
    await expect(oneAtATime.execute(async () => 1)).rejects.toThrow();
    release();
    await holding;

    const lines = await out.lines();
    expect(lines.map((l) => [l.event, l.level, l.policy])).toEqual([
      ['timeout', 'warn', 'upstream-timeout'],
      ['fallback', 'warn', 'offline-fallback'],
      ['rejected', 'warn', 'upstream-bulkhead'],
    ]);
    expect(lines[0]).toMatchObject({ message: 'call timed out', timeoutMs: 1_000 });
    expect(lines[1]).toMatchObject({ message: 'fallback answered for a failed call', error: { message: 'upstream 500' } });
    expect(lines[2]).toMatchObject({ message: 'call refused without running', reason: 'full', executing: 1, queued: 0 });
  });
});
