import { CallContext, createFakeClock, isTimeoutError, timeout, type ExecuteContext, type Policy } from '@bulwark/core';
import { deferred, freePort, useLoopbackServer } from '@bulwark/test-utils';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, test, vi } from 'vitest';
import {
  HttpError,
  httpClient,
  type HttpAuthRefreshEvent,
  type HttpAuthSource,
  isHttpError,
  isInvalidJsonError,
  isNetworkError,
  isRequestNotReplayableError,
  type HttpResponseEvent,
} from './index.js';

const server = useLoopbackServer();

/** Runs `fn` until it succeeds, at most `attempts` times, with no wait: the crudest retry there is. */
const again = (attempts: number): Policy => ({
  async execute<T>(fn: (context: ExecuteContext) => PromiseLike<T> | T, signal?: AbortSignal | ExecuteContext): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(new CallContext(signal, attempt));
      } catch (error) {
        if (attempt >= attempts) throw error;
      }
    }
  },
  executeResult: () => {
    throw new Error('not used');
  },
});

const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );

describe('requests and JSON', () => {
  test('a path joins under baseUrl, keeping its path, with or without a leading slash', async () => {
    server.reply((r) => ({ body: { path: r.url, accept: r.headers.accept } }));
    const client = httpClient({ baseUrl: `${server.url}/v1` });
    expect(await client.get('users/1')).toEqual({ path: '/v1/users/1', accept: 'application/json' });
    expect(await client.get('/users/1', { query: { page: 2, q: 'a b', none: undefined, nil: null } })).toEqual({
      path: '/v1/users/1?page=2&q=a+b',
      accept: 'application/json',
    });
    expect(await client.get(`${server.url}/elsewhere`)).toMatchObject({ path: '/elsewhere' });
  });

  test('json sends a JSON body; the method is upper-cased; headers merge over the defaults', async () => {
    server.reply((r) => ({ status: 201, body: { method: r.method, type: r.headers['content-type'], body: JSON.parse(r.body), who: r.headers['x-who'], app: r.headers['x-app'] } }));
    const client = httpClient({ baseUrl: server.url, headers: { 'x-app': 'test', 'x-who': 'default' } });
    expect(await client.json('items', { method: 'patch', json: { n: 1 }, headers: { 'x-who': 'me' } })).toEqual({
      method: 'PATCH',
      type: 'application/json',
      body: { n: 1 },
      who: 'me',
      app: 'test',
    });
  });

  test('an empty body or a 204 is undefined; fetch hands over the Response unread', async () => {
    const client = httpClient({ baseUrl: server.url });
    server.reply(() => ({ status: 204 }));
    expect(await client.delete('items/1')).toBeUndefined();
    server.reply(() => ({ status: 200, body: 'plain text', headers: { 'content-type': 'text/plain' } }));
    const response = await client.fetch('text');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('plain text');
  });

  test('a body that is not JSON is an InvalidJsonError that does not quote it', async () => {
    // bulwark-allow-secret: a fake token, to show the body is not quoted
    server.reply(() => ({ body: '{"token":"tok_abcdef123456"', headers: { 'content-type': 'application/json' } }));
    const error = await failure(httpClient({ baseUrl: server.url }).get('broken'));
    expect(isInvalidJsonError(error)).toBe(true);
    expect(JSON.stringify(error)).not.toContain('tok_abcdef');
    expect((error as Error).message).toBe(`GET ${server.url}/broken answered 200 with a body that is not valid JSON.`);
  });

  test('the Result forms', async () => {
    const client = httpClient({ baseUrl: server.url });
    server.reply(() => ({ body: [1, 2] }));
    expect((await client.jsonResult('ok'))._unsafeUnwrap()).toEqual([1, 2]);
    server.reply(() => ({ status: 404 }));
    const result = await client.fetchResult('missing');
    expect(result.isErr() && result.error.code).toBe('HTTP_ERROR');
  });

  test('bad requests are refused before anything is sent, naming the option', async () => {
    const client = httpClient({ baseUrl: server.url });
    await expect(client.fetch('x', { method: 'GET', body: 'no' })).rejects.toThrow('Expected `body` to be undefined for a GET request');
    await expect(client.fetch('x', { method: 'NOT A METHOD' })).rejects.toThrow('Expected `method` to be an HTTP method');
    await expect(client.fetch('x', { json: {}, body: 'both', method: 'POST' })).rejects.toThrow('Expected `json` to be undefined when `body` is given');
    await expect(httpClient().fetch('relative')).rejects.toThrow('Expected `input` to be an absolute URL (or a path, with `baseUrl` set), got "relative".');
    await expect(client.fetch('ftp://example.com/x')).rejects.toThrow('an http: or https: URL');
    await expect(client.fetch('x', { query: { filter: { status: 'open' } } as never })).rejects.toThrow(
      'Expected `query.filter` to be a string, number or boolean (null or undefined to leave it out; a URLSearchParams for a name repeated), got an object (Object).',
    );
    await expect(client.fetch('x', { query: { ids: [1, 2] } as never })).rejects.toThrow('Expected `query.ids` to be a string, number or boolean');
    await expect(client.get('x', { params: { page: 2 } } as never)).rejects.toThrow(
      new TypeError('Unknown option `params` of a request (fetch would ignore it); did you mean `query`?'),
    );
    await expect(client.post('x', { data: { cents: 1 } } as never)).rejects.toThrow('Unknown option `data` of a request (fetch would ignore it); did you mean `json` (or `body`)?');
    await expect(client.get('x', { timeout: 1_000 } as never)).rejects.toThrow("did you mean a `timeout(ms)` in the client's `policy`?");
    const dispatcher = { dispatch() {} };
    await expect(client.fetch('x', { dispatcher } as never)).rejects.toThrow("a dispatcher from another undici fails inside Node's fetch");
    expect(server.requests).toHaveLength(0);
  });

  test('data passed where the options go, or any key neither the client nor RequestInit knows, is refused without its value', async () => {
    const client = httpClient({ baseUrl: server.url });
    const refused = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as Error);
    const error = await refused(client.post('payments', { cents: 1000, card: 'ending 4242' } as never));
    expect(error).toEqual(
      new TypeError(
        'Unknown option `cents` of a request (fetch would ignore it; data to send goes in `json`); the options are `json`, `query`, `idempotencyKey`, ' +
          '`method`, `headers`, `body`, `signal`, `cache`, `credentials`, `integrity`, `keepalive`, `mode`, `priority`, `redirect`, `referrer`, ' +
          '`referrerPolicy`, `duplex`, `window`, `next`, `cf`, `verbose`, `proxy`, `unix`, `tls`, `decompress`, `client`.',
      ),
    );
    expect(error?.message).not.toContain('1000');
    expect(error?.message).not.toContain('4242');
    await expect(client.get('x', { heders: { accept: 'text/plain' } } as never)).rejects.toThrow(
      new TypeError('Unknown option `heders` of a request (fetch would ignore it; data to send goes in `json`); did you mean `headers`?'),
    );
    await expect(client.fetch('x', { idempotencyKeys: true } as never)).rejects.toThrow('did you mean `idempotencyKey`?');
    await expect(client.put('x', { payload: { a: 1 } } as never)).rejects.toThrow('did you mean `json`?');
    expect(server.requests).toHaveLength(0);
    // Every key of the standard RequestInit still goes through.
    await client.fetch('ok', { cache: 'no-store', credentials: 'omit', keepalive: false, mode: 'cors', priority: 'auto', redirect: 'follow', referrerPolicy: 'no-referrer', window: null } as never);
    expect(server.requests).toHaveLength(1);
  });

  test("the keys a platform's own fetch reads (Next.js's next, Cloudflare's cf) are passed on as given", async () => {
    const seen: RequestInit[] = [];
    const client = httpClient({
      baseUrl: 'https://api.example.com',
      fetch: async (_input, init) => {
        seen.push(init ?? {});
        return new Response('{}');
      },
    });
    await client.get('x', { next: { revalidate: 60 } } as never);
    await client.get('x', { cf: { cacheTtl: 5 } } as never);
    expect(seen.map((init) => (init as { next?: unknown }).next)).toEqual([{ revalidate: 60 }, undefined]);
    expect((seen[1] as { cf?: unknown }).cf).toEqual({ cacheTtl: 5 });
  });

  test("on Bun, Bun's verbose, proxy, unix, tls and decompress are passed on to fetch as given; on Deno, Deno's client", async () => {
    const seen: Record<string, unknown>[] = [];
    const client = httpClient({
      baseUrl: 'https://api.example.com',
      fetch: async (_input, init) => {
        seen.push({ ...init });
        return new Response('{}');
      },
    });
    const tls = { rejectUnauthorized: false, serverName: 'api.internal' };
    const bunOptions = { verbose: true, proxy: 'http://proxy.internal:8080', unix: '/var/run/docker.sock', tls, decompress: false };
    const denoClient = { close() {} };
    vi.stubGlobal('Bun', { version: '1.3.0' });
    try {
      await client.get('x', bunOptions as never);
    } finally {
      vi.unstubAllGlobals();
    }
    vi.stubGlobal('Deno', { version: { deno: '2.5.0' } });
    try {
      await client.fetch('x', { client: denoClient } as never);
    } finally {
      vi.unstubAllGlobals();
    }
    expect(seen).toHaveLength(2);
    for (const [key, value] of Object.entries(bunOptions)) expect(seen[0]?.[key]).toBe(value);
    expect(seen[1]?.client).toBe(denoClient);
    expect(seen[1]?.unix).toBeUndefined();
  });

  test("on Node, a key only Bun's or Deno's fetch reads is refused, saying which runtime reads it and what to use", async () => {
    const calls: unknown[] = [];
    const client = httpClient({ baseUrl: 'https://api.example.com', fetch: async (...args) => (calls.push(args), new Response('{}')) });
    await expect(client.get('x', { proxy: { host: 'proxy.internal', port: 8080 } } as never)).rejects.toThrow(
      new TypeError("Option `proxy` of a request is read only by Bun's fetch; on Node.js fetch would ignore it. Use a client `fetch` that goes through the proxy (on Node, undici's own `fetch` with a `ProxyAgent` dispatcher)."),
    );
    await expect(client.get('x', { decompress: false } as never)).rejects.toThrow("read only by Bun's fetch; on Node.js fetch would ignore it");
    await expect(client.fetch('x', { client: {} } as never)).rejects.toThrow("Option `client` of a request is read only by Deno's fetch; on Node.js");
    for (const key of ['verbose', 'unix', 'tls']) {
      await expect(client.get('x', { [key]: 1 } as never)).rejects.toThrow(`Option \`${key}\` of a request is read only by Bun's fetch`);
    }
    expect(calls).toHaveLength(0);
  });

  test('options are checked at construction, naming the field', () => {
    expect(() => httpClient({ baseUrl: 'not a url' })).toThrow('Expected `baseUrl` to be an absolute URL, got "not a url".');
    expect(() => httpClient({ baseUrl: 'https://api.example.com/?v=1' })).toThrow('Expected `baseUrl` to be a URL without query or fragment');
    expect(() => httpClient({ baseUrl: 'localhost:3000' })).toThrow(new TypeError('Expected `baseUrl` to be an http: or https: URL, got "localhost:3000".'));
    expect(() => httpClient({ baseUrl: 'ftp://files.example.com/' })).toThrow('Expected `baseUrl` to be an http: or https: URL');
    expect(() => httpClient({ policy: {} as never })).toThrow('Expected `policy` to be a Policy (with execute) or a policy source (with policyFor)');
    expect(() => httpClient({ fetch: 'fetch' as never })).toThrow('Expected `fetch` to be a fetch function');
    expect(() => httpClient({ auth: {} as never })).toThrow('Expected `auth` to be a function returning the header value, or an object with get');
    expect(() => httpClient({ auth: { get: () => 'x', header: 'bad header' } })).toThrow('Expected `auth.header` to be a header name, got "bad header".');
    expect(() => httpClient({ limiter: {} as never })).toThrow('Expected `limiter` to be a rate limiter (an object with observe)');
    expect(() => httpClient({ idempotencyKeys: 'yes' as never })).toThrow('Expected `idempotencyKeys` to be a boolean, got "yes".');
    expect(() => httpClient({ name: '' })).toThrow('Expected `name` to be a non-empty string, got "".');
  });
});

