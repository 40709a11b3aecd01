// End to end: the gateway as a process on a loopback port, driven over HTTP.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GatewayProcess } from './support/gateway-process.js';
import { KEYS, post, startFixture, type Fixture } from './support/fixture.js';
import { promtool, promtoolMissing } from './support/promtool.js';
import type { SimulatorProcess } from './support/simulator-process.js';

let fixture: Fixture<SimulatorProcess>;
let gateway: GatewayProcess;
let url: string;

beforeAll(async () => {
  fixture = await startFixture({ simulator: ['--profile', 'calm'] });
  gateway = await fixture.gateway({ CALLER_RATE_PER_SECOND: '1', CALLER_BURST: '60' });
  url = gateway.url;
});
afterAll(async () => {
  await fixture?.close();
});

const validate = (body: unknown, key?: string | null, headers?: Record<string, string>) => post(`${url}/v1/validate/email`, body, key, headers);

describe('POST /v1/validate/email', () => {
  test('answers from the upstream, then from the cache, saying where from and how old', async () => {
    const first = await validate({ email: 'ada@lovelace.dev' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ email: 'ada@lovelace.dev', valid: true, reason: 'accepted', disposable: false, domain: 'lovelace.dev', source: 'upstream', ageMs: 0 });
    const second = await validate({ email: 'ada@lovelace.dev' });
    expect(second.body).toMatchObject({ source: 'cache', valid: true });
    expect(second.body!.ageMs).toBeGreaterThanOrEqual(0);
    expect(first.headers.get('server-timing')).toMatch(/^auth;dur=[\d.]+, limiter;dur=[\d.]+, cache;dur=[\d.]+, upstream-wait;dur=[\d.]+, upstream;dur=[\d.]+, total;dur=[\d.]+$/);
    expect(first.headers.get('x-request-id')).toMatch(/^[\w-]+$/);
    expect(first.headers.get('ratelimit-policy')).toBe('"caller";q=1;w=1');
    expect(first.headers.get('ratelimit')).toMatch(/^"caller";r=\d+;t=\d+$/);
  });
});

describe('POST /v1/validate/emails', () => {
  test('answers a batch in order', async () => {
    const response = await post(`${url}/v1/validate/emails`, { emails: ['a@lovelace.dev', 'b@yopmail.com', 'not-an-address'] });
    expect(response.status).toBe(200);
    expect(response.body!.results.map((r: { email: string; reason: string }) => [r.email, r.reason])).toEqual([
      ['a@lovelace.dev', 'accepted'],
      ['b@yopmail.com', 'disposable'],
      ['not-an-address', 'syntax'],
    ]);
    expect(response.headers.get('server-timing')).toContain('total;dur=');
  });
});

describe('bad requests: problem+json with a stable type and the request id, nothing echoed', () => {
  const SECRET = 'sk_live_51HbadRequestEcho0123456789'; // bulwark-allow-secret: made-up value that must never be echoed
  test.each([
    { name: 'malformed JSON', path: '/v1/validate/email', body: `{"email": "${SECRET}"`, contentType: 'application/json', status: 400, type: 'invalid-json' },
    { name: 'missing field', path: '/v1/validate/email', body: {}, contentType: 'application/json', status: 400, type: 'invalid-request' },
    { name: 'wrong-typed field', path: '/v1/validate/email', body: { email: 42 }, contentType: 'application/json', status: 400, type: 'invalid-request' },
    { name: 'unknown field', path: '/v1/validate/email', body: { email: 'a@b.dev', [SECRET]: SECRET }, contentType: 'application/json', status: 400, type: 'invalid-request' },
    { name: 'not an object', path: '/v1/validate/email', body: [SECRET], contentType: 'application/json', status: 400, type: 'invalid-request' },
    { name: 'batch too large', path: '/v1/validate/emails', body: { emails: Array.from({ length: 101 }, () => 'a@b.dev') }, contentType: 'application/json', status: 400, type: 'batch-too-large' },
    { name: 'empty batch', path: '/v1/validate/emails', body: { emails: [] }, contentType: 'application/json', status: 400, type: 'invalid-request' },
    { name: 'body over the limit', path: '/v1/validate/email', body: { email: SECRET.repeat(3_000) }, contentType: 'application/json', status: 413, type: 'body-too-large' },
    { name: 'wrong media type', path: '/v1/validate/email', body: `email=${SECRET}`, contentType: 'application/x-www-form-urlencoded', status: 415, type: 'unsupported-media-type' },
    { name: 'text body', path: '/v1/validate/email', body: SECRET, contentType: 'text/plain', status: 415, type: 'unsupported-media-type' },
  ])('$name → $status $type', async ({ path, body, contentType, status, type }) => {
    const response = await post(`${url}${path}`, body, KEYS.validate, { 'content-type': contentType });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: `/problems/${type}`, status, requestId: response.headers.get('x-request-id') });
    expect(typeof response.body!.title).toBe('string');
    expect(response.text).not.toContain(SECRET);
    expect(gateway.lines.join('\n')).not.toContain(SECRET);
  });

  test('an invalid field is named by JSON pointer with what was expected', async () => {
    const response = await validate({ email: 42 });
    expect(response.body!.errors).toEqual([{ pointer: '/email', expected: 'a string of 1 to 1024 characters' }]);
  });

  test('the problem type is described at its own URI', async () => {
    const response = await fetch(`${url}/problems/batch-too-large`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Too many addresses in one batch');
  });
});

