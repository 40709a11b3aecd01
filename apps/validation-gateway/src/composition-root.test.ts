import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createFakeClock } from '@bulwark/core';
import { encryptedFileStore } from '@bulwark/secrets';
import { afterEach, describe, expect, test } from 'vitest';
import { FakeCache, FakeLogger, FakeUpstream } from '../test/support/fakes.js';
import { buildServer, composeGateway, hashApiKey, loadConfig, TOKENS } from './index.js';
import type { Resources } from './resources.js';

const CALLER = 'composition-test-key-0123456789'; // bulwark-allow-secret: test fixture
const env = {
  UPSTREAM_API_KEY: 'upstream-test-key-0123456789', // bulwark-allow-secret: test fixture
  GATEWAY_API_KEYS: JSON.stringify([{ id: 'tester', scopes: ['validate'], sha256: hashApiKey(CALLER).toString('hex') }]),
};

const opened: Resources[] = [];
afterEach(async () => {
  for (const resources of opened.splice(0)) await resources.closeAll();
});

describe('the composition root', () => {
  test('swapping a collaborator is one registration: the upstream and the cache replaced by fakes', async () => {
    const clock = createFakeClock({ now: Date.UTC(2026, 0, 1) });
    const upstream = new FakeUpstream();
    upstream.answer = () => ({ valid: false, reason: 'disposable', disposable: true, domain: 'fake.dev' });
    const cache = new FakeCache(60_000, 0, clock);
    const lines: string[] = [];
    const container = await composeGateway(loadConfig({}), {
      env,
      logDestination: { write: (line: string) => lines.push(line) },
      override: (c) => {
        c.register(TOKENS.Upstream, { useValue: upstream });
        c.register(TOKENS.Cache, { useValue: cache });
        c.register(TOKENS.Clock, { useValue: clock });
      },
    });
    opened.push(container.resolve<Resources>(TOKENS.Resources));
    const app = buildServer(container);
    const ask = () =>
      app.inject({ method: 'POST', url: '/v1/validate/email', headers: { authorization: `Bearer ${CALLER}`, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, payload: { email: 'x@fake.dev' } });

    const first = await ask();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ email: 'x@fake.dev', valid: false, reason: 'disposable', disposable: true, domain: 'fake.dev', source: 'upstream', ageMs: 0 });
    expect(upstream.calls).toHaveLength(1);
    expect(upstream.calls[0]!.call.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect([...cache.entries.keys()]).toEqual(['x@fake.dev']);
    await clock.tickAsync(1_000);
    expect((await ask()).json()).toMatchObject({ source: 'cache', ageMs: 1_000 });
    expect(upstream.calls).toHaveLength(1);
    await app.close();
  });

  test('a logger swapped through the container gets the policies\' events too; the default one gets nothing', async () => {
    const lines: string[] = [];
    const fake = new FakeLogger();
    const container = await composeGateway(loadConfig({ UPSTREAM_URL: 'http://127.0.0.1:9', UPSTREAM_MAX_ATTEMPTS: '1' }), {
      env,
      logDestination: { write: (line: string) => lines.push(line) },
      // The upstream cannot be reached: the retry gives up, and the caller is answered offline.
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
      override: (c) => c.register(TOKENS.Logger, { useValue: fake }),
    });
    opened.push(container.resolve<Resources>(TOKENS.Resources));
    const app = buildServer(container);
    const response = await app.inject({ method: 'POST', url: '/v1/validate/email', headers: { authorization: `Bearer ${CALLER}` }, payload: { email: 'ada@example.org' } });
    expect(response.json()).toMatchObject({ source: 'offline' });
    await app.close();

    expect(fake.lines).toContainEqual(expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ event: 'giveUp', policy: 'upstream-retry', reason: 'max-attempts' }) }));
    expect(lines).toEqual([]);
  });

  test('lines written while the gateway is composed (Redis unreachable at start) go to the swapped logger too', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const lines: string[] = [];
    const fake = new FakeLogger();
    const container = await composeGateway(loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_TIMEOUT_MS: '50' }), {
      env,
      logDestination: { write: (line: string) => lines.push(line) },
      override: (c) => c.register(TOKENS.Logger, { useValue: fake }),
    });
    opened.push(container.resolve<Resources>(TOKENS.Resources));
    expect(fake.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'redis connection failed; deciding locally until it is back' }));
    expect(lines).toEqual([]);
  });

  test('a 401 names the service it comes from: the realm is SERVICE_NAME, read at start', async () => {
    const container = await composeGateway(loadConfig({ SERVICE_NAME: 'acme-billing' }), { env, logDestination: { write: () => {} } });
    opened.push(container.resolve<Resources>(TOKENS.Resources));
    const app = buildServer(container);
    const response = await app.inject({ method: 'POST', url: '/v1/validate/email', payload: { email: 'ada@example.org' } });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="acme-billing"');
    await app.close();
  });

  test('each request gets a child container carrying its own context and logger', async () => {
    const lines: string[] = [];
    const seen: unknown[] = [];
    const container = await composeGateway(loadConfig({}), {
      env,
      logDestination: { write: (line: string) => lines.push(line) },
      override: (c) =>
        c.register(TOKENS.Upstream, {
          useFactory: (scope) => ({
            // Resolved from the request's child container: its context is there, not in the root.
            validate: async () => {
              seen.push(scope.resolve(TOKENS.RequestContext));
              return { valid: true, reason: 'accepted' as const, disposable: false, domain: 'ctx.dev' };
            },
          }),
        }),
    });
    opened.push(container.resolve<Resources>(TOKENS.Resources));
    expect(container.isRegistered(TOKENS.RequestContext)).toBe(false);
    const app = buildServer(container);
    for (const id of ['req-a', 'req-b']) {
      const response = await app.inject({ method: 'POST', url: '/v1/validate/email', headers: { authorization: `Bearer ${CALLER}`, 'x-request-id': id }, payload: { email: `${id}@ctx.dev` } });
      expect(response.statusCode).toBe(200);
    }
    expect(seen.map((c) => (c as { requestId: string }).requestId)).toEqual(['req-a', 'req-b']);
    expect(lines.filter((l) => l.includes('"requestId":"req-a"')).length).toBeGreaterThan(0);
    await app.close();
  });

  test('the upstream key can come from the encrypted store, and is sent to the upstream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-store-'));
    try {
      const keyFile = join(dir, 'store.key');
      writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
      const storePath = join(dir, 'secrets.enc.json');
      const store = encryptedFileStore({ path: storePath, keys: [{ keyFile }] });
      await store.set('UPSTREAM_API_KEY', 'stored-upstream-key-0123456789'); // bulwark-allow-secret: test fixture
      store.close?.();
      const sent: string[] = [];
      const container = await composeGateway(loadConfig({ SECRETS_STORE: storePath, SECRETS_STORE_KEY_FILE: keyFile, UPSTREAM_URL: 'http://127.0.0.1:9' }), {
        env: { GATEWAY_API_KEYS: env.GATEWAY_API_KEYS },
        logDestination: { write: () => {} },
        fetch: async (_url, init) => {
          sent.push(new Headers(init?.headers).get('authorization') ?? '');
          return Response.json({ valid: true, reason: 'accepted', disposable: false, domain: 'store.dev' });
        },
      });
      opened.push(container.resolve<Resources>(TOKENS.Resources));
      const app = buildServer(container);
      const response = await app.inject({ method: 'POST', url: '/v1/validate/email', headers: { authorization: `Bearer ${CALLER}` }, payload: { email: 'a@store.dev' } });
      expect(response.json()).toMatchObject({ source: 'upstream', domain: 'store.dev' });
      expect(sent).toEqual(['Bearer stored-upstream-key-0123456789']); // bulwark-allow-secret: test fixture
      await app.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a missing or malformed secret stops the start with every problem named, no value shown', async () => {
    await expect(composeGateway(loadConfig({}), { env: { GATEWAY_API_KEYS: '[{"id":"x"}]' }, logDestination: { write: () => {} } })).rejects.toThrow(
      /UPSTREAM_API_KEY[\s\S]*GATEWAY_API_KEYS/,
    );
    // What is wrong with the callers' list is said, entry and field, not reduced to "parse threw".
    const entry = { id: 'ops', scopes: ['validate'], sha256: hashApiKey(CALLER).toString('hex') };
    const start = (keys: string) => composeGateway(loadConfig({}), { env: { ...env, GATEWAY_API_KEYS: keys }, logDestination: { write: () => {} } });
    await expect(start(JSON.stringify(entry))).rejects.toThrow(
      '"GATEWAY_API_KEYS" (apiKeys): malformed: Expected `GATEWAY_API_KEYS` to be a JSON array of { id, scopes, sha256 }.',
    );
    await expect(start(JSON.stringify([entry, { ...entry, scopes: ['root'] }]))).rejects.toThrow(
      'malformed: Expected `GATEWAY_API_KEYS[1].scopes` to be a non-empty array of "validate" and "admin".',
    );
    // An empty list would refuse every caller; a misspelt field is named, a field that could be a key is not.
    await expect(start('[]')).rejects.toThrow('malformed: Expected `GATEWAY_API_KEYS` to hold at least one { id, scopes, sha256 }, got an empty array');
    const { sha256, ...withoutHash } = entry;
    await expect(start(JSON.stringify([{ ...withoutHash, sha: sha256 }]))).rejects.toThrow('malformed: Unknown field `sha` of `GATEWAY_API_KEYS[0]`: an entry holds only id, scopes and sha256');
    const pasted = 'k3y-pasted-as-a-field-0123456789'; // bulwark-allow-secret: a made-up key
    const refused = await start(JSON.stringify([{ ...entry, [pasted]: true }])).then(
      () => '',
      (error: unknown) => (error as Error).message,
    );
    expect(refused).toContain('Unknown field (not shown: it could be a key) of `GATEWAY_API_KEYS[0]`');
    expect(refused).not.toContain(pasted);
  });
});
