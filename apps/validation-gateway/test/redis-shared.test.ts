// Three gateway processes on one Redis (a private redis-server of this test) share what protects
// the upstream and the service: the upstream's circuit, opened by the instances that saw it fail,
// is open for the one that did not; and a caller's rate limit is one limit, not one per instance.
import { eventually, hasRedisServerBinary, REDIS_TAG, startRedisServer, type PrivateRedisServer } from '@bulwark/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GatewayProcess } from './support/gateway-process.js';
import { KEYS, post, startFixture, type Fixture } from './support/fixture.js';
import type { UpstreamStandIn } from './support/upstream-stand-in.js';

const runs = hasRedisServerBinary() || process.env.CI !== undefined;
const CALLER_LIMIT = 10;

describe.skipIf(!runs)(`${REDIS_TAG} three instances on one Redis: one circuit, one limit per caller`, () => {
  let redis: PrivateRedisServer;
  let fixture: Fixture<UpstreamStandIn>;
  let gateways: [GatewayProcess, GatewayProcess, GatewayProcess];

  beforeAll(async () => {
    redis = await startRedisServer();
    fixture = await startFixture({ standIn: {} });
    const env = {
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'shared-e2e:',
      UPSTREAM_TOTAL_TIMEOUT_MS: '1200',
      UPSTREAM_ATTEMPT_TIMEOUT_MS: '400',
      BREAKER_MINIMUM_CALLS: '3',
      BREAKER_QUORUM: '2',
      BREAKER_HALF_OPEN_AFTER_MS: '120000',
      CALLER_RATE_PER_SECOND: String(CALLER_LIMIT),
      CALLER_BURST: String(CALLER_LIMIT),
    };
    gateways = (await Promise.all([fixture.gateway(env), fixture.gateway(env), fixture.gateway(env)])) as [GatewayProcess, GatewayProcess, GatewayProcess];
  });
  afterAll(async () => {
    await fixture?.close();
    await redis?.kill();
  });

  test('a caller\'s limit holds across the instances: its requests spread over three are counted once', async () => {
    const url = (g: GatewayProcess) => `${g.url}/v1/validate/email`;
    // Warm the cache so the requests are quick and only the caller's limit decides.
    expect((await post(url(gateways[0]), { email: 'ada@limit.dev' }, KEYS.admin)).status).toBe(200);
    const started = Date.now();
    const statuses: number[] = [];
    for (let i = 0; i < 6 * CALLER_LIMIT; i++) {
      const response = await post(url(gateways[i % 3]!), { email: 'ada@limit.dev' }, KEYS.limited);
      statuses.push(response.status);
      if (response.status === 429) expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    const elapsedS = (Date.now() - started) / 1_000;
    const accepted = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    // One shared limit: its burst plus what its rate refilled while the requests went out. Three
    // limits of their own would accept three bursts.
    expect(accepted).toBeGreaterThanOrEqual(CALLER_LIMIT);
    expect(accepted).toBeLessThanOrEqual(CALLER_LIMIT + Math.ceil(CALLER_LIMIT * elapsedS) + 1);
    expect(accepted).toBeLessThan(3 * CALLER_LIMIT);
  });

  test('the upstream hangs for two instances: the circuit they open is open for the third, which never calls it', async () => {
    const [a, b, c] = gateways;
    fixture.upstream.mode = 'hang';
    let n = 0;
    // Each instance with its own caller key, paced under the callers' limit.
    const validate = (g: GatewayProcess, key: string) => post(`${g.url}/v1/validate/email`, { email: `user${n++}@circuit.dev` }, key);
    const openOn = async (g: GatewayProcess) => /^bulwark_breaker_state\{[^}]*bulwark_breaker_state="open"[^}]*\} 1$/m.test(await (await fetch(`${g.url}/metrics`)).text());
    // a and b see their calls time out until each has opened the circuit (quorum 2 in Redis).
    for (let i = 0; i < 30 && !((await openOn(a)) && (await openOn(b))); i++) {
      const answers = await Promise.all([validate(a, KEYS.validate), validate(b, KEYS.admin)]);
      for (const answer of answers) expect(answer).toMatchObject({ status: 200, body: { source: 'offline' } });
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    expect([await openOn(a), await openOn(b)]).toEqual([true, true]);

    // c never saw the upstream fail. An idle instance reads the shared circuit at its first call,
    // which may still go through (the breaker's README: propagation bound); from then on its answers
    // come offline and the upstream receives nothing from it.
    const before = fixture.upstream.received.total;
    expect(await validate(c, KEYS.limited)).toMatchObject({ status: 200, body: { source: 'offline' } });
    expect(fixture.upstream.received.total - before).toBeLessThanOrEqual(1);
    await eventually(() => openOn(c), { timeoutMs: 5_000, intervalMs: 100, what: 'the third instance reads the shared circuit open' });
    const afterFirst = fixture.upstream.received.total;
    for (let i = 0; i < 5; i++) expect(await validate(c, KEYS.limited)).toMatchObject({ status: 200, body: { source: 'offline' } });
    expect(fixture.upstream.received.total).toBe(afterFirst);
    fixture.upstream.mode = 'ok';
  });
});
