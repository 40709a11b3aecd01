import { createFakeClock } from '@bulwark/core';
import { useLoopbackServer } from '@bulwark/test-utils';
import { memoryProvider, secret, secretManager, type SecretProvider } from '@bulwark/secrets';
import { expect, test } from 'vitest';
import { createHttpClient, secretAuth } from '@bulwark/http';

const server = useLoopbackServer();

test('a key rotated at the source: the 401 fetches the new version once, and the retry carries it', async () => {
  // A vault that says nothing when a key changes: the manager serves its cached version until refused.
  let current = secret('key-one-111', { name: 'RATES_KEY', version: 'v1' }); // bulwark-allow-secret: test fixture
  let fetches = 0;
  const vault: SecretProvider = { name: 'vault', fetch: async () => (fetches++, { current }) };
  const secrets = secretManager({ providers: vault, ttlMs: 60_000, clock: createFakeClock() });
  const client = createHttpClient({ baseUrl: server.url, auth: secretAuth(secrets, 'RATES_KEY') });
  let accepted = 'Bearer key-one-111';
  server.reply((r) => (r.headers.authorization === accepted ? { body: { rate: 1.08 } } : { status: 401 }));

  expect(await client.get('rates')).toEqual({ rate: 1.08 });
  // The upstream rotates the key and revokes the old one; the manager's cache still holds it.
  current = secret('key-two-222', { name: 'RATES_KEY', version: 'v2' }); // bulwark-allow-secret: test fixture
  accepted = 'Bearer key-two-222';
  expect(await client.get('rates')).toEqual({ rate: 1.08 });
  expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer key-one-111', 'Bearer key-one-111', 'Bearer key-two-222']);
  expect(fetches).toBe(2);
  await secrets.close();
});

test('the scheme and header are options; a refused key with no other version is a 401', async () => {
  const secrets = secretManager({ providers: memoryProvider({ secrets: { K: 'only-version-1' } }), clock: createFakeClock() });
  server.reply((r) => ({ status: 401, body: { got: r.headers['x-api-key'] } }));
  const client = createHttpClient({ baseUrl: server.url, auth: secretAuth(secrets, 'K', { scheme: '', header: 'x-api-key' }) });
  await expect(client.get('x')).rejects.toMatchObject({ code: 'HTTP_ERROR', status: 401 });
  expect(server.requests.map((r) => r.headers['x-api-key'])).toEqual(['only-version-1']);
  expect(() => secretAuth({} as never, 'K')).toThrow('Expected `source` to be a secret manager (an object with get and refreshOnAuthFailure)');
  expect(() => secretAuth(secrets, '')).toThrow('Expected `name` to be a non-empty string, got "".');
  await secrets.close();
});
