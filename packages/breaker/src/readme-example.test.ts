import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { circuitBreaker, circuitBreakerRegistry, isCircuitOpenError } from './index.js';

// The README's Usage examples, verbatim between the markers; the first test checks that the README
// still holds them, the others run them.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const source = readFileSync(new URL(import.meta.url), 'utf8');
const blocks = [...source.matchAll(/\/\/ README:start\n([\s\S]*?)\n\s*\/\/ README:end/g)].map((m) =>
  m[1]!.replace(/^ {2}/gm, '').replaceAll("'./index.js'", "'@bulwark/breaker'"),
);

test('the README shows the examples this file runs', () => {
  expect(blocks).toHaveLength(2);
  for (const block of blocks) expect(readme).toContain(block);
});

test('usage: a breaker fails fast while the API is down', async () => {
  // README:start
  // A stand-in for the API you call: it fails while `down` is true.
  let down = true;
  let calls = 0;
  const geoApi = {
    async country(ip: string, { signal }: { signal: AbortSignal }): Promise<string> {
      signal.throwIfAborted();
      calls++;
      if (down) throw Object.assign(new Error(`503 from geo API for ${ip}`), { status: 503 });
      return 'NZ';
    },
  };

  const breaker = circuitBreaker({
    name: 'geo-api',
    breaker: { kind: 'count', size: 20, minimumCalls: 10, failureRateThreshold: 0.5 },
    halfOpenAfterMs: 5_000,
  });
  const transitions: string[] = [];
  breaker.onStateChange(({ from, to }) => transitions.push(`${from} -> ${to}`));

  async function countryOf(ip: string): Promise<string> {
    try {
      return await breaker.execute(({ signal }) => geoApi.country(ip, { signal }));
    } catch (error) {
      if (isCircuitOpenError(error)) return 'unknown'; // fail fast; error.retryAfterMs says for how long
      throw error;
    }
  }

  for (let i = 0; i < 10; i++) await countryOf('203.0.113.7').catch(() => 'failed');
  console.assert(breaker.state === 'open' && transitions[0] === 'closed -> open');
  console.assert((await countryOf('203.0.113.7')) === 'unknown' && calls === 10); // not called
  // README:end
  expect(breaker.state).toBe('open');
  expect(transitions).toEqual(['closed -> open']);
  expect(calls).toBe(10);
  down = false;
  expect(await countryOf('x')).toBe('unknown');
});

test('usage: a registry keeps one circuit per dependency', async () => {
  const upstream = async (url: URL, _init: { signal: AbortSignal }) =>
    url.pathname === '/broken' ? Promise.reject(new Error('502')) : 'ok';
  // README:start
  const breakers = circuitBreakerRegistry({
    breaker: { breaker: { kind: 'consecutive', threshold: 3 }, halfOpenAfterMs: 10_000 },
    maxEntries: 500,
  });
  const call = (url: URL) =>
    breakers.execute({ host: url.host, endpoint: url.pathname }, ({ signal }) => upstream(url, { signal }));

  for (let i = 0; i < 3; i++) await call(new URL('https://api.example.com/broken')).catch(() => {});
  console.assert(breakers.get('api.example.com /broken').state === 'open');
  console.assert((await call(new URL('https://api.example.com/fine'))) === 'ok'); // its own circuit
  // README:end
  expect(breakers.get('api.example.com /broken').state).toBe('open');
  await expect(call(new URL('https://api.example.com/broken'))).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
  await expect(call(new URL('https://api.example.com/fine'))).resolves.toBe('ok');
});
