import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeClock, parseServerHints, type FakeClock } from '@bulwark/core';
import { afterEach, describe, expect, test } from 'vitest';
import { ConfigError, PortInUseError, planFaults, startSimulator, type ProfileInput, type Simulator, type SimulatorOptions, type SimulatorStats } from './index.js';

const API_KEY = 'test-key-0123456789'; // bulwark-allow-secret: a made-up key for these tests
const started: Simulator[] = [];
const folders: string[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((sim) => sim.close()));
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(profile: ProfileInput = {}, options: Omit<SimulatorOptions, 'profile'> = {}): Promise<Simulator> {
  const sim = await startSimulator({ apiKey: API_KEY, profile, ...options });
  started.push(sim);
  return sim;
}

function validate(sim: Simulator, email: unknown, init: { key?: string | null; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
  const { key = API_KEY, headers = {}, signal } = init;
  return fetch(`${sim.url}/v1/validate/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...headers },
    body: JSON.stringify({ email }),
    ...(signal === undefined ? {} : { signal }),
  });
}

/** Waits (on real time, briefly) until the simulator has counted `n` API requests. */
async function counted(sim: Simulator, n: number): Promise<void> {
  while (sim.stats().requests.total < n) await new Promise((resolve) => setTimeout(resolve, 2));
}

function tempFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'upstream-simulator-'));
  folders.push(dir);
  return dir;
}

describe('POST /v1/validate/email', () => {
  test.each([
    ['ada@gmail.com', { valid: true, reason: 'known_provider', disposable: false, domain: 'gmail.com' }],
    ['Ada.Lovelace+news@Acme.IO', { valid: true, reason: 'accepted', disposable: false, domain: 'acme.io' }],
    ['ada@bücher.de', { valid: true, reason: 'accepted', disposable: false, domain: 'xn--bcher-kva.de' }],
    ['temp@mailinator.com', { valid: false, reason: 'disposable', disposable: true, domain: 'mailinator.com' }],
    ['temp@inbox.yopmail.com', { valid: false, reason: 'disposable', disposable: true, domain: 'inbox.yopmail.com' }],
    ['bob@example.com', { valid: false, reason: 'no_mail_server', disposable: false, domain: 'example.com' }],
    ['bob@build.test', { valid: false, reason: 'no_mail_server', disposable: false, domain: 'build.test' }],
    ['no-at-sign', { valid: false, reason: 'syntax', disposable: false, domain: null }],
    ['two..dots@acme.io', { valid: false, reason: 'syntax', disposable: false, domain: 'acme.io' }],
    ['ada@localhost', { valid: false, reason: 'syntax', disposable: false, domain: 'localhost' }],
    ['ada@-acme.io', { valid: false, reason: 'syntax', disposable: false, domain: '-acme.io' }],
    [`${'a'.repeat(65)}@acme.io`, { valid: false, reason: 'syntax', disposable: false, domain: 'acme.io' }],
    ['@acme.io', { valid: false, reason: 'syntax', disposable: false, domain: 'acme.io' }],
  ])('%s is answered from syntax and the shipped lists, the same way every time', async (email, verdict) => {
    const sim = await start();
    for (let i = 0; i < 2; i++) {
      const res = await validate(sim, email);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.json()).toEqual(verdict);
    }
  });

  test('takes the key as a bearer token or in X-Api-Key', async () => {
    const sim = await start();
    expect((await validate(sim, 'ada@gmail.com')).status).toBe(200);
    expect((await validate(sim, 'ada@gmail.com', { key: null, headers: { 'x-api-key': API_KEY } })).status).toBe(200);
  });

  test('refuses a missing or unknown key with 401 problem+json that does not echo the key', async () => {
    const sim = await start();
    const missing = await validate(sim, 'ada@gmail.com', { key: null });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(await missing.json()).toMatchObject({ type: 'about:blank', title: 'Unauthorized', status: 401 });
    const wrong = await validate(sim, 'ada@gmail.com', { key: 'not-the-key-at-all' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('not-the-key-at-all');
    expect(sim.stats().byKey).toMatchObject({ none: { total: 1, '401': 1 }, unknown: { total: 1, '401': 1 } });
  });

  test('answers bad requests 400, 404, 405, 413 and 415 as problem+json, counted as 4xx', async () => {
    const sim = await start();
    const post = (body: string, type = 'application/json'): Promise<Response> =>
      fetch(`${sim.url}/v1/validate/email`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': type }, body });
    const answers = [
      await post('{"email":'),
      await post('{"address":"ada@gmail.com"}'),
      await post('{"email":"ada@gmail.com"}', 'text/plain'),
      await post(JSON.stringify({ email: 'x'.repeat(20_000) })),
      await fetch(`${sim.url}/v1/validate/email`, { headers: { authorization: `Bearer ${API_KEY}` } }),
      await fetch(`${sim.url}/v2/nothing`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}` } }),
    ];
    expect(answers.map((r) => r.status)).toEqual([400, 400, 415, 413, 405, 404]);
    expect(answers[4]!.headers.get('allow')).toBe('POST');
    for (const res of answers) {
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({ status: res.status, detail: expect.any(String) });
    }
    expect(sim.stats().requests).toMatchObject({ total: 6, '4xx': 6 });
  });
});

