// Several gateway processes sharing one Redis (a private redis-server of this test, never the
// shared one): one upstream limit for all, invalidations everywhere, and answers through Redis' death.
import { hasRedisServerBinary, REDIS_TAG, startRedisServer, type PrivateRedisServer } from '@bulwark/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GatewayProcess } from './support/gateway-process.js';
import { KEYS, post, startFixture, type Fixture } from './support/fixture.js';
import { startSimulatorProcess, type SimulatorProcess } from './support/simulator-process.js';

const QUOTA = 20;
const runs = hasRedisServerBinary() || process.env.CI !== undefined;

describe.skipIf(!runs)(`${REDIS_TAG} three instances on one Redis`, () => {
  let redis: PrivateRedisServer;
  let fixture: Fixture<SimulatorProcess>;
  let gateways: GatewayProcess[];

  beforeAll(async () => {
    redis = await startRedisServer();
    // The simulator allows QUOTA requests per second per key, answering 429 beyond.
    fixture = await startFixture({ simulator: ['--profile', 'calm', '--rate-limit-quota', String(QUOTA), '--rate-limit-window-ms', '1000'] });
    const env = {
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'e2e:',
      UPSTREAM_RATE_PER_SECOND: String(QUOTA - 4),
      CACHE_TTL_MS: '1500',
      UPSTREAM_TOTAL_TIMEOUT_MS: '3000',
      UPSTREAM_ATTEMPT_TIMEOUT_MS: '1000',
    };
    gateways = await Promise.all([fixture.gateway(env), fixture.gateway(env), fixture.gateway(env)]);
  });
  afterAll(async () => {
    await fixture?.close();
    await redis?.kill();
  });

  const validate = (gateway: GatewayProcess, email: string) =>
    fetch(`${gateway.url}/v1/validate/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.validate}` },
      body: JSON.stringify({ email }),
      // A hang is a failure of the test, not a slow pass.
      signal: AbortSignal.timeout(15_000),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { source: string; valid: boolean; ageMs: number } }));

  test('the upstream\'s limit holds across all of them: three times the load, no 429', async () => {
    let n = 0;
    let running = true;
    const sources: string[] = [];
    const worker = (gateway: GatewayProcess) => async (): Promise<void> => {
      while (running) {
        const answer = await validate(gateway, `load${n++}@shared.dev`);
        expect(answer.status).toBe(200);
        sources.push(answer.body.source);
      }
    };
    const workers = gateways.flatMap((g) => Array.from({ length: 4 }, worker(g)));
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    running = false;
    await Promise.all(workers);
    // Twelve callers asking for new addresses as fast as they can, through three instances with
    // their own memory: only the shared limit keeps the upstream under its quota.
    const stats = await fixture.upstream.stats();
    expect(stats.requests['429']).toBe(0);
    expect(Math.max(...stats.timeline.map((s) => s.ok))).toBeLessThanOrEqual(QUOTA);
    expect(stats.requests.ok).toBeGreaterThanOrEqual(QUOTA);
    // Every request was answered; those the shared limit held back past the deadline, offline.
    expect(sources.filter((s) => s === 'upstream').length).toBeGreaterThanOrEqual(QUOTA);
    expect(sources.filter((s) => s !== 'upstream' && s !== 'offline')).toEqual([]);
  });

  test('a verdict cached by one instance is served by the others, and an invalidation reaches them all', async () => {
    const [a, b, c] = gateways as [GatewayProcess, GatewayProcess, GatewayProcess];
    const email = 'shared@invalidation.dev';
    expect((await validate(a, email)).body.source).toBe('upstream');
    expect((await validate(b, email)).body.source).toBe('cache');
    expect((await validate(c, email)).body.source).toBe('cache');
    const invalidatedAt = Date.now();
    const response = await post(`${a.url}/v1/admin/cache/invalidate`, { key: email }, KEYS.admin);
    expect(response.status).toBe(204);
    // The others drop it from memory when the announcement arrives: then b asks the upstream again,
    // and c finds b's new verdict (younger than the invalidation), never the old one.
    let fromB = await validate(b, email);
    for (let i = 0; i < 50 && fromB.body.source !== 'upstream'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      fromB = await validate(b, email);
    }
    expect(fromB.body.source).toBe('upstream');
    const fromC = (await validate(c, email)).body;
    expect(fromC.source === 'upstream' || fromC.ageMs <= Date.now() - invalidatedAt).toBe(true);
  });

  test('Redis killed mid-run: answers still come, stale or offline, and nothing hangs', async () => {
    const [a, b] = gateways as [GatewayProcess, GatewayProcess];
    const known = ['ada@killed.dev', 'grace@killed.dev', 'edsger@killed.dev'];
    for (const email of known) expect((await validate(a, email)).body.source).toBe('upstream');
    // Past the TTL: the verdicts are stale.
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    await redis.kill();
    // And the upstream goes too: nothing but each instance's memory is left.
    const port = fixture.upstream.port;
    await fixture.upstream.stop();

    for (const email of known) expect((await validate(a, email)).body).toMatchObject({ source: 'stale', valid: true });
    const fresh = await Promise.all(Array.from({ length: 10 }, (_, i) => validate(b, `new${i}@killed.dev`)));
    for (const answer of fresh) expect(answer).toMatchObject({ status: 200, body: { source: 'offline', valid: true } });

    const ready = (await (await fetch(`${a.url}/health/ready`)).json()) as { status: string; checks: Record<string, { status: string }[]> };
    // Redis is not critical: the instance still answers, so readiness warns rather than fails.
    expect(ready.status).toBe('warn');
    expect(ready.checks['redis:responseTime']?.[0]?.status).toBe('fail');
    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    expect(metrics).toMatch(/^gateway_redis_up(\{[^}]*\})? 0$/m);

    // Redis and the upstream come back (on the same port, with a new key): the instances use them again.
    const restarted = await startSimulatorProcess(fixture.upstreamKeyFile, ['--profile', 'calm'], port);
    await redis.start();
    let up = '';
    for (let i = 0; i < 100 && !/^gateway_redis_up(\{[^}]*\})? 1$/m.test(up); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      up = await (await fetch(`${a.url}/metrics`)).text();
    }
    expect(up).toMatch(/^gateway_redis_up(\{[^}]*\})? 1$/m);
    expect((await validate(a, 'back@killed.dev')).body.source).toBe('upstream');
    await restarted.stop();
    // One warning for the outage and one line when Redis is back, not one per reconnection attempt.
    await a.waitForLog((l) => l.message === 'redis connected again');
    expect(a.logs().filter((l) => String(l.message).startsWith('redis connection failed'))).toHaveLength(1);
  });
});