describe('responses become signals', () => {
  const statuses: ReadonlyArray<readonly [number, boolean]> = [
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [422, false],
    [408, true],
    [429, true],
    [500, true],
    [501, false],
    [502, true],
    [503, true],
    [504, true],
    [505, false],
    [511, true],
  ];

  test.each(statuses)('%i is an HttpError, transient: %s', async (status, transient) => {
    server.reply(() => ({ status }));
    const error = await failure(httpClient({ baseUrl: server.url }).fetch('thing'));
    expect(isHttpError(error)).toBe(true);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ code: 'HTTP_ERROR', status, transient, method: 'GET', url: `${server.url}/thing`, attempt: 1 });
  });

  test('the message names method, URL and status; toJSON carries the facts', async () => {
    server.reply(() => ({ status: 503 }));
    const error = (await failure(httpClient({ baseUrl: server.url }).post('jobs', { json: {} }))) as HttpError;
    expect(error.message).toBe(`POST ${server.url}/jobs answered 503 Service Unavailable.`);
    expect(error.toJSON()).toEqual({
      name: 'HttpError',
      code: 'HTTP_ERROR',
      message: error.message,
      status: 503,
      statusText: 'Service Unavailable',
      method: 'POST',
      url: `${server.url}/jobs`,
      attempt: 1,
      transient: true,
    });
  });

  test('a problem+json body is the error’s problem, and its title is in the message', async () => {
    const problem = { type: 'https://example.com/out-of-credit', title: 'You do not have enough credit.', status: 403, balance: 30 };
    server.reply(() => ({ status: 403, body: JSON.stringify(problem), headers: { 'content-type': 'application/problem+json; charset=utf-8' } }));
    const error = (await failure(httpClient({ baseUrl: server.url }).get('account'))) as HttpError;
    expect(error.problem).toEqual(problem);
    expect(error.message).toBe(`GET ${server.url}/account answered 403 Forbidden: You do not have enough credit.`);
  });

  test('any other error body is read to free the connection, and dropped', async () => {
    server.reply(() => ({ status: 400, body: { error: 'bad', echoed: 'password=hunter2hunter2' } }));
    const error = (await failure(httpClient({ baseUrl: server.url }).get('x'))) as HttpError;
    expect(error.problem).toBeUndefined();
    expect(JSON.stringify(error)).not.toContain('hunter2');
  });
});