describe('faults', () => {
  test('an injected error answers a status from the mix, as problem+json', async () => {
    const sim = await start({ errors: { rate: 1, statuses: { '502': 1 } } });
    const res = await validate(sim, 'ada@gmail.com');
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ type: 'about:blank', title: 'Bad Gateway', status: 502 });
    expect(sim.stats()).toMatchObject({ requests: { total: 1, '5xx': 1 }, byStatus: { '502': 1 } });
  });

  test('the status mix follows its weights', () => {
    const plan = planFaults({ errors: { rate: 1, statuses: { '500': 1, '503': 3 } } }, { count: 4_000 });
    const share503 = plan.filter((r) => r.status === 503).length / plan.length;
    expect(share503).toBeGreaterThan(0.72);
    expect(share503).toBeLessThan(0.78);
  });

  test('a dropped connection is cut after the headers, in the middle of the body', async () => {
    const sim = await start({ drops: { rate: 1 } });
    const res = await validate(sim, 'ada@gmail.com');
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    expect(sim.stats().requests).toMatchObject({ total: 1, drop: 1 });
  });

  test('a hang with no end holds the request until the client gives up, and the simulator serves on', async () => {
    const sim = await start({ hangs: { rate: 0.5 } }, { seed: 11 });
    const plan = planFaults({ hangs: { rate: 0.5 } }, { seed: 11, count: 10 });
    const firstHang = plan.findIndex((r) => r.kind === 'hang');
    for (let i = 0; i < firstHang; i++) expect((await validate(sim, 'ada@gmail.com')).status).toBe(200);
    const abort = new AbortController();
    const hung = validate(sim, 'ada@gmail.com', { signal: abort.signal });
    await counted(sim, firstHang + 1);
    abort.abort();
    await expect(hung).rejects.toThrow(/abort/i);
    expect(sim.stats().requests.hang).toBe(1);
  });

  test('a hang of a set length answers after it, on the injected clock', async () => {
    const clock = createFakeClock();
    const sim = await start({ hangs: { rate: 1, ms: 3_000 } }, { clock });
    const answer = validate(sim, 'ada@gmail.com');
    await counted(sim, 1);
    await clock.tickAsync(2_999);
    expect(clock.pendingTimers).toBe(1);
    await clock.tickAsync(1);
    const res = await answer;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ valid: true, domain: 'gmail.com' });
    expect(sim.stats().requests).toMatchObject({ total: 1, hang: 1, ok: 0 });
  });

  test('latency is added on the injected clock', async () => {
    const clock = createFakeClock();
    const sim = await start({ latency: { p50Ms: 250, p99Ms: 250 } }, { clock });
    const answer = validate(sim, 'ada@gmail.com');
    await counted(sim, 1);
    await clock.tickAsync(249);
    expect(clock.pendingTimers).toBe(1);
    await clock.tickAsync(1);
    expect((await answer).status).toBe(200);
  });

  test('close() ends hung connections too', async () => {
    const sim = await startSimulator({ apiKey: API_KEY, profile: { hangs: { rate: 1 } } });
    const hung = validate(sim, 'ada@gmail.com');
    await counted(sim, 1);
    await sim.close();
    await sim.close();
    await expect(hung).rejects.toThrow();
    await expect(fetch(`${sim.url}/_sim/stats`)).rejects.toThrow();
  });
});

