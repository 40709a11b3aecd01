// Two instances of the built service on one Redis (`REDIS_URL`, e.g. redis://127.0.0.1:6379), as
// they run behind a load balancer: what one fetched, the other answers from the shared cache; an
// invalidation sent to one reaches both; and a caller's rate limit is one limit, not one per
// instance. Without REDIS_URL these tests are skipped (the summary says so); `REDIS_URL=… npm test`
// runs them; with REDIS_URL set and no Redis answering there, they fail at once, saying so. Every key
// they write is under a prefix of their own, deleted at the end.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashApiKey } from '../src/services/caller-authenticator.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { assertRedisAnswers } from './support/redis-answers.js';
import { startUpstreamStandIn, type UpstreamStandIn } from './support/upstream-stand-in.js';

const REDIS_URL = process.env.REDIS_URL ?? '';
const CALLER_KEY = 'service-redis-test-key-0123456789abcdef'; // bulwark-allow-secret: test fixture
const ADMIN_KEY = 'service-redis-admin-key-0123456789abcdef'; // bulwark-allow-secret: test fixture
const CALLER_LIMIT = 5;

describe.skipIf(REDIS_URL === '')('two instances on one Redis (REDIS_URL)', () => {
  const prefix = `service-test:${process.pid}-${Date.now()}:`;
  let dir: string;
  let upstream: UpstreamStandIn;
  let instances: [GatewayProcess, GatewayProcess];
  let redisAnswered = false;

  beforeAll(async () => {
    await assertRedisAnswers(REDIS_URL);
    redisAnswered = true;
    dir = mkdtempSync(join(tmpdir(), 'service-redis-test-'));
    const upstreamKeyFile = join(dir, 'upstream.key');
    const callerKeysFile = join(dir, 'callers.json');
    const callers = [
      { id: 'tests', scopes: ['validate'], sha256: hashApiKey(CALLER_KEY).toString('hex') },
      { id: 'operator', scopes: ['validate', 'admin'], sha256: hashApiKey(ADMIN_KEY).toString('hex') },
    ];
    writeFileSync(callerKeysFile, JSON.stringify(callers), { mode: 0o600 });
    upstream = await startUpstreamStandIn({ keysFile: upstreamKeyFile });
    const env = {
      UPSTREAM_URL: upstream.url,
      UPSTREAM_API_KEY_FILE: upstreamKeyFile,
      GATEWAY_API_KEYS_FILE: callerKeysFile,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      CALLER_RATE_PER_SECOND: String(CALLER_LIMIT),
      CALLER_BURST: String(CALLER_LIMIT),
    };
    instances = await Promise.all([startGatewayProcess(env), startGatewayProcess(env)]);
  });
  afterAll(async () => {
    await Promise.all((instances ?? []).map((instance) => instance.stop('SIGKILL')));
    await upstream?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    if (!redisAnswered) return;
    const client = await createClient({ url: REDIS_URL }).connect();
    try {
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1_000 })) if (keys.length > 0) await client.del(keys);
    } finally {
      await client.close();
    }
  });

  const post = async (instance: GatewayProcess, path: string, body: unknown, key: string) => {
    const response = await fetch(`${instance.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
  };
  const validate = (instance: GatewayProcess, email: string, key = ADMIN_KEY) => post(instance, '/v1/validate/email', { email }, key);

  test('what one instance fetched, the other answers from the cache; an invalidation sent to one reaches both', async () => {
    const [a, b] = instances;
    expect((await validate(a, 'ada@shared.dev')).body).toMatchObject({ source: 'upstream' });
    const calls = upstream.received.total;
    expect((await validate(b, 'ada@shared.dev')).body).toMatchObject({ source: 'cache' });
    expect(upstream.received.total).toBe(calls);

    expect((await post(b, '/v1/admin/cache/invalidate', { key: 'ada@shared.dev' }, ADMIN_KEY)).status).toBe(204);
    // The invalidation travels over Redis pub/sub: each instance drops its copy within moments.
    const deadline = Date.now() + 5_000;
    let answer = await validate(a, 'ada@shared.dev');
    while (answer.body.source !== 'upstream' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await validate(a, 'ada@shared.dev');
    }
    expect(answer.body).toMatchObject({ source: 'upstream' });
  });

  test("a caller's rate limit is one limit across the instances", async () => {
    const statuses: number[] = [];
    const started = Date.now();
    for (let i = 0; i < 4 * CALLER_LIMIT; i++) statuses.push((await validate(instances[i % 2]!, 'grace@shared.dev', CALLER_KEY)).status);
    const elapsedS = (Date.now() - started) / 1_000;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    // One limit: its burst, and what its rate refilled while the requests went out. A limit per
    // instance would take two bursts.
    const accepted = statuses.filter((s) => s === 200).length;
    expect(accepted).toBeGreaterThanOrEqual(CALLER_LIMIT);
    expect(accepted).toBeLessThanOrEqual(CALLER_LIMIT + Math.ceil(CALLER_LIMIT * elapsedS) + 1);
  });
});
