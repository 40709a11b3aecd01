import { createFakeClock } from '@bulwark/core';
import { logPolicyEvents } from '@bulwark/logging';
import { describe, expect, test } from 'vitest';
import { driveEverySource, memoryLogger, realSources, type LogLine } from './support.js';

async function loggedRun(): Promise<LogLine[]> {
  const clock = createFakeClock({ now: Date.UTC(2026, 10, 24) });
  const { logger, lines } = memoryLogger({ clock });
  const s = realSources(clock);
  using _events = logPolicyEvents(logger, s.retry, s.breaker, s.limiter, s.cache, s.secrets, s.timeout, s.fallback, s.bulkhead);
  await driveEverySource(s, clock);
  s.secrets.close();
  await logger.close();
  return lines();
}

/** The lines of one event of one policy. */
const of = (lines: LogLine[], policy: string, event: string): LogLine[] =>
  lines.filter((line) => line.policy === policy && line.event === event);

describe('logPolicyEvents with the real sources of every package', () => {
  test('every line is one JSON object with the line keys and the service', async () => {
    const lines = await loggedRun();
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) {
      expect(line).toMatchObject({ service: 'integration', timestamp: expect.any(String), message: expect.any(String) });
      expect(typeof line.event).toBe('string');
    }
  });

  test('retry: a retry at warn with attempt and delay, a success at debug, a give-up at error', async () => {
    const lines = await loggedRun();
    const retries = of(lines, 'upstream-retry', 'retry');
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatchObject({
      level: 'warn',
      message: 'retrying after a failed attempt',
      attempt: 1,
      delayMs: 100,
      error: { name: 'Error', message: 'read ECONNRESET', code: 'ECONNRESET' },
    });
    expect(of(lines, 'upstream-retry', 'success')).toEqual([expect.objectContaining({ level: 'debug', attempts: 2 })]);
    expect(of(lines, 'upstream-retry', 'giveUp')).toEqual([
      expect.objectContaining({ level: 'error', message: 'gave up retrying', attempts: 2, reason: 'max-attempts', error: expect.objectContaining({ code: 'ECONNRESET' }) }),
    ]);
  });

  test('breaker: opened at error, a rejected call at warn, half-open and closed at info, every state change', async () => {
    const lines = await loggedRun();
    expect(of(lines, 'upstream-breaker', 'break')).toEqual([
      expect.objectContaining({ level: 'error', message: 'circuit opened', reason: 'consecutive-failures', retryAfterMs: 1_000, error: expect.objectContaining({ code: 'ECONNRESET' }) }),
    ]);
    expect(of(lines, 'upstream-breaker', 'rejected')).toEqual([
      expect.objectContaining({ level: 'warn', message: 'call refused without running', reason: 'open', retryAfterMs: 1_000 }),
    ]);
    expect(of(lines, 'upstream-breaker', 'halfOpen')).toEqual([expect.objectContaining({ level: 'info' })]);
    expect(of(lines, 'upstream-breaker', 'reset')).toEqual([expect.objectContaining({ level: 'info', message: 'circuit closed' })]);
    expect(of(lines, 'upstream-breaker', 'stateChange').map((l) => [l.level, l.from, l.to])).toEqual([
      ['info', 'closed', 'open'],
      ['info', 'open', 'half-open'],
      ['info', 'half-open', 'closed'],
    ]);
  });

  test('rate limiter: a denial at warn with key and retryAfterMs, the 429 hint at info with the hold', async () => {
    const lines = await loggedRun();
    const [denied] = of(lines, 'upstream-limit', 'rejected');
    expect(denied).toMatchObject({ level: 'warn', message: 'call refused without running', key: 'api.example.com', reason: 'denied', cost: 1 });
    expect(denied!.retryAfterMs).toBeGreaterThan(0);
    expect(denied!.retryAfterMs).toBeLessThanOrEqual(1_000);
    expect(of(lines, 'upstream-limit', 'serverHint')).toEqual([
      expect.objectContaining({ level: 'info', key: 'api.example.com', status: 429, holdMs: 5_000, retryAfterMs: 5_000, source: 'retry-after', backoff: false }),
    ]);
  });

  test('cache: a miss and a hit at debug, the loader failure at warn, the stale answer at info', async () => {
    const lines = await loggedRun();
    const key = 'email:ada@example.com';
    // The first read, and the read after the TTL (no fresh value: the loader runs, and fails).
    expect(of(lines, 'validations', 'miss')).toEqual([expect.objectContaining({ level: 'debug', key }), expect.objectContaining({ level: 'debug', key })]);
    expect(of(lines, 'validations', 'hit')).toEqual([expect.objectContaining({ level: 'debug', key, tier: 'l1' })]);
    expect(of(lines, 'validations', 'loaderError')).toEqual([
      expect.objectContaining({ level: 'warn', key, servedStale: true, error: expect.objectContaining({ message: 'validation API down' }) }),
    ]);
    expect(of(lines, 'validations', 'stale')).toEqual([expect.objectContaining({ level: 'info', key, reason: 'loader-error', ageMs: 500 })]); // stale for 500 ms (written 1,500 ms ago, fresh for 1,000)
  });

  test('secrets: reads, the denial, the rotation and the failed refresh, audited by version and who only', async () => {
    const lines = await loggedRun();
    const audits = of(lines, 'vault', 'audit');
    expect(audits.every((l) => l.level === 'info')).toBe(true);
    // The secret's name rides under `secret`, one of the keys the logger redacts by default.
    expect(audits.map((l) => [l.action, l.secret, l.version, l.who])).toEqual(
      expect.arrayContaining([
        ['read', '[REDACTED]', 'v1', 'default'],
        ['denied', '[REDACTED]', undefined, 'billing'],
        ['rotated', '[REDACTED]', 'v2', 'default'],
        ['refresh-failed', '[REDACTED]', 'v2', 'default'],
      ]),
    );
    expect(of(lines, 'vault', 'rotated')).toEqual([expect.objectContaining({ level: 'info', message: 'secret rotated', version: 'v2', previousVersion: 'v1' })]);
    expect(of(lines, 'vault', 'refreshFailed')).toEqual([
      expect.objectContaining({ level: 'error', version: 'v2', failures: 1, error: expect.objectContaining({ code: 'SECRET_PROVIDER_FAILED' }) }),
    ]);
  });

  test("core: the timeout and the fallback at warn, the bulkhead's rejection at warn", async () => {
    const lines = await loggedRun();
    expect(of(lines, 'upstream-timeout', 'timeout')).toEqual([expect.objectContaining({ level: 'warn', timeoutMs: 50 })]);
    expect(of(lines, 'offline-answer', 'fallback')).toEqual([expect.objectContaining({ level: 'warn', error: expect.objectContaining({ name: 'TimeoutError', code: 'TIMEOUT' }) })]);
    expect(of(lines, 'upstream-bulkhead', 'rejected')).toEqual([expect.objectContaining({ level: 'warn', reason: 'full', executing: 1, queued: 0 })]);
  });

  test('at level warn only the warn and error events are written, and disposing unsubscribes', async () => {
    const clock = createFakeClock();
    const { logger, lines } = memoryLogger({ clock, level: 'warn' });
    const s = realSources(clock);
    const events = logPolicyEvents(logger, s.retry, s.breaker, s.limiter, s.cache, s.secrets, s.timeout, s.fallback, s.bulkhead);
    await driveEverySource(s, clock);
    const written = lines();
    expect(new Set(written.map((l) => l.level))).toEqual(new Set(['warn', 'error']));
    expect(written.map((l) => l.event)).not.toContain('hit');
    events.dispose();
    const before = lines().length;
    await s.bulkhead.execute(async () => undefined);
    await s.limiter.tryAcquire('api.example.com').then(() => s.limiter.tryAcquire('api.example.com'));
    expect(lines()).toHaveLength(before);
    s.secrets.close();
    await logger.close();
  });
});