describe('Retry-After and the rate-limit fields', () => {
  const date = 'Sun, 06 Nov 1994 08:49:37 GMT';
  const retryAfterOf = async (headers: Record<string, string>, options: { sendDate?: boolean; now?: number } = {}) => {
    server.reply(() => ({ status: 429, headers, ...(options.sendDate === undefined ? {} : { sendDate: options.sendDate }) }));
    const clock = createFakeClock({ now: options.now ?? Date.now() });
    const error = (await failure(httpClient({ baseUrl: server.url, clock }).fetch('limited'))) as HttpError;
    return error.retryAfterMs;
  };

  test('delay-seconds', async () => {
    expect(await retryAfterOf({ 'retry-after': '120' })).toBe(120_000);
  });

  test.each([
    ['IMF-fixdate', 'Sun, 06 Nov 1994 08:50:07 GMT'],
    ['obsolete RFC 850', 'Sunday, 06-Nov-94 08:50:07 GMT'],
    ['asctime', 'Sun Nov  6 08:50:07 1994'],
  ])('an HTTP-date (%s) is measured against the response’s own Date, whatever the client clock says', async (_form, value) => {
    // The client's clock is 20 s ahead of the server's: measured against it, the wait would be 10 s.
    const ahead = Date.parse(date) + 20_000;
    expect(await retryAfterOf({ date, 'retry-after': value }, { now: ahead })).toBe(30_000);
  });

  test('without a Date header an HTTP-date is measured against the client clock', async () => {
    const now = Date.parse(date);
    expect(await retryAfterOf({ 'retry-after': 'Sun, 06 Nov 1994 08:50:07 GMT' }, { sendDate: false, now })).toBe(30_000);
  });

  test('an exhausted RateLimit or X-RateLimit quota says when to come back; malformed values are ignored', async () => {
    expect(await retryAfterOf({ 'ratelimit-policy': '"default";q=100;w=60', ratelimit: '"default";r=0;t=30' })).toBe(30_000);
    expect(await retryAfterOf({ 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '45' })).toBe(45_000);
    expect(await retryAfterOf({ 'retry-after': 'soon' })).toBeUndefined();
    expect(await retryAfterOf({})).toBeUndefined();
  });

  test('no attempt goes out before Retry-After has passed, even under a policy that retries at once', async () => {
    const clock = createFakeClock({ now: Date.now() });
    const sent: number[] = [];
    server.reply((r) => (r.index === 0 ? { status: 503, headers: { 'retry-after': '2' } } : { body: { ok: true } }));
    const client = httpClient({
      baseUrl: server.url,
      clock,
      policy: again(2),
      fetch: (input, init) => {
        sent.push(clock.monotonic());
        return fetch(input, init);
      },
    });
    const call = client.get('slow-down');
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(1)); // the second attempt waits on the clock, unsent
    await clock.tickAsync(1_999);
    expect(sent).toEqual([0]);
    await clock.tickAsync(1);
    expect(await call).toEqual({ ok: true });
    expect(sent).toEqual([0, 2_000]);
  });
});

