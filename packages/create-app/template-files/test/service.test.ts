// The service end to end: the built service (`node dist/main.js`) on a free loopback port, in front
// of a stand-in for the upstream API that the test switches between answering and failing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashApiKey } from '../src/services/caller-authenticator.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { startUpstreamStandIn, type UpstreamStandIn } from './support/upstream-stand-in.js';

const CALLER_KEY = 'service-test-key-0123456789abcdef'; // bulwark-allow-secret: test fixture

let dir: string;
let upstream: UpstreamStandIn;
let service: GatewayProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'service-test-'));
  const upstreamKeyFile = join(dir, 'upstream.key');
  const callerKeysFile = join(dir, 'callers.json');
  writeFileSync(callerKeysFile, JSON.stringify([{ id: 'tests', scopes: ['validate', 'admin'], sha256: hashApiKey(CALLER_KEY).toString('hex') }]), { mode: 0o600 });
  upstream = await startUpstreamStandIn({ keysFile: upstreamKeyFile });
  service = await startGatewayProcess({
    UPSTREAM_URL: upstream.url,
    UPSTREAM_API_KEY_FILE: upstreamKeyFile,
    GATEWAY_API_KEYS_FILE: callerKeysFile,
    UPSTREAM_TOTAL_TIMEOUT_MS: '1500',
    UPSTREAM_ATTEMPT_TIMEOUT_MS: '500',
    REDIS_URL: '',
  });
});
afterAll(async () => {
  await service?.stop('SIGKILL');
  await upstream?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

async function validate(email: string, key: string | null = CALLER_KEY): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${service.url}/v1/validate/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
    body: JSON.stringify({ email }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the service', () => {
  test('is live and ready', async () => {
    expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);
  });

  test('answers from the upstream, then from its cache, saying where from', async () => {
    const first = await validate('ada@lovelace.dev');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ email: 'ada@lovelace.dev', valid: true, source: 'upstream' });
    expect((await validate('ada@lovelace.dev')).body).toMatchObject({ valid: true, source: 'cache' });
  });

  test('answers offline when the upstream fails', async () => {
    upstream.mode = 'fail';
    try {
      expect((await validate('grace@lovelace.dev')).body).toMatchObject({ source: 'offline' });
    } finally {
      upstream.mode = 'ok';
    }
  });

  test('refuses a caller without a key with problem+json', async () => {
    const refused = await validate('ada@lovelace.dev', null);
    expect(refused.status).toBe(401);
    expect(refused.body).toHaveProperty('type');
  });

  test('exposes Prometheus metrics', async () => {
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toContain('gateway_answers_total');
  });
});
