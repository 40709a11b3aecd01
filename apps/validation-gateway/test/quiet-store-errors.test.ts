// The gateway on a private redis-server of its own (never the shared one), stopped mid-run: a store
// error while Redis is connected is a warning; while Redis is away, the client's one warning says it
// all and the policies' store errors are written at debug, however many requests come.
import { createClient } from 'redis';
import { eventually, hasRedisServerBinary, REDIS_TAG, startRedisServer, type PrivateRedisServer } from '@bulwark/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FakeLogger } from './support/fakes.js';
import { buildServer, composeGateway, hashApiKey, loadConfig, TOKENS } from '../src/index.js';
import type { Resources } from '../src/resources.js';

const CALLER = 'quiet-store-errors-key-0123456789'; // bulwark-allow-secret: test fixture
const env = {
  UPSTREAM_API_KEY: 'upstream-test-key-0123456789', // bulwark-allow-secret: test fixture
  GATEWAY_API_KEYS: JSON.stringify([{ id: 'tester', scopes: ['validate'], sha256: hashApiKey(CALLER).toString('hex') }]),
};
const runs = hasRedisServerBinary() || process.env.CI !== undefined;

describe.skipIf(!runs)(`${REDIS_TAG} store errors in the log while Redis is away`, () => {
  let redis: PrivateRedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.kill();
  });

  test('one warning per outage, not one per request and policy; a store error while connected still warns', async () => {
    const logger = new FakeLogger();
    const container = await composeGateway(loadConfig({ REDIS_URL: redis.url, REDIS_TIMEOUT_MS: '50', UPSTREAM_URL: 'http://127.0.0.1:9' }), {
      env,
      logDestination: { write: () => {} },
      fetch: async () => Response.json({ valid: true, reason: 'accepted', disposable: false, domain: 'away.dev' }),
      override: (c) => c.register(TOKENS.Logger, { useValue: logger }),
    });
    const resources = container.resolve<Resources>(TOKENS.Resources);
    const app = buildServer(container);
    let n = 0;
    const ask = async () => {
      const response = await app.inject({ method: 'POST', url: '/v1/validate/email', headers: { authorization: `Bearer ${CALLER}` }, payload: { email: `u${n++}@away.dev` } });
      expect(response.statusCode).toBe(200);
    };
    const storeErrors = (level: string, from = 0) => logger.lines.slice(from).filter((l) => l.level === level && l.fields.event === 'storeError');
    try {
      // Connected, but Redis does not answer in time: a warning.
      const admin = createClient({ url: redis.url });
      await admin.connect();
      await admin.sendCommand(['CLIENT', 'PAUSE', '500', 'ALL']);
      await ask();
      await admin.ping(); // answered once the pause is over: nothing of it is still failing
      await admin.close();
      expect(storeErrors('warn').length).toBeGreaterThan(0);

      // Away: the client's one warning, and no warning per request however many requests come.
      const away = 'redis connection failed; deciding locally until it is back';
      await redis.stop();
      await eventually(() => logger.lines.some((l) => l.message === away), { what: 'the client warned' });
      const from = logger.lines.length;
      for (let i = 0; i < 10; i++) await ask();
      expect(logger.lines.slice(from).filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
      expect(storeErrors('debug', from).length).toBeGreaterThanOrEqual(10);
      expect(logger.lines.filter((l) => l.message === away)).toHaveLength(1);

      // Back: one line.
      await redis.start();
      await eventually(() => logger.lines.some((l) => l.message === 'redis connected again'), { timeoutMs: 10_000, what: 'the client said Redis is back' });
    } finally {
      await app.close();
      await resources.closeAll();
    }
  });
});