describe('credentials never appear in errors', () => {
  test('query values that look like credentials, and the fragment, are redacted in errors and events', async () => {
    server.reply(() => ({ status: 500 }));
    const events: HttpResponseEvent[] = [];
    const client = httpClient({ baseUrl: server.url });
    client.onResponse((e) => events.push(e));
    const error = (await failure(client.fetch('rates?base=EUR&api_key=sk_live_abcdefgh&access_token=tok123#frag'))) as HttpError;
    const shown = `${server.url}/rates?base=EUR&api_key=[REDACTED]&access_token=[REDACTED]`;
    expect(error.url).toBe(shown);
    expect(error.message).toContain(shown);
    expect(events.map((e) => e.url)).toEqual([shown]);
    expect(server.requests[0]!.url).toBe('/rates?base=EUR&api_key=sk_live_abcdefgh&access_token=tok123'); // sent as given
  });

  test('redactParam names more parameters to hide', async () => {
    server.reply(() => ({ status: 404 }));
    const error = (await failure(httpClient({ baseUrl: server.url, redactParam: (name) => name === 'k' }).fetch('x?k=abc&key=hidden&q=visible'))) as HttpError;
    expect(error.url).toBe(`${server.url}/x?k=[REDACTED]&key=[REDACTED]&q=visible`);
  });

  test('a URL with a user name or password is refused, and the error does not show them', async () => {
    // bulwark-allow-secret: a fake password, to show it is refused unseen
    const refused = (await failure(httpClient().fetch(`http://ada:s3cr3t-pw@127.0.0.1:${server.port}/x`))) as Error;
    expect(refused.message).toBe(`Expected \`input\` to be a URL without user name or password (pass credentials through \`auth\`), got "http://127.0.0.1:${server.port}/x".`);
    // bulwark-allow-secret: a fake password, to show it is refused unseen
    expect(() => httpClient({ baseUrl: 'https://ada:s3cr3t-pw@api.example.com' })).toThrow(/^(?!.*s3cr3t).*Expected `baseUrl` to be a URL without user name or password/);
    expect(server.requests).toHaveLength(0);
  });

  test('the auth header’s value is in no error, even when the server echoes it into its problem details', async () => {
    const token = 'Bearer tok_live_0123456789abcdef'; // bulwark-allow-secret: a fake token, to show it stays out of errors
    server.reply((r) => ({
      status: 403,
      headers: { 'content-type': 'application/problem+json' },
      body: JSON.stringify({ title: 'Forbidden', detail: `key ${String(r.headers.authorization).slice(7)} lacks scope`, sent: [r.headers.authorization] }),
    }));
    const error = (await failure(httpClient({ baseUrl: server.url, auth: () => token }).get('admin'))) as HttpError;
    expect(server.requests[0]!.headers.authorization).toBe(token);
    expect(error.problem).toEqual({ title: 'Forbidden', detail: 'key [REDACTED] lacks scope', sent: ['[REDACTED]'] });
    const everything = `${error.message} ${JSON.stringify(error)} ${error.stack}`;
    expect(everything).not.toContain('tok_live');
  });

  test('a header value with a line break is refused, naming the header and not showing the value', async () => {
    const client = httpClient({ baseUrl: server.url });
    const error = (await failure(client.get('x', { headers: { 'x-api-key': 'k-0123456789\n' } }))) as Error;
    expect(error.message).toBe(
      'Expected `headers.x-api-key` to be a header value (a string without line breaks, NUL or characters above U+00FF), got a string that contains a line break (its value is not shown).',
    );
    expect(() => httpClient({ headers: [['authorization', 'Bearer k-0123456789\r\n']] })).toThrow(/^(?!.*k-0123456789).*`headers\.authorization`/);
    expect(server.requests).toHaveLength(0);
  });

  const NAME_RULE = "Expected `headers` to have header names made of letters, digits and !#$%&'*+-.^_`|~, got";
  const VALUE_RULE = 'Expected `headers.x-api-key` to be a header value (a string without line breaks, NUL or characters above U+00FF), got';
  test.each([
    ['a name with a space', { 'bad header': 'v' }, `${NAME_RULE} a name that contains a space after "bad" (the rest is not shown).`],
    // bulwark-allow-secret: a fake key, given as a name by mistake, to show it stays out of the message
    ['a name and value the wrong way round', { 'Bearer k-0123456789': 'authorization' }, `${NAME_RULE} a name that contains a space after "Bearer" (the rest is not shown).`],
    ['a name with a colon', [['x-api-key:', 'v']], `${NAME_RULE} a name that contains a colon (the name goes without it) after "x-api-key" (the rest is not shown).`],
    ['an empty name', { '': 'v' }, `${NAME_RULE} "", which is empty.`],
    ['a name outside ASCII', new Map([['x-schlüssel', 'v']]), `${NAME_RULE} a name that contains a character outside ASCII after "x-schl" (the rest is not shown).`],
    ['a name that starts wrong', { '\nx-api-key': 'v' }, `${NAME_RULE} a name that contains a line break at its start (the rest is not shown).`],
    ['a value with NUL', { 'x-api-key': 'k-0123456789\0' }, `${VALUE_RULE} a string that contains a NUL character (its value is not shown).`],
    // bulwark-allow-secret: a fake key, to show it is refused unseen
    ['a value above U+00FF', { 'x-api-key': 'k-0123456789\u2013' }, `${VALUE_RULE} a string that contains a character above U+00FF (its value is not shown).`],
    ['a value that is not a string', { 'x-api-key': 123456789 }, `${VALUE_RULE} a number (its value is not shown).`],
    ['a pair that is a line', ['x-api-key: k-0123456789'], 'Expected `headers[0]` to be a [name, value] pair, got a string (its value is not shown).'],
    ['a string', 'x-api-key: k-0123456789', 'Expected `headers` to be a record, an array of [name, value] pairs or Headers, got a string (its value is not shown).'],
  ])('bad headers, %s: the client and a request name the header and what is wrong, never the value', async (_case, headers, message) => {
    expect(() => httpClient({ headers: headers as never })).toThrow(new TypeError(message));
    const client = httpClient({ baseUrl: server.url });
    expect(await failure(client.get('x', { headers: headers as never }))).toEqual(new TypeError(message));
    expect(message).not.toContain('k-0123456789');
    expect(server.requests).toHaveLength(0);
  });

  test('a credential with a line break is refused without showing it', async () => {
    const error = (await failure(httpClient({ baseUrl: server.url, auth: () => 'Bearer abc\r\nx-evil: 1' }).get('x'))) as Error;
    expect(error.message).toBe(
      'Expected `auth` to give a header value (a string without line breaks, NUL or characters above U+00FF), got a string that contains a line break (its value is not shown).',
    );
    expect(server.requests).toHaveLength(0);
  });

  test('a credential with a character above U+00FF is refused without showing it', async () => {
    // bulwark-allow-secret: a fake token, to show it is refused unseen
    const error = (await failure(httpClient({ baseUrl: server.url, auth: () => 'Bearer tok\u2013abcdef123456' }).get('x'))) as Error;
    expect(error).toEqual(
      new TypeError(
        'Expected `auth` to give a header value (a string without line breaks, NUL or characters above U+00FF), got a string that contains a character above U+00FF (its value is not shown).',
      ),
    );
    expect(server.requests).toHaveLength(0);
  });

  const KEY_RULE =
    'Expected `idempotencyKey` to be a boolean or a header value (a non-empty string without line breaks, NUL or characters above U+00FF), got';
  test.each([
    ['a character above U+00FF', 'order-4242\u20ac', `${KEY_RULE} a string that contains a character above U+00FF (its value is not shown).`],
    ['a line break', 'order-4242\r\nx-evil: 1', `${KEY_RULE} a string that contains a line break (its value is not shown).`],
    ['a NUL', 'order-4242\0', `${KEY_RULE} a string that contains a NUL character (its value is not shown).`],
    ['nothing', '', `${KEY_RULE} an empty string (its value is not shown).`],
  ])('an idempotencyKey with %s is refused, naming the option and never the value', async (_case, idempotencyKey, message) => {
    const client = httpClient({ baseUrl: server.url });
    expect(await failure(client.post('charges', { json: 1, idempotencyKey }))).toEqual(new TypeError(message));
    expect(message).not.toContain('order-4242');
    expect(server.requests).toHaveLength(0);
  });
});

