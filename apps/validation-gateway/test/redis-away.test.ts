// The gateway started with REDIS_URL where nothing listens: it waits for Redis no longer than its
// start deadline (the README's "On Redis"), says so in one warning, and serves, deciding locally.
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { post, startFixture, type Fixture } from './support/fixture.js';
import type { UpstreamStandIn } from './support/upstream-stand-in.js';

/** The README's start deadline for Redis: the connection and the caches' subscriptions, in all. */
const REDIS_START_DEADLINE_MS = 2_000;

/** A loopback port nothing listens on (taken, then let go). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Redis unreachable at start', () => {
  let fixture: Fixture<UpstreamStandIn>;
  beforeAll(async () => {
    fixture = await startFixture({ standIn: {} });
  });
  afterAll(async () => {
    await fixture?.close();
  });

  test('starts within the Redis start deadline, with one warning, and answers', async () => {
    const gateway = await fixture.gateway({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
    const logs = gateway.logs();
    const listening = logs.findIndex((line) => line.event === 'listening');
    const warnings = logs.slice(0, listening).filter((line) => line.level === 'warn' || line.level === 'error');
    expect(warnings.map((line) => line.message)).toEqual(['redis connection failed; deciding locally until it is back']);
    // On the gateway's own clock, from the first refused connection to listening: the wait for Redis,
    // without the time Node takes to load the gateway. The caches' subscriptions used to add their
    // own 5 s to it.
    const waitedMs = Date.parse(logs[listening]!.timestamp as string) - Date.parse(warnings[0]!.timestamp as string);
    expect(waitedMs).toBeGreaterThanOrEqual(0);
    expect(waitedMs).toBeLessThan(REDIS_START_DEADLINE_MS + 1_500);

    const answer = await post(`${gateway.url}/v1/validate/email`, { email: 'ada@lovelace.dev' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ email: 'ada@lovelace.dev', source: 'upstream' });
    const ready = await fetch(`${gateway.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'warn' });
  });
});
