import { timeout } from '@bulwark/core';
import { describe, expect, test } from 'vitest';
import { httpClient, redactUrl } from '@bulwark/http';
import { standard } from '@bulwark/http/standard';

describe('unknown option keys are refused, naming the option meant', () => {
  test.each([
    ['httpClient', () => httpClient({ baseURL: 'https://api.example.com' } as never), 'Unknown option `baseURL` of httpClient(); did you mean `baseUrl`?'],
    ['httpClient (a typo)', () => httpClient({ limitter: {} } as never), 'Unknown option `limitter` of httpClient(); did you mean `limiter`?'],
    [
      'httpClient (ky retry)',
      () => httpClient({ retry: 3 } as never),
      "Unknown option `retry` of httpClient(); did you mean `policy: retry({ maxAttempts: 4 })`, with `retry` from @bulwark/retry? `maxAttempts` counts the first call: 3 retries are 4 attempts.",
    ],
    [
      'httpClient (got retry)',
      () => httpClient({ retry: { limit: 2 } } as never),
      "Unknown option `retry` of httpClient(); did you mean `policy: retry({ maxAttempts })`, with `retry` from @bulwark/retry?",
    ],
    [
      'httpClient (ky, axios timeout)',
      () => httpClient({ timeout: 100 } as never),
      "Unknown option `timeout` of httpClient(); did you mean `policy: timeout(100)`, with `timeout` from @bulwark/core?",
    ],
    ['httpClient (ky hooks)', () => httpClient({ hooks: {} } as never), 'Unknown option `hooks` of httpClient(); did you mean `policy`?'],
    ['standard', () => standard({ timeout: 5_000 } as never), 'Unknown option `timeout` of standard(); did you mean `totalTimeoutMs`?'],
    ['standard (bulkhead)', () => standard({ bulkhead: { maxQueue: 10 } } as never), 'Unknown option `bulkhead.maxQueue` of standard(); did you mean `bulkhead.queue`?'],
    ['standard (retry)', () => standard({ retry: { retries: 2 } } as never), 'Unknown option `retry.retries` of standard(); did you mean `retry.maxAttempts`?'],
    ['standard (breaker)', () => standard({ breaker: { breakDuration: 5_000 } } as never), 'Unknown option `breaker.breakDuration` of standard(); did you mean `breaker.halfOpenAfterMs`?'],
    ['standard (hedge)', () => standard({ hedge: { delay: 50 } } as never), 'Unknown option `hedge.delay` of standard(); did you mean `hedge.delayMs`?'],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(new TypeError(message));
  });

  test('a policy factory passed uncalled as `policy` is named as one', () => {
    expect(() => httpClient({ policy: timeout } as never)).toThrow(
      new TypeError(
        'Expected `policy` to be a Policy (with execute) or a policy source (with policyFor), not the factory that makes one: `timeout(…)`, got a function.',
      ),
    );
    expect(() => httpClient({ policy: standard } as never)).toThrow(/not the factory that makes one: `standard\(…\)`, got a function\.$/);
    expect(() => httpClient({ policy: {} } as never)).toThrow(
      new TypeError('Expected `policy` to be a Policy (with execute) or a policy source (with policyFor), got an object (Object).'),
    );
  });

  test('every option that exists is accepted', () => {
    expect(() =>
      httpClient({
        baseUrl: 'https://api.example.com',
        headers: { accept: 'application/json' },
        policy: standard({
          bulkhead: { limit: 10, queue: 1 },
          totalTimeoutMs: 30_000,
          retry: { maxAttempts: 3, maxDelayMs: 1_000, unref: true },
          breaker: { windowMs: 30_000, minimumCalls: 10, failureRateThreshold: 0.5, halfOpenAfterMs: 1_000, maxEntries: 5 },
          attemptTimeoutMs: 10_000,
          hedge: { delayMs: 100, maxHedgedAttempts: 1 },
        }),
        fetch: async () => new Response(null),
        auth: () => 'Bearer token',
        limiterKey: (url) => url.host,
        idempotencyKeys: true,
        redactParam: () => false,
        name: 'api',
      }),
    ).not.toThrow();
  });
});

describe('a mistaken option never shows a credential', () => {
  test('an auth given as the header value itself is refused without showing it', () => {
    // bulwark-allow-secret: a fake token, to show it stays out of the message
    const make = () => httpClient({ auth: 'Bearer tok_live_0123456789abcdef' as never });
    expect(make).toThrow(
      new TypeError(
        'Expected `auth` to be a function returning the header value, or an object with get (and refresh), got a string (its value is not shown).',
      ),
    );
  });
});

