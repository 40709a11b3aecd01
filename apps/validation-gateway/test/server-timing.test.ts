// Server-Timing over real HTTP: the gateway as a process in front of apps/upstream-simulator.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GatewayProcess } from './support/gateway-process.js';
import { KEYS, post, startFixture, type Fixture } from './support/fixture.js';
import type { SimulatorProcess } from './support/simulator-process.js';

let fixture: Fixture<SimulatorProcess>;
let gateway: GatewayProcess;

beforeAll(async () => {
  fixture = await startFixture({ simulator: ['--profile', 'calm'] });
  // Five upstream calls per second (one at once, then one every 250 ms, within the limiter's longest
  // wait of half an attempt's timeout): a few addresses at once must wait their turn.
  gateway = await fixture.gateway({ UPSTREAM_RATE_PER_SECOND: '5', CALLER_RATE_PER_SECOND: '1000', CALLER_BURST: '1000' });
});
afterAll(async () => {
  await fixture?.close();
});

const PARTS = ['auth', 'limiter', 'cache', 'upstream-wait', 'upstream', 'total'];

/** The header's metrics by name, checking the W3C syntax (`name;dur=<ms>`, comma-separated) on the way. */
function timingsOf(header: string | null): Record<string, number> {
  expect(header).not.toBeNull();
  const entries = header!.split(/\s*,\s*/).map((entry) => {
    const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+);dur=(\d+(?:\.\d+)?)$/.exec(entry);
    expect(match, `a Server-Timing entry "${entry}"`).not.toBeNull();
    return [match![1]!, Number(match![2])] as const;
  });
  expect(entries.map(([name]) => name)).toEqual(PARTS);
  return Object.fromEntries(entries);
}

const sumOfParts = (t: Record<string, number>): number => t.auth! + t.limiter! + t.cache! + t['upstream-wait']! + t.upstream!;

describe('Server-Timing on every validation response', () => {
  test('a miss spends time upstream; the hit after it none, and every part fits in the total', async () => {
    const miss = await post(`${gateway.url}/v1/validate/email`, { email: 'grace@hopper.dev' });
    expect(miss.body).toMatchObject({ source: 'upstream' });
    const missed = timingsOf(miss.headers.get('server-timing'));
    expect(missed.upstream).toBeGreaterThan(0);
    // Each part is rounded to 0.01 ms on its own.
    expect(sumOfParts(missed)).toBeLessThanOrEqual(missed.total! + 0.05);

    const hit = await post(`${gateway.url}/v1/validate/email`, { email: 'grace@hopper.dev' });
    expect(hit.body).toMatchObject({ source: 'cache' });
    const hitTimings = timingsOf(hit.headers.get('server-timing'));
    expect(hitTimings.upstream).toBe(0);
    expect(hitTimings['upstream-wait']).toBe(0);
    expect(sumOfParts(hitTimings)).toBeLessThanOrEqual(hitTimings.total! + 0.05);
  });

  test('time spent waiting for the upstream\'s rate limit is reported as upstream-wait, apart from the call', async () => {
    const emails = ['a@wait.dev', 'b@wait.dev', 'c@wait.dev', 'd@wait.dev'];
    const answers = await Promise.all(emails.map((email) => post(`${gateway.url}/v1/validate/email`, { email })));
    const timings = answers.map((a) => timingsOf(a.headers.get('server-timing')));
    // Four at once against one call at a time: some waited for their turn and were then answered by the upstream.
    const waitedThenAsked = answers.filter((a, i) => a.body!.source === 'upstream' && timings[i]!['upstream-wait']! > 0 && timings[i]!.upstream! > 0);
    expect(waitedThenAsked.length).toBeGreaterThan(0);
    for (const t of timings) expect(sumOfParts(t)).toBeLessThanOrEqual(t.total! + 0.05);
  });

  test('refusals carry it too: an unknown key (401), bad input (400), and the batch route', async () => {
    const refused = await post(`${gateway.url}/v1/validate/email`, { email: 'a@b.dev' }, 'not-a-key-of-anyone-0123456789');
    expect(refused.status).toBe(401);
    expect(timingsOf(refused.headers.get('server-timing')).auth).toBeGreaterThanOrEqual(0);
    const invalid = await post(`${gateway.url}/v1/validate/email`, { email: 42 }, KEYS.validate);
    expect(invalid.status).toBe(400);
    timingsOf(invalid.headers.get('server-timing'));
    const batch = await post(`${gateway.url}/v1/validate/emails`, { emails: ['grace@hopper.dev'] });
    expect(batch.status).toBe(200);
    expect(timingsOf(batch.headers.get('server-timing')).cache).toBeGreaterThanOrEqual(0);
  });

  test('other routes do not carry it', async () => {
    const live = await fetch(`${gateway.url}/health/live`);
    expect(live.headers.get('server-timing')).toBeNull();
  });
});
