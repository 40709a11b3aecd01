import { circuitBreaker } from '@bulwark/breaker';
import { createFakeClock, pipeline, type ExecuteContext } from '@bulwark/core';
import { createLogger, logPolicyEvents } from '@bulwark/logging';
import { constantBackoff, retry } from '@bulwark/retry';
import { memoryProvider, secretManager, type SecretContext, type SecretProvider } from '@bulwark/secrets';
import { describe, expect, test } from 'vitest';

const OLD_KEY = 'key-before-rotation-0001'; // bulwark-allow-secret: test fixture
const NEW_KEY = 'key-after-rotation-0002'; // bulwark-allow-secret: test fixture

function setup() {
  const clock = createFakeClock({ now: Date.UTC(2026, 10, 24) });
  const memory = memoryProvider({ secrets: { API_KEY: OLD_KEY } });
  // A remote store that does not announce changes (no onChange): the manager learns of a rotation
  // at its TTL, or when the upstream refuses the key it holds.
  let fetches = 0;
  const remote: SecretProvider = {
    name: 'remote',
    fetch: (name, signal) => {
      fetches++;
      return memory.fetch(name, signal);
    },
  };
  const vault = secretManager({ name: 'vault', providers: [remote], ttlMs: 300_000, refreshAheadMs: 0, clock });
  const breaker = circuitBreaker({ name: 'upstream', breaker: { kind: 'consecutive', threshold: 3 }, halfOpenAfterMs: 10_000, clock });
  const retryPolicy = retry({ name: 'upstream', maxAttempts: 3, backoff: constantBackoff(100), clock });
  // The secret policy innermost: a 401 is answered with the rotated key before retry or breaker see it.
  const policy = pipeline(retryPolicy, breaker, vault.policy('API_KEY'));
  const upstream = {
    accepted: new Set([OLD_KEY]),
    statuses: [] as number[],
    async call(authorization: string): Promise<{ status: number }> {
      const status = this.accepted.has(authorization.replace(/^Bearer /, '')) ? 200 : 401;
      this.statuses.push(status);
      if (status !== 200) throw Object.assign(new Error(`upstream answered ${status}`), { status });
      return { status };
    },
  };
  const call = () =>
    policy.execute((ctx: ExecuteContext) => upstream.call(`Bearer ${(ctx as SecretContext).secret.reveal()}`));
  return { clock, memory, vault, breaker, retryPolicy, upstream, call, fetches: () => fetches };
}

describe('a provider that announces changes', () => {
  test('memoryProvider.set is seen at once: the next call already uses the new key', async () => {
    const clock = createFakeClock();
    const memory = memoryProvider({ secrets: { API_KEY: OLD_KEY } });
    const vault = secretManager({ providers: [memory], refreshAheadMs: 0, clock });
    expect((await vault.get('API_KEY')).version).toBe('v1');
    memory.set('API_KEY', NEW_KEY);
    await clock.flush();
    expect((await vault.get('API_KEY')).reveal()).toBe(NEW_KEY);
    vault.close();
  });
});

describe('rotating an upstream API key under pipeline(retry, circuitBreaker, secrets.policy)', () => {
  test('the old key revoked at once: the 401 is answered with the new key, and the caller never sees it', async () => {
    const { memory, vault, breaker, retryPolicy, upstream, call } = setup();
    const retries: unknown[] = [];
    retryPolicy.onRetry((e) => retries.push(e));
    const rotated: unknown[] = [];
    vault.onRotated((e) => rotated.push(e));
    expect(await call()).toEqual({ status: 200 });

    memory.set('API_KEY', NEW_KEY);
    upstream.accepted = new Set([NEW_KEY]);
    expect(await call()).toEqual({ status: 200 });
    expect(upstream.statuses).toEqual([200, 401, 200]);
    expect(rotated).toEqual([expect.objectContaining({ name: 'vault', secret: 'API_KEY', version: 'v2', previousVersion: 'v1' })]);
    expect(retries).toEqual([]); // the secret policy handled it: no retry, no failure for the breaker
    expect(breaker.state).toBe('closed');
    expect(await call()).toEqual({ status: 200 });
    expect(upstream.statuses.at(-1)).toBe(200);
    vault.close();
  });

  test('calls that fail together share one provider fetch', async () => {
    const { memory, vault, upstream, call, fetches } = setup();
    await call();
    memory.set('API_KEY', NEW_KEY);
    upstream.accepted = new Set([NEW_KEY]);
    const fetchesBefore = fetches();
    const answers = await Promise.all(Array.from({ length: 8 }, () => call()));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(fetches() - fetchesBefore).toBe(1);
    expect(upstream.statuses.filter((s) => s === 401)).toHaveLength(8);
    vault.close();
  });

  test('a key refused in every version is not retried by the retry (a 401 is not transient) and is logged without its value', async () => {
    const { vault, upstream, breaker, call } = setup();
    const raw: string[] = [];
    const logger = createLogger({ service: 'gateway', env: {}, destination: { write: (line: string) => void raw.push(line) } });
    using _events = logPolicyEvents(logger, vault, breaker);
    upstream.accepted = new Set();
    const error = await call().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401 });
    logger.error('upstream refused our key', { error });
    await logger.close();
    expect(upstream.statuses).toEqual([401]); // no rotation to offer, no previous version: one call
    expect(raw.join('\n')).not.toContain(OLD_KEY);
    vault.close();
  });
});