describe('network failures', () => {
  test('a refused connection is a transient NetworkError that was never sent', async () => {
    const port = await freePort();
    const error = await failure(httpClient().get(`http://127.0.0.1:${port}/x?token=abcdef`));
    expect(isNetworkError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', errorCode: 'ECONNREFUSED', requestSent: false, transient: true, method: 'GET' });
    expect((error as Error).message).toBe(`GET http://127.0.0.1:${port}/x?token=[REDACTED] got no response (ECONNREFUSED).`);
    expect((error as Error).cause).toBeInstanceOf(TypeError); // fetch's own error, kept
  });

  test('a connection reset after the request went out may have reached the server', async () => {
    server.reply(() => ({ destroy: true }));
    const error = await failure(httpClient({ baseUrl: server.url }).post('pay', { json: { cents: 100 } }));
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', requestSent: true, transient: true });
  });

  test('an abort rejects with the signal’s reason, not a NetworkError', async () => {
    const stall = deferred<{ status: number }>();
    server.reply(() => stall.promise);
    const controller = new AbortController();
    const call = httpClient({ baseUrl: server.url }).get('slow', { signal: controller.signal });
    const reason = new Error('user left');
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    controller.abort(reason);
    expect(await failure(call)).toBe(reason);
    stall.resolve({ status: 200 });
  });

  test('an attempt timeout rejects with TimeoutError and aborts the request', async () => {
    const clock = createFakeClock();
    const stall = deferred<{ status: number }>();
    server.reply(() => stall.promise);
    const call = failure(httpClient({ baseUrl: server.url, policy: timeout(1_000, { clock }) }).get('slow'));
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    await clock.tickAsync(1_000);
    expect(isTimeoutError(await call)).toBe(true);
    stall.resolve({ status: 200 });
  });
});

describe('attempts', () => {
  test('each attempt is a fresh request with the same body and Idempotency-Key', async () => {
    server.reply((r) => (r.index < 2 ? { status: 503 } : { body: { ok: true } }));
    const bytes = new TextEncoder().encode('{"amount":100}');
    const client = httpClient({ baseUrl: server.url, policy: again(3) });
    const call = client.post('charges', { body: bytes, headers: { 'content-type': 'application/json' }, idempotencyKey: true });
    bytes[2] = 0x41; // the caller changes its buffer: the attempts still send what was given
    expect(await call).toEqual({ ok: true });
    const [first, ...rest] = server.requests;
    expect(first!.body).toBe('{"amount":100}');
    expect(first!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    for (const r of rest) expect([r.body, r.headers['idempotency-key']]).toEqual([first!.body, first!.headers['idempotency-key']]);
    expect(server.requests).toHaveLength(3);
  });

  test('a POST without Idempotency-Key is not sent again once it reached the server', async () => {
    server.reply(() => ({ status: 503 }));
    const error = await failure(httpClient({ baseUrl: server.url, policy: again(3) }).post('charges', { json: { amount: 100 } }));
    expect(isRequestNotReplayableError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'not-idempotent', transient: false });
    expect((error as Error).message).toBe(
      `POST ${server.url}/charges was not sent again: POST is not idempotent and the request carries no Idempotency-Key; set \`idempotencyKey\` to make it retryable.`,
    );
    expect((error as Error).cause).toMatchObject({ code: 'HTTP_ERROR', status: 503 });
    expect(server.requests).toHaveLength(1);
  });

  test('idempotencyKeys gives every POST and PATCH a key of its own, and none to GET or PUT', async () => {
    const client = httpClient({ baseUrl: server.url, idempotencyKeys: true });
    await client.post('a', { json: 1 });
    await client.post('a', { json: 1 });
    await client.patch('a', { json: 1 });
    await client.put('a', { json: 1 });
    await client.get('a');
    await client.post('a', { json: 1, idempotencyKey: false });
    await client.post('a', { json: 1, idempotencyKey: 'order-42' });
    const keys = server.requests.map((r) => r.headers['idempotency-key']);
    expect(new Set(keys.slice(0, 3)).size).toBe(3);
    expect(keys.slice(3)).toEqual([undefined, undefined, undefined, 'order-42']);
  });

  test('a stream body is sent once: asked to retry it, the client says why', async () => {
    server.reply(() => ({ status: 503 }));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('line 1\n'));
        controller.close();
      },
    });
    const error = await failure(httpClient({ baseUrl: server.url, policy: again(3) }).fetch('upload', { method: 'PUT', body }));
    expect(error).toMatchObject({ code: 'REQUEST_NOT_REPLAYABLE', reason: 'stream-body' });
    expect((error as Error).message).toBe(
      `PUT ${server.url}/upload was not sent again: its body is a stream, already read by the attempt before; pass a string, bytes, FormData or \`json\` to make it retryable.`,
    );
    expect(server.requests.map((r) => r.body)).toEqual(['line 1\n']);
  });

  test('a POST that never left (refused connection) may go again without a key', async () => {
    const port = await freePort();
    let calls = 0;
    const client = httpClient({
      policy: again(2),
      fetch: (input, init) => (++calls === 1 ? fetch(`http://127.0.0.1:${port}/`, init) : fetch(input, init)),
    });
    expect(await client.post(`${server.url}/charges`, { json: { amount: 1 } })).toEqual({ ok: true });
    expect(server.requests).toHaveLength(1);
  });

  test('onResponse reports every attempt', async () => {
    server.reply((r) => (r.index === 0 ? { status: 502 } : { body: {} }));
    const client = httpClient({ baseUrl: server.url, policy: again(2), name: 'rates' });
    const events: HttpResponseEvent[] = [];
    client.onResponse((e) => events.push(e));
    await client.get('r');
    expect(events.map(({ name, method, status, attempt }) => ({ name, method, status, attempt }))).toEqual([
      { name: 'rates', method: 'GET', status: 502, attempt: 1 },
      { name: 'rates', method: 'GET', status: 200, attempt: 2 },
    ]);
    expect(events.every((e) => e.durationMs >= 0)).toBe(true);
  });
});