describe('a refused body or query is not quoted', () => {
  // bulwark-allow-secret: fake credentials in a body and a query, to show they stay out of the message
  const form = 'grant_type=password&password=hunter2-pw';
  const client = httpClient({ baseUrl: 'https://api.example.com', fetch: async () => new Response('{}') });

  test.each([
    ['a body on a GET', () => client.get('token', { body: form }), 'Expected `body` to be undefined for a GET request, got a string (its value is not shown).'],
    ['json beside a body', () => client.post('token', { json: form, body: 'x' }), 'Expected `json` to be undefined when `body` is given, got a string (its value is not shown).'],
    // bulwark-allow-secret: a fake key in a query string
    ['a query as a string', () => client.get('rates', { query: 'api_key=hunter2-pw' as never }), 'Expected `query` to be an object or URLSearchParams, got a string (its value is not shown).'],
  ])('%s', async (_name, call, message) => {
    await expect(call()).rejects.toThrow(new TypeError(message));
  });
});

/** A client on a `fetch` that records each request's body and answers `{}`. */
function bodyRecordingClient() {
  const sent: unknown[] = [];
  const client = httpClient({
    baseUrl: 'https://api.example.com',
    fetch: async (_input, init) => {
      sent.push(init?.body);
      return new Response('{}');
    },
  });
  return { client, sent };
}

describe('a json body that is not JSON data is refused, naming `json`', () => {
  const { client, sent } = bodyRecordingClient();
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;

  test.each([
    ['a BigInt', { cents: 10n }, 'got a value that holds a BigInt (its value is not shown).'],
    ['a cycle', cycle, 'got a value that holds a cycle (its value is not shown).'],
    ['a function, which JSON.stringify turns into nothing', () => 1, 'got a function (its value is not shown).'],
  ])('%s', async (_name, json, got) => {
    const error = await client.post('charges', { json }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(`Expected \`json\` to be JSON data (what JSON.stringify can write), ${got}`);
    expect(sent).toEqual([]);
  });
});

describe('a URL written without its scheme does not show its password', () => {
  // bulwark-allow-secret: a fake password in a URL without scheme, which parses with the user name as its scheme
  const url = 'ada:hunter2-pw@api.example.com/v1';

  test('as baseUrl', () => {
    expect(() => httpClient({ baseUrl: url })).toThrow(new TypeError('Expected `baseUrl` to be an http: or https: URL, got "[REDACTED]@api.example.com/v1".'));
  });

  test('as a request URL', async () => {
    await expect(httpClient().get(`${url}/rates?api_key=k-1`)).rejects.toThrow(
      new TypeError('Expected `input` to be an http: or https: URL, got "[REDACTED]@api.example.com/v1/rates?api_key=[REDACTED]".'),
    );
  });

  test('redactUrl', () => {
    expect(redactUrl(url)).toBe('[REDACTED]@api.example.com/v1');
    expect(redactUrl('https://api.example.com/users/@ada')).toBe('https://api.example.com/users/@ada'); // a path with @ under a host stays
  });
});

describe('a record or an array given as body is refused, pointing to `json`', () => {
  const { client, sent } = bodyRecordingClient();

  test.each([
    ['a record', { cents: 1_000 }, 'an object'],
    ['an array', [1, 2], 'an array'],
  ])('%s', async (_name, body, got) => {
    await expect(client.post('charges', { body: body as never })).rejects.toThrow(
      new TypeError(
        `Expected \`body\` to be a string, bytes, a Blob, FormData, URLSearchParams or a stream (pass an object or an array as \`json\`), got ${got} (its value is not shown).`,
      ),
    );
    expect(sent).toEqual([]);
  });

  test('an async iterable written as an object literal is still a stream body', async () => {
    const stream = {
      async *[Symbol.asyncIterator]() {
        yield new TextEncoder().encode('{}');
      },
    };
    await expect(client.post('charges', { body: stream as never, duplex: 'half' } as never)).resolves.toEqual({});
  });
});

describe('request options that are not an object are refused by every method', () => {
  const sent: string[] = [];
  const client = httpClient({
    baseUrl: 'https://api.example.com',
    fetch: async (input) => {
      sent.push(String(input));
      return new Response('{}');
    },
  });

  test.each([
    ['fetch', () => client.fetch('x', 'GET' as never)],
    ['json', () => client.json('x', 'GET' as never)],
    ['get', () => client.get('x', 'GET' as never)],
    ['post', () => client.post('x', 'body' as never)],
    ['delete', () => client.delete('x', 5 as never)],
  ])('%s', async (_name, call) => {
    await expect(call()).rejects.toThrow(/^Expected `init` to be an options object \(a body goes in its `json` or `body`\), got an? (string|number) \(its value is not shown\)\.$/);
    expect(sent).toEqual([]);
  });
});