describe('rate limit', () => {
  const limited = (clock: FakeClock): Promise<Simulator> => start({ rateLimit: { quota: 3, windowMs: 2_000 } }, { clock });

  test('every answer carries RateLimit-Policy and RateLimit, in the form core parseServerHints reads', async () => {
    const clock = createFakeClock();
    const sim = await limited(clock);
    const res = await validate(sim, 'ada@gmail.com');
    expect(res.headers.get('ratelimit-policy')).toBe('"default";q=3;w=2');
    expect(res.headers.get('ratelimit')).toBe('"default";r=2;t=2');
    expect(parseServerHints(res)).toMatchObject({
      status: 200,
      remaining: 2,
      limit: 3,
      resetMs: 2_000,
      waitMs: undefined,
      source: 'ratelimit',
      policies: [{ name: 'default', quota: 3, windowMs: 2_000 }],
    });
  });

  test('past the quota: 429 with Retry-After to the end of the window, then room again', async () => {
    const clock = createFakeClock();
    const sim = await limited(clock);
    const remaining = [];
    for (let i = 0; i < 3; i++) remaining.push((await validate(sim, 'ada@gmail.com')).headers.get('ratelimit'));
    expect(remaining).toEqual(['"default";r=2;t=2', '"default";r=1;t=2', '"default";r=0;t=2']);

    await clock.tickAsync(1_500);
    const refused = await validate(sim, 'ada@gmail.com');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(await refused.json()).toMatchObject({
      type: 'https://iana.org/assignments/http-problem-types#quota-exceeded',
      status: 429,
      'violated-policies': ['default'],
    });
    expect(parseServerHints(refused)).toMatchObject({ status: 429, retryAfterMs: 1_000, remaining: 0, limit: 3, resetMs: 1_000, waitMs: 1_000, source: 'retry-after' });

    await clock.tickAsync(500);
    const again = await validate(sim, 'ada@gmail.com');
    expect(again.status).toBe(200);
    expect(again.headers.get('ratelimit')).toBe('"default";r=2;t=2');
    expect(sim.stats().requests).toMatchObject({ total: 5, ok: 4, '429': 1 });
  });

  test('a refused key gets the policy but no RateLimit state, and does not spend the quota', async () => {
    const clock = createFakeClock();
    const sim = await limited(clock);
    const refused = await validate(sim, 'ada@gmail.com', { key: 'someone-else-entirely' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('ratelimit-policy')).toBe('"default";q=3;w=2');
    expect(refused.headers.get('ratelimit')).toBeNull();
    expect((await validate(sim, 'ada@gmail.com')).headers.get('ratelimit')).toBe('"default";r=2;t=2');
  });
});

describe('outage', () => {
  test('inside the window every API request is 503 with Retry-After to its end; /_sim still answers', async () => {
    const clock = createFakeClock();
    const sim = await start({ outages: [{ atMs: 5_000, forMs: 3_000 }] }, { clock });
    await clock.tickAsync(4_999);
    expect((await validate(sim, 'ada@gmail.com')).status).toBe(200);
    await clock.tickAsync(1);
    const down = await validate(sim, 'ada@gmail.com');
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('3');
    expect(await down.json()).toMatchObject({ status: 503, title: 'Service Unavailable' });
    await clock.tickAsync(2_500);
    const later = await validate(sim, 'ada@gmail.com', { key: null });
    expect([later.status, later.headers.get('retry-after')]).toEqual([503, '1']);
    expect((await fetch(`${sim.url}/_sim/stats`)).status).toBe(200);
    await clock.tickAsync(500);
    expect((await validate(sim, 'ada@gmail.com')).status).toBe(200);
    expect(sim.stats()).toMatchObject({ requests: { total: 4, ok: 2, '5xx': 2 }, outages: [{ startMs: 5_000, endMs: 8_000 }] });
  });
});

describe('key rotation', () => {
  test('a new key on schedule, in the keys file and on /_sim/keys; the old one works through the overlap, then 401', async () => {
    const clock = createFakeClock();
    const keysFile = join(tempFolder(), 'upstream-key');
    const sim = await start({ keys: { rotateEveryMs: 10_000, overlapMs: 2_000 } }, { clock, keysFile });
    const read = (): string => readFileSync(keysFile, 'utf8').replace(/\n$/, '');
    expect(read()).toBe(API_KEY);

    await clock.tickAsync(10_000);
    const fresh = read();
    expect(fresh).not.toBe(API_KEY);
    const keys = sim.keys();
    expect(keys).toEqual({
      current: { id: 'key-2', key: fresh, issuedAtMs: 10_000 },
      previous: { id: 'key-1', key: API_KEY, issuedAtMs: 0, acceptedUntilMs: 12_000 },
    });
    expect(await (await fetch(`${sim.url}/_sim/keys`)).json()).toEqual(keys);
    expect((await validate(sim, 'ada@gmail.com', { key: API_KEY })).status).toBe(200);
    expect((await validate(sim, 'ada@gmail.com', { key: fresh })).status).toBe(200);

    await clock.tickAsync(2_000);
    const rotatedOut = await validate(sim, 'ada@gmail.com', { key: API_KEY });
    expect(rotatedOut.status).toBe(401);
    expect(rotatedOut.headers.get('content-type')).toBe('application/problem+json');
    expect((await validate(sim, 'ada@gmail.com', { key: fresh })).status).toBe(200);

    const stats = sim.stats();
    expect(stats.rotations).toEqual([{ atMs: 10_000, keyId: 'key-2', replacedKeyId: 'key-1', overlapEndsMs: 12_000 }]);
    expect(stats.byKey).toMatchObject({ 'key-1': { total: 2, ok: 1, '401': 1 }, 'key-2': { total: 2, ok: 2 } });
    expect(JSON.stringify(stats)).not.toContain(fresh);
  });
});

describe('stats and reset', () => {
  test('counts by outcome, status and key, and a timeline of every second', async () => {
    const clock = createFakeClock();
    const sim = await start({ rateLimit: { quota: 2, windowMs: 1_000 } }, { clock });
    await validate(sim, 'ada@gmail.com');
    await validate(sim, 'ada@gmail.com');
    await validate(sim, 'ada@gmail.com');
    await clock.tickAsync(2_500);
    await validate(sim, 'ada@gmail.com', { key: null });
    await validate(sim, 'ada@gmail.com');

    const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as SimulatorStats;
    expect(stats).toEqual(sim.stats());
    expect(stats).toMatchObject({
      profile: 'custom',
      seed: 1,
      elapsedMs: 2_500,
      requests: { total: 5, ok: 3, '429': 1, '401': 1, '4xx': 0, '5xx': 0, hang: 0, drop: 0 },
      byStatus: { '200': 3, '401': 1, '429': 1 },
      byKey: { 'key-1': { total: 4, ok: 3, '429': 1 }, none: { total: 1, '401': 1 } },
    });
    expect(stats.timeline.map((s) => [s.second, s.total, s.ok])).toEqual([
      [0, 3, 2],
      [1, 0, 0],
      [2, 2, 1],
    ]);
  });

  test('reset starts a new run: counts, windows, schedule and the fault sequence start again', async () => {
    const clock = createFakeClock();
    const sim = await start({ errors: { rate: 0.5 }, keys: { rotateEveryMs: 5_000, overlapMs: 1_000 } }, { clock, seed: 3 });
    const statuses = async (): Promise<number[]> => {
      const seen = [];
      for (let i = 0; i < 8; i++) seen.push((await validate(sim, 'ada@gmail.com')).status);
      return seen;
    };
    const first = await statuses();
    await clock.tickAsync(4_000);
    expect((await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })).status).toBe(204);
    expect(sim.stats()).toMatchObject({ elapsedMs: 0, requests: { total: 0 }, timeline: [{ second: 0, total: 0 }] });
    expect(await statuses()).toEqual(first);
    await clock.tickAsync(4_000);
    expect(sim.stats().rotations).toEqual([]);
    await clock.tickAsync(1_000);
    expect(sim.stats().rotations).toMatchObject([{ atMs: 5_000, keyId: 'key-2' }]);
  });
});

