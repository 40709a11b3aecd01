import { bulkhead, chaos, createFakeClock, EventEmitter, fallback, isTimeoutError, timeout } from '@bulwark/core';
import { describe, expect, test } from 'vitest';
import { capture } from '../test/capture.js';
import { fakeBreaker, fakeCache, fakeRateLimiter, fakeRetry, fakeSecrets } from '@bulwark/test-utils';
import { createLogger, logPolicyEvents, POLICY_EVENT_LINES, registerSecretValue, withLogContext, type LoggerOptions } from './index.js';

function setup(options: Partial<LoggerOptions> = {}) {
  const out = capture();
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
    retry.giveUp.emit({ attempts: 3, error: failure, reason: 'exhausted' });
    retry.success.emit({ attempts: 2 });
    breaker.brk.emit({ error: failure });
    breaker.halfOpen.emit({});
    breaker.reset.emit({});
    breaker.stateChange.emit({ from: 'closed', to: 'open' });
    breaker.rejected.emit({ state: 'open', retryAfterMs: 5_000 });
    limiter.limited.emit({ key: 'tenant-1', retryAfterMs: 750 });
    limiter.hint.emit({ key: 'tenant-1', remaining: 0, resetMs: 1_000 });
    limiter.storeFallback.emit({ error: new Error('redis down') });
    cache.hit.emit({ key: 'ada@example.com', tier: 'l1' });
    cache.miss.emit({ key: 'bob@example.com' });
    cache.stale.emit({ key: 'bob@example.com', reason: 'upstream-failed' });
    cache.refresh.emit({ key: 'bob@example.com' });
    cache.loaderError.emit({ key: 'bob@example.com', error: failure });
    cache.l2Error.emit({ error: new Error('l2 timeout') });
    cache.evict.emit({ key: 'old@example.com' });
    secrets.rotated.emit({ name: 'upstream-api-key', version: 'v2' });
    secrets.audit.emit({ action: 'read', name: 'upstream-api-key', version: 'v2', who: 'gateway', at: 1 });
    secrets.refreshFailed.emit({ name: 'upstream-api-key', error: new Error('vault sealed') });

    const lines = await out.lines();
    expect(lines.map((l) => [l.event, l.level, l.policy])).toEqual([
      ['retry', 'warn', 'upstream-retry'],
      ['giveUp', 'error', 'upstream-retry'],
      ['success', 'debug', 'upstream-retry'],
      ['break', 'error', 'upstream-breaker'],
      ['halfOpen', 'info', 'upstream-breaker'],
      ['reset', 'info', 'upstream-breaker'],
      ['stateChange', 'info', 'upstream-breaker'],
      ['callRejected', 'warn', 'upstream-breaker'],
      ['rateLimited', 'warn', 'upstream-limit'],
      ['serverHint', 'info', 'upstream-limit'],
      ['storeFallback', 'warn', 'upstream-limit'],
      ['hit', 'debug', 'validation-cache'],
      ['miss', 'debug', 'validation-cache'],
      ['stale', 'info', 'validation-cache'],
      ['refresh', 'debug', 'validation-cache'],
      ['loaderError', 'warn', 'validation-cache'],
      ['l2Error', 'warn', 'validation-cache'],
      ['evict', 'debug', 'validation-cache'],
      ['rotated', 'info', 'env-secrets'],
      ['audit', 'info', 'env-secrets'],
      ['refreshFailed', 'error', 'env-secrets'],
    ]);
    for (const line of lines) expect(line.message).toBe(POLICY_EVENT_LINES[`on${String(line.event).charAt(0).toUpperCase()}${String(line.event).slice(1)}`]!.message);
    expect(lines[0]).toMatchObject({
      message: 'retrying after a failed attempt',
      attempt: 1,
      delayMs: 200,
      error: { name: 'Error', message: '503 from upstream', code: 'HTTP_503' },
    });
    expect(typeof (lines[0]!.error as { stack?: unknown }).stack).toBe('string');
    expect(lines[1]).toMatchObject({ attempts: 3, reason: 'exhausted' });
    expect(lines[6]).toMatchObject({ from: 'closed', to: 'open' });
    expect(lines[7]).toMatchObject({ state: 'open', retryAfterMs: 5_000 });
    expect(lines[8]).toMatchObject({ key: 'tenant-1', retryAfterMs: 750 });
    expect(lines[11]).toMatchObject({ key: 'ada@example.com', tier: 'l1' });
    expect(lines[18]).toMatchObject({ name: 'upstream-api-key', version: 'v2' });
    expect(lines[20]).toMatchObject({ name: 'upstream-api-key', error: { message: 'vault sealed' } });

    subscription.dispose();
    retry.retry.emit({ attempt: 2, delayMs: 400, error: failure });
    expect(await out.lines()).toHaveLength(lines.length);
    expect(retry.retry.hasListeners || cache.hit.hasListeners || secrets.audit.hasListeners).toBe(false);
  });

  test('lines respect the level, carry the log context and go through redaction', async () => {
    const { out, logger } = setup({ level: 'info' });
    const cache = fakeCache();
    const secrets = fakeSecrets();
    using _ = logPolicyEvents(logger, cache, secrets);
    using _secret = registerSecretValue('sk_rotated_value_123456');
    withLogContext({ requestId: 'r-7' }, () => {
      cache.hit.emit({ key: 'k', tier: 'l1' });
      cache.stale.emit({ key: 'k', reason: 'ttl' });
      secrets.refreshFailed.emit({ name: 'api-key', error: new Error('fetch failed for sk_rotated_value_123456') });
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
    expect(() => logPolicyEvents({} as never, retry)).toThrow('Expected `logger` to be a logger made by createLogger, got an object (Object).');
    expect(() => logPolicyEvents(logger, retry, { name: 'nothing' })).toThrow(
      'Expected `sources[1]` to be an object with at least one onXxx event (onRetry, onBreak, onHit, …), got an object (Object).',
    );
    expect(() => logPolicyEvents(logger, null as never)).toThrow('Expected `sources[0]`');
    expect(retry.retry.hasListeners).toBe(false);
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
    expect(lines[2]).toMatchObject({ message: 'bulkhead full, call rejected', executing: 1, queued: 0 });
  });
});