describe('auth', () => {
  /** Answers 200 to `Bearer <good>` and 401 to anything else. */
  const accept = (good: string) => server.reply((r) => (r.headers.authorization === `Bearer ${good}` ? { body: { ok: true } } : { status: 401 }));

  test('the function form is asked for every attempt, so a rotated key is used at once', async () => {
    let key = 'key-1';
    const client = httpClient({ baseUrl: server.url, auth: () => `Bearer ${key}` });
    accept('key-1');
    await client.get('a');
    key = 'key-2';
    accept('key-2');
    await client.get('a');
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer key-1', 'Bearer key-2']);
  });

  test('a 401 asks refresh once and sends the request once more with what it gives, POST included', async () => {
    accept('new-key');
    const refused: string[] = [];
    const auth: HttpAuthSource<string> = {
      get: () => 'Bearer old-key',
      refresh: (credential) => {
        refused.push(credential);
        return 'Bearer new-key';
      },
    };
    const client = httpClient({ baseUrl: server.url, auth });
    const events: HttpAuthRefreshEvent[] = [];
    client.onAuthRefresh((e) => events.push(e));
    expect(await client.post('orders', { json: { n: 1 } })).toEqual({ ok: true });
    expect(refused).toEqual(['Bearer old-key']);
    expect(server.requests.map((r) => [r.headers.authorization, r.body])).toEqual([
      ['Bearer old-key', '{"n":1}'],
      ['Bearer new-key', '{"n":1}'],
    ]);
    expect(events).toEqual([{ name: 'httpClient', method: 'POST', url: `${server.url}/orders`, refreshed: true }]);
  });

  test('refused again, or with nothing new to try, the 401 reaches the caller; refresh is asked once', async () => {
    accept('never');
    let refreshes = 0;
    const client = httpClient({
      baseUrl: server.url,
      policy: again(3),
      auth: { get: () => 'Bearer a-key', refresh: () => (++refreshes === 1 ? 'Bearer b-key' : undefined) },
    });
    const error = await failure(client.get('x'));
    expect(error).toMatchObject({ code: 'HTTP_ERROR', status: 401, transient: false });
    expect(refreshes).toBe(1); // once per request, not per attempt
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer a-key', 'Bearer b-key', 'Bearer a-key', 'Bearer a-key']);
    server.reset();
    accept('never');
    const none = httpClient({ baseUrl: server.url, auth: { get: () => 'Bearer a-key', refresh: () => undefined } });
    expect(await failure(none.get('x'))).toMatchObject({ status: 401 });
    expect(server.requests).toHaveLength(1);
  });

  test('a credential given as a secret is revealed only into the header, under the header named', async () => {
    const secret = { reveal: () => 'k-123456', toString: () => '[REDACTED]' };
    server.reply((r) => ({ body: { key: r.headers['x-api-key'] } }));
    const client = httpClient({ baseUrl: server.url, auth: { header: 'x-api-key', get: () => secret } });
    expect(await client.get('x')).toEqual({ key: 'k-123456' });
  });

  test('a stream body is not sent again after a 401', async () => {
    accept('new-key');
    const body = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new Uint8Array([1])), c.close()) });
    const refresh = vi.fn(() => 'Bearer new-key');
    const client = httpClient({ baseUrl: server.url, auth: { get: () => 'Bearer old', refresh } });
    expect(await failure(client.fetch('upload', { method: 'PUT', body }))).toMatchObject({ status: 401 });
    expect(refresh).not.toHaveBeenCalled();
  });
});