describe('callers', () => {
  test('no key or an unknown key → 401 with WWW-Authenticate', async () => {
    for (const key of [null, 'not-a-key-of-anyone-0123456789']) {
      const response = await validate({ email: 'a@b.dev' }, key);
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ type: '/problems/unauthenticated' });
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="validation-gateway"');
    }
  });

  test('a key without the admin scope → 403 on the admin route', async () => {
    const response = await post(`${url}/v1/admin/cache/invalidate`, { all: true }, KEYS.validate);
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ type: '/problems/forbidden' });
  });

  test('a key over its rate limit → 429 with Retry-After and RateLimit fields', async () => {
    let refused: Awaited<ReturnType<typeof validate>> | undefined;
    for (let i = 0; i < 80 && refused === undefined; i++) {
      const response = await validate({ email: 'rate@lovelace.dev' }, KEYS.limited);
      if (response.status === 429) refused = response;
      else expect(response.status).toBe(200);
    }
    expect(refused).toBeDefined();
    expect(refused!.body).toMatchObject({ type: '/problems/rate-limited', status: 429 });
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused!.headers.get('ratelimit')).toMatch(/^"caller";r=0;t=\d+$/);
    expect(refused!.headers.get('ratelimit-policy')).toBe('"caller";q=1;w=1');
  });
});

describe('admin: cache invalidation', () => {
  test('by key, by tag and all: the next answer comes from the upstream again', async () => {
    const email = 'cached@invalidate.dev';
    await validate({ email });
    expect((await validate({ email })).body).toMatchObject({ source: 'cache' });
    for (const target of [{ key: email }, { tag: 'domain:invalidate.dev' }, { all: true }]) {
      const response = await post(`${url}/v1/admin/cache/invalidate`, target, KEYS.admin);
      expect(response.status).toBe(204);
      expect((await validate({ email })).body).toMatchObject({ source: 'upstream' });
    }
  });

  test('a body naming nothing, or two things → 400', async () => {
    for (const body of [{}, { key: 'a@b.dev', all: true }, { all: false }, { tag: 'user:1' }]) {
      const response = await post(`${url}/v1/admin/cache/invalidate`, body, KEYS.admin);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ type: '/problems/invalid-request' });
    }
  });
});

describe('routes that are not there', () => {
  test('an unknown route → 404, a wrong method → 405 with Allow', async () => {
    const missing = await fetch(`${url}/v2/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ type: '/problems/not-found' });
    const wrong = await fetch(`${url}/v1/validate/email`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(await wrong.json()).toMatchObject({ type: '/problems/method-not-allowed' });
    // The operations routes too: a POST to a probe is a wrong method, not a missing route.
    for (const path of ['/health/live', '/health/ready', '/metrics', '/problems/not-found']) {
      const posted = await fetch(`${url}${path}`, { method: 'POST' });
      expect(posted.status, path).toBe(405);
      expect(posted.headers.get('allow'), path).toBe('GET, HEAD');
      expect(await posted.json()).toMatchObject({ type: '/problems/method-not-allowed' });
    }
  });
});

describe('operations', () => {
  test('/health/live and /health/ready answer application/health+json', async () => {
    for (const path of ['/health/live', '/health/ready']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/health\+json/);
      expect(await response.json()).toMatchObject({ status: 'pass', serviceId: 'validation-gateway' });
    }
    const ready = (await (await fetch(`${url}/health/ready`)).json()) as { checks: Record<string, unknown> };
    expect(Object.keys(ready.checks)).toContain('upstream:circuit');
  });

  test('/metrics counts answers by source and upstream responses by status', async () => {
    const response = await fetch(`${url}/metrics`);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    expect(text).toMatch(/^gateway_answers_total\{source="upstream"\} \d+$/m);
    expect(text).toMatch(/^gateway_upstream_responses_total\{status="200"\} \d+$/m);
    expect(text).toContain('gateway_http_request_duration_seconds_bucket');
    expect(text).toContain('bulwark_breaker_state');
    expect(text).toMatch(/^target_info\{service_name="validation-gateway"\} 1$/m);
  });

  test.skipIf(promtoolMissing !== undefined)(`/metrics passes promtool check metrics${promtoolMissing ? ` (skipped: ${promtoolMissing})` : ''}`, async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const check = promtool(['check', 'metrics'], text);
    expect(check.output).toBe('');
    expect(check.status).toBe(0);
  });

  test('every line written for a request carries its request id and traceparent', () => {
    const requestLines = gateway.logs().filter((l) => l.requestId !== undefined);
    expect(requestLines.length).toBeGreaterThan(20);
    for (const line of requestLines) expect(String(line.traceparent)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/);
    const others = gateway.logs().filter((l) => l.requestId === undefined).map((l) => l.message);
    expect(new Set(others)).toEqual(new Set(['listening']));
  });
});