describe('reproducible runs', () => {
  const profile: ProfileInput = { errors: { rate: 0.3 }, drops: { rate: 0.1 } };

  async function observe(seed: number): Promise<(number | 'drop')[]> {
    const sim = await start(profile, { seed });
    const seen: (number | 'drop')[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await validate(sim, `user${i}@acme.io`);
      seen.push(await res.text().then(() => res.status, () => 'drop' as const));
    }
    return seen;
  }

  test('the same seed deals the same faults, in the order planFaults gives; another seed deals others', async () => {
    const planned = planFaults(profile, { seed: 42, count: 30 }).map((r) => (r.kind === 'drop' ? 'drop' : r.status));
    expect(planned).toContain('drop');
    expect(planned.some((s) => s !== 200 && s !== 'drop')).toBe(true);
    expect(await observe(42)).toEqual(planned);
    expect(await observe(42)).toEqual(planned);
    expect(await observe(43)).not.toEqual(planned);
  });
});

describe('start-up errors', () => {
  test('a taken port rejects with PortInUseError naming the port', async () => {
    const first = await start();
    const error = await startSimulator({ port: first.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortInUseError);
    expect(error).toMatchObject({ code: 'PORT_IN_USE', port: first.port, message: expect.stringContaining(`Port ${first.port} on 127.0.0.1 is in use`) });
  });

  test.each([
    [{ port: 70_000 }, 'port', 'Expected `port` to be an integer from 0 to 65535, got 70000.'],
    [{ seed: -1 }, 'seed', 'Expected `seed` to be an integer from 0 to 4294967295, got -1.'],
    [{ profile: 'wild' as never }, 'profile', 'Expected `profile` to be one of "calm", "mild", "hard", got "wild".'],
    [{ profile: { errors: { rate: 1.5 } } }, 'errors.rate', 'Expected `errors.rate` to be a number from 0 to 1, got 1.5.'],
  ])('a bad option is refused before listening: %j', async (options, field, message) => {
    const error = await startSimulator(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'BAD_CONFIG', field, message });
  });

  test('a bad apiKey is refused without being echoed', async () => {
    const error = await startSimulator({ apiKey: 'has space' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BAD_CONFIG', field: 'apiKey' });
    expect((error as Error).message).not.toContain('has space');
  });

  test('a keys file that cannot be written is refused at start', async () => {
    const keysFile = join(tempFolder(), 'missing', 'key');
    await expect(startSimulator({ keysFile })).rejects.toThrow(`Expected \`keysFile\` to be a path the simulator can write: cannot write ${keysFile} (ENOENT).`);
  });
});
