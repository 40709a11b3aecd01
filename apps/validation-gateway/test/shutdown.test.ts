// SIGTERM under load: every request accepted before it is answered, then the process exits 0.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GatewayProcess } from './support/gateway-process.js';
import { post, startFixture, type Fixture } from './support/fixture.js';
import type { SimulatorProcess } from './support/simulator-process.js';

let fixture: Fixture<SimulatorProcess>;
let gateway: GatewayProcess;

beforeAll(async () => {
  // Every answer takes 400 to 500 ms: requests are in flight when SIGTERM arrives.
  fixture = await startFixture({ simulator: ['--profile', 'calm', '--latency-p50-ms', '400', '--latency-p99-ms', '500', '--latency-max-ms', '500'] });
  gateway = await fixture.gateway({ UPSTREAM_RATE_PER_SECOND: '1000', UPSTREAM_ATTEMPT_TIMEOUT_MS: '3000', SHUTDOWN_TIMEOUT_MS: '10000' });
});
afterAll(async () => {
  await fixture?.close();
});

describe('SIGTERM', () => {
  test('finishes the requests in flight, refuses no accepted one, and exits 0', async () => {
    const url = `${gateway.url}/v1/validate/email`;
    const inFlight = Array.from({ length: 20 }, (_, i) => post(url, { email: `slow${i}@shutdown.dev` }));
    // Every one of them has reached the upstream: accepted, parsed, authenticated, in the pipeline.
    while ((await fixture.upstream.stats()).requests.total < 20) await new Promise((resolve) => setTimeout(resolve, 10));

    const exit = gateway.stop('SIGTERM');
    // Load goes on during the drain: each later request is answered or refused at the connection, never failed.
    const later: Promise<string>[] = [];
    for (let i = 0; i < 20; i++) {
      later.push(post(url, { email: `late${i}@shutdown.dev` }).then((r) => String(r.status), (e: Error) => (e.cause as { code?: string } | undefined)?.code ?? e.message));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(answers.every((a) => a.body?.source === 'upstream')).toBe(true);
    for (const outcome of await Promise.all(later)) expect(['200', 'ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']).toContain(outcome);
    expect(await exit).toBe(0);

    const messages = gateway.logs().map((l) => l.message);
    expect(messages.indexOf('stopped')).toBeGreaterThan(messages.lastIndexOf('request'));
    expect(gateway.stderr.join('')).toBe('');
  });
});