describe('limiter', () => {
  test('every attempt takes its turn from the limiter and every response is told to it, keyed by host', async () => {
    server.reply((r) => (r.index === 0 ? { status: 429, headers: { 'retry-after': '0' } } : { body: {} }));
    const calls: string[] = [];
    const limiter = {
      acquire: async (key: string) => void calls.push(`acquire ${key}`),
      observe: async (key: string, response: Response) => void calls.push(`observe ${key} ${response.status}`),
    };
    await httpClient({ baseUrl: server.url, limiter, policy: again(2) }).get('x');
    const host = new URL(server.url).host;
    expect(calls).toEqual([`acquire ${host}`, `observe ${host} 429`, `acquire ${host}`, `observe ${host} 200`]);
  });

  test('a limiter refusal is the attempt’s failure, and nothing is sent', async () => {
    const refusal = Object.assign(new Error('rate limited'), { code: 'RATE_LIMITED' });
    const limiter = { acquire: () => Promise.reject(refusal), observe: () => undefined };
    const client = httpClient({ baseUrl: server.url, limiter, limiterKey: (url) => url.pathname });
    expect(await failure(client.get('x'))).toBe(refusal);
    expect(server.requests).toHaveLength(0);
  });
});

describe('bodies the caller did not ask for never hold a call', () => {
  /** A real server that sends the status line, the headers and `start` of the body, then stalls. */
  async function stallingServer(status: number, headers: Record<string, string>, start: string) {
    const stalled: ServerResponse[] = [];
    const closed: boolean[] = [];
    const http = createServer((req, res) => {
      const index = stalled.push(res) - 1;
      closed[index] = false;
      res.once('close', () => (closed[index] = true));
      res.writeHead(status, headers);
      res.write(start);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    return {
      url,
      closed,
      [Symbol.asyncDispose]: () =>
        new Promise<void>((resolve) => {
          http.closeAllConnections();
          http.close(() => resolve());
        }),
    };
  }

  test('an error body that stalls is read for 1 s of the client’s clock, then cancelled: the HttpError comes without it', async () => {
    await using stall = await stallingServer(503, { 'content-type': 'text/plain' }, 'Service Unava');
    const clock = createFakeClock();
    const call = failure(httpClient({ baseUrl: stall.url, clock }).fetch('x'));
    let settled = false;
    void call.then(() => (settled = true));
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(1)); // the body's deadline
    await clock.tickAsync(999);
    expect(settled).toBe(false);
    await clock.tickAsync(1);
    expect(await call).toMatchObject({ code: 'HTTP_ERROR', status: 503, transient: true });
    await vi.waitFor(() => expect(stall.closed).toEqual([true])); // the rest of the body was cancelled
  });

  test('problem details that stall mid-way are left out, and the error still comes', async () => {
    await using stall = await stallingServer(429, { 'content-type': 'application/problem+json', 'retry-after': '7' }, '{"title":"Slow');
    const clock = createFakeClock();
    const call = failure(httpClient({ baseUrl: stall.url, clock }).get('x'));
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(1));
    await clock.tickAsync(1_000);
    const error = (await call) as HttpError;
    expect(error).toMatchObject({ status: 429, retryAfterMs: 7_000 });
    expect(error.problem).toBeUndefined();
  });

  test('an abort while an error body stalls rejects with the signal’s reason at once', async () => {
    await using stall = await stallingServer(500, { 'content-type': 'application/problem+json' }, '{');
    const controller = new AbortController();
    const call = failure(httpClient({ baseUrl: stall.url }).fetch('x', { signal: controller.signal }));
    await vi.waitFor(() => expect(stall.closed).toEqual([false]));
    const reason = new Error('caller gave up');
    controller.abort(reason);
    expect(await call).toBe(reason);
  });

  test('an error body over 64 KiB is cancelled at once, without waiting for its end', async () => {
    await using stall = await stallingServer(502, {}, 'x'.repeat(64 * 1024 + 1));
    const clock = createFakeClock();
    expect(await failure(httpClient({ baseUrl: stall.url, clock }).fetch('x'))).toMatchObject({ status: 502 });
    await vi.waitFor(() => expect(stall.closed).toEqual([true]));
  });

  /** A `fetch` whose responses have a body that never ends and whose cancel never settles either. */
  const stuckFetch = (statuses: number[]) => {
    let call = 0;
    return async () => {
      const body = new ReadableStream<Uint8Array>({ cancel: () => new Promise<void>(() => {}) });
      return new Response(body, { status: statuses[call++] ?? 200 });
    };
  };

  test('the body of a 401 that a refreshed credential replaces is let go without waiting on it', async () => {
    const client = httpClient({ fetch: stuckFetch([401, 200]), auth: { get: () => 'Bearer old-key', refresh: () => 'Bearer new-key' } });
    expect(await client.json('http://127.0.0.1/x', { method: 'HEAD' })).toBeUndefined();
  });

  test('the body of a HEAD is let go without waiting on it', async () => {
    expect(await httpClient({ fetch: stuckFetch([200]) }).json('http://127.0.0.1/x', { method: 'HEAD' })).toBeUndefined();
  });

  test('an error body whose cancel never settles does not hold the error', async () => {
    const clock = createFakeClock();
    const call = failure(httpClient({ fetch: stuckFetch([500]), clock }).fetch('http://127.0.0.1/x'));
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(1));
    await clock.tickAsync(1_000);
    expect(await call).toMatchObject({ status: 500 });
  });
});
