// The upstream failing, hanging or gone: every request is still answered (stale or offline), in
// time; and the request's trace reaches the upstream.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KEYS, post, startFixture, type Fixture } from './support/fixture.js';
import type { SimulatorProcess } from './support/simulator-process.js';
import type { UpstreamStandIn } from './support/upstream-stand-in.js';

const QUICK = { UPSTREAM_TOTAL_TIMEOUT_MS: '1500', UPSTREAM_ATTEMPT_TIMEOUT_MS: '500' };

describe('a simulator that fails every request', () => {
  let fixture: Fixture<SimulatorProcess>;
  beforeAll(async () => {
    fixture = await startFixture({ simulator: ['--profile', 'calm', '--error-rate', '1'] });
  });
  afterAll(async () => {
    await fixture?.close();
  });

  test('answers offline, from syntax, reserved names and nothing else known', async () => {
    const gateway = await fixture.gateway(QUICK);
    const url = `${gateway.url}/v1/validate/email`;
    expect((await post(url, { email: 'someone@lovelace.dev' })).body).toMatchObject({ source: 'offline', valid: true, reason: 'unverified' });
    expect((await post(url, { email: 'nobody@example.org' })).body).toMatchObject({ source: 'offline', valid: false, reason: 'no_mail_server' });
    expect((await post(url, { email: 'not an address' })).body).toMatchObject({ source: 'offline', valid: false, reason: 'syntax' });
    const stats = await fixture.upstream.stats();
    expect(stats.requests['5xx']).toBeGreaterThanOrEqual(3);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/^gateway_answers_total\{source="offline"\} 3$/m);
    expect(metrics).toMatch(/^gateway_upstream_responses_total\{status="5\d\d"\} \d+$/m);
    // Each failed call is one warning, the retry's give-up with its error, and an access line that
    // says how the request was answered; the cache's view of the same failure only at debug.
    const accessLines = () => gateway.logs().filter((l) => l.message === 'request' && l.route === '/v1/validate/email');
    await expect.poll(() => accessLines().length).toBe(3);
    expect(accessLines().map((l) => l.source)).toEqual(['offline', 'offline', 'offline']);
    const logs = gateway.logs();
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
    // The give-up names the last failure: the upstream's 5xx, or the limiter's hold after it.
    const giveUps = logs.filter((l) => l.event === 'giveUp');
    expect(giveUps.map((l) => l.level)).toEqual(['warn', 'warn', 'warn']);
    // The retries before a give-up are lines, but not warnings: the give-up is the one.
    expect(logs.filter((l) => l.level === 'warn' && l.event !== 'giveUp')).toEqual([]);
    expect(logs.filter((l) => l.event === 'retry').every((l) => l.level === 'info')).toBe(true);
    for (const l of giveUps) expect(['HttpError', 'RateLimitedError']).toContain((l.error as { name?: unknown }).name);
    expect(logs.filter((l) => l.event === 'loaderError' || l.event === 'rejected' || l.event === 'stale')).toEqual([]);
  });
});

describe('a simulator that never answers', () => {
  let fixture: Fixture<SimulatorProcess>;
  beforeAll(async () => {
    fixture = await startFixture({ simulator: ['--profile', 'calm', '--hang-rate', '1', '--hang-ms', 'forever'] });
  });
  afterAll(async () => {
    await fixture?.close();
  });

  test('answers offline once the total deadline has passed, never hangs', async () => {
    const gateway = await fixture.gateway(QUICK);
    const answers = await Promise.all(
      ['a@lovelace.dev', 'b@mailinator.com', 'c@gmail.com'].map((email) =>
        fetch(`${gateway.url}/v1/validate/email`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.validate}` },
          body: JSON.stringify({ email }),
          signal: AbortSignal.timeout(10_000),
        }).then((r) => r.json() as Promise<{ source: string }>),
      ),
    );
    expect(answers.map((a) => a.source)).toEqual(['offline', 'offline', 'offline']);
    expect((await fixture.upstream.stats()).requests.hang).toBeGreaterThanOrEqual(3);
  });
});

describe('an upstream that answers, then fails (a stand-in switched by the test)', () => {
  let fixture: Fixture<UpstreamStandIn>;
  beforeAll(async () => {
    fixture = await startFixture({ standIn: {} });
  });
  afterAll(async () => {
    await fixture?.close();
  });

  test('serves what it knew — stale verdicts, and domain facts offline — and carries the trace upstream', async () => {
    const gateway = await fixture.gateway({ ...QUICK, CACHE_TTL_MS: '300' });
    const url = `${gateway.url}/v1/validate/email`;
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const first = await post(url, { email: 'ada@yopmail.com' }, KEYS.validate, { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': 'trace-test-1' });
    expect(first.body).toMatchObject({ source: 'upstream', reason: 'disposable' });
    expect(first.headers.get('x-request-id')).toBe('trace-test-1');
    // The upstream got the caller's trace id with a span id of the gateway's own.
    expect(fixture.upstream.received.traceparents.some((t) => new RegExp(`^00-${traceId}-(?!00f067aa0ba902b7)[0-9a-f]{16}-01$`).test(t))).toBe(true);
    await gateway.waitForLog((l) => l.requestId === 'trace-test-1' && l.message === 'request');
    for (const line of gateway.logs().filter((l) => l.requestId === 'trace-test-1')) {
      expect(String(line.traceparent)).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    }

    // Past its TTL, and the upstream down: the verdict is served stale, with its age.
    await new Promise((resolve) => setTimeout(resolve, 400));
    fixture.upstream.mode = 'fail';
    const stale = await post(url, { email: 'ada@yopmail.com' });
    expect(stale.body).toMatchObject({ source: 'stale', reason: 'disposable' });
    expect(stale.body!.ageMs).toBeGreaterThanOrEqual(300);
    // Another address on the same domain: offline, from what the first answer taught.
    expect((await post(url, { email: 'bob@yopmail.com' })).body).toMatchObject({ source: 'offline', valid: false, reason: 'disposable' });
    fixture.upstream.mode = 'ok';
  });
});

describe('an upstream that is not there', () => {
  test('answers offline at once: a refused connection', async () => {
    const fixture = await startFixture({ standIn: {} });
    try {
      const gateway = await fixture.gateway({ ...QUICK, UPSTREAM_URL: 'http://127.0.0.1:9' });
      expect((await post(`${gateway.url}/v1/validate/email`, { email: 'a@lovelace.dev' })).body).toMatchObject({ source: 'offline' });
    } finally {
      await fixture.close();
    }
  });
});
