// Key rotation without a restart: the upstream's credential (refreshed on its 401, no failed
// request) and the callers' keys (re-read from their file).
import { writeFileSync } from 'node:fs';
import { eventually } from '@bulwark/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GatewayProcess } from './support/gateway-process.js';
import { DEFAULT_KEYS, keysJson, post, startFixture, type Fixture } from './support/fixture.js';
import type { SimulatorProcess } from './support/simulator-process.js';

// The simulator rotates its key every 1.5 s (longer than the secrets' 1 s refresh cooldown) and refuses the old one at once (no overlap).
const ROTATE = ['--profile', 'calm', '--rotate-every-ms', '1500', '--overlap-ms', '0'];
let fixture: Fixture<SimulatorProcess>;
let gateway: GatewayProcess;

beforeAll(async () => {
  fixture = await startFixture({ simulator: ROTATE });
  // The callers' own limit is raised out of the way: a fast machine sends more than the default 100/s.
  gateway = await fixture.gateway({ UPSTREAM_RATE_PER_SECOND: '500', CALLER_RATE_PER_SECOND: '1000000' });
});
afterAll(async () => {
  await fixture?.close();
});

describe('the simulator rotates its key and revokes the old one at once', () => {
  test('every request still gets an upstream answer: each 401 is answered with the new key', async () => {
    const statuses: number[] = [];
    const sources: string[] = [];
    let n = 0;
    let running = true;
    const worker = async (): Promise<void> => {
      while (running) {
        const response = await post(`${gateway.url}/v1/validate/email`, { email: `user${n++}@rotation.dev` });
        statuses.push(response.status);
        sources.push(String(response.body?.source));
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    // Until the simulator has rotated three times and the gateway has met a revoked key.
    await eventually(async () => {
      const stats = await fixture.upstream.stats();
      return stats.rotations.length >= 3 && stats.requests['401'] >= 1;
    }, { timeoutMs: 20_000, intervalMs: 50, what: 'three rotations and a revoked key met' });
    running = false;
    await Promise.all(workers);

    // How many requests fit in three rotations depends on the machine; that none failed does not.
    expect(statuses.length).toBeGreaterThanOrEqual(4);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(sources.filter((s) => s !== 'upstream')).toEqual([]);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/^bulwark_secret_rotations_total\{.*bulwark_secret_name="UPSTREAM_API_KEY".*\} [1-9]\d*$/m);
  });
});

describe('the callers\' keys rotate without a restart', () => {
  test('a new key is accepted beside the old one, then the old one is refused', async () => {
    const url = `${gateway.url}/v1/validate/email`;
    const next = 'test-validate-key-next-0123456789'; // bulwark-allow-secret: test fixture
    const status = async (key: string) => (await post(url, { email: 'ada@rotation.dev' }, key)).status;
    writeFileSync(fixture.callerKeysFile, keysJson({ ...DEFAULT_KEYS, next: { key: next, scopes: ['validate'] } }));
    await eventually(async () => (await status(next)) === 200, { timeoutMs: 10_000, intervalMs: 50, what: 'the new caller key accepted' });
    expect(await status(DEFAULT_KEYS.validator.key)).toBe(200);
    const { validator: _, ...withoutOld } = DEFAULT_KEYS;
    writeFileSync(fixture.callerKeysFile, keysJson({ ...withoutOld, next: { key: next, scopes: ['validate'] } }));
    await eventually(async () => (await status(DEFAULT_KEYS.validator.key)) === 401, { timeoutMs: 10_000, intervalMs: 50, what: 'the old caller key refused' });
    expect(await status(next)).toBe(200);
    expect(gateway.lines.join('\n')).not.toContain(next);
  });
});
