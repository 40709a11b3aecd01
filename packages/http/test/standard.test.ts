import { createFakeClock, isTimeoutError, type FakeClock } from '@bulwark/core';
import { deferred, freePort, useLoopbackServer } from '@bulwark/test-utils';
import { isCircuitOpenError } from '@bulwark/breaker';
import { constantBackoff, exponentialBackoff } from '@bulwark/retry';
import { describe, expect, test, vi } from 'vitest';
import { createHttpClient, isHttpError, type HttpClient, type HttpClientOptions } from '@bulwark/http';
import { standard, type StandardOptions } from '@bulwark/http/standard';

const server = useLoopbackServer();

interface Rig {
  readonly clock: FakeClock;
  readonly client: HttpClient;
  /** The clock's monotonic time at each request handed to fetch. */
  readonly sent: number[];
  /** Waits (in real time) until no request is in flight and the client has done all it can without the clock moving. */
  settled(): Promise<void>;
  /** Settles, fires the timers due now (zero waits), and again, until `call` settles. Never moves the clock. */
  drive<T>(call: Promise<T>): Promise<T>;
}

/**
 * A client over the standard pipeline on a fake clock, with no jitter unless asked. Its fetch reads
 * each body whole before handing the response on, so that "no request in flight" means the client
 * has nothing left to wait for but the clock.
 */
function rig(options: StandardOptions = {}, client: HttpClientOptions = {}, now = Date.now()): Rig {
  const clock = createFakeClock({ now });
  const sent: number[] = [];
  let inFlight = 0;
  const settled = async (): Promise<void> => {
    await vi.waitFor(() => expect(inFlight).toBe(0), { timeout: 5_000, interval: 2 });
    for (let i = 0; i < 3; i++) await clock.flush();
  };
  return {
    clock,
    sent,
    settled,
    async drive<T>(call: Promise<T>): Promise<T> {
      let done = false;
      call.then(
        () => (done = true),
        () => (done = true),
      );
      for (let i = 0; i < 50 && !done; i++) {
        await settled();
        await clock.tickAsync(0);
      }
      return call;
    },
    client: createHttpClient({
      baseUrl: server.url,
      clock,
      policy: standard({ clock, random: () => 0, ...options }),
      fetch: async (input, init) => {
        sent.push(clock.monotonic());
        inFlight++;
        try {
          const response = await fetch(input, init);
          const body = await response.arrayBuffer();
          return new Response(response.status === 204 ? null : body, response);
        } finally {
          inFlight--;
        }
      },
      ...client,
    }),
  };
}

/** Drives a call whose first answer asks to wait `ms`: nothing goes out a millisecond early, the retry goes at `ms`. */
async function retriedAt<T>(r: Rig, call: Promise<T>, ms: number): Promise<T> {
  await r.settled();
  await r.clock.tickAsync(ms - 1);
  await r.settled();
  expect(r.sent).toEqual([0]);
  await r.clock.tickAsync(1);
  const value = await call;
  expect(r.sent).toEqual([0, ms]);
  return value;
}

/** Lets real I/O run until `condition` holds, without moving the fake clock. */
const until = (condition: () => void): Promise<void> => vi.waitFor(condition, { timeout: 5_000, interval: 2 });

describe('start-up checks name the options', () => {
  test('the attempt timeout is at most the total timeout', () => {
    expect(() => standard({ attemptTimeoutMs: 40_000 })).toThrow(
      'Expected `attemptTimeoutMs` to be at most `totalTimeoutMs` (30000): one attempt cannot outlast the whole request, got 40000.',
    );
  });

  test('the breaker window is at least twice the attempt timeout', () => {
    expect(() => standard({ breaker: { windowMs: 15_000 } })).toThrow(
      'Expected `breaker.windowMs` to be at least twice `attemptTimeoutMs` (2 × 10000 = 20000 ms), so that the window still holds the calls that timed out when it judges them, got 15000.',
    );
    expect(() => standard({ breaker: { windowMs: 15_000 }, attemptTimeoutMs: 5_000 })).not.toThrow();
  });

  test('the retry waits added up fit in the total timeout', () => {
    expect(() => standard({ retry: { maxAttempts: 6 } })).toThrow(
      "Expected the retry's longest waits added up (2000 + 4000 + 8000 + 16000 + 30000 = 60000 ms, from `retry.maxAttempts` 6 and `retry.backoff`, each at most `retry.maxDelayMs` 30000) to be at most `totalTimeoutMs` (30000): the last retries could never run.",
    );
    expect(() => standard({ retry: { maxAttempts: Infinity } })).toThrow('(2000 + 4000 + 8000 + 16000 + 30000 + ... = more than 60000 ms, from `retry.maxAttempts` Infinity');
    expect(() => standard({ retry: { maxAttempts: 6 }, totalTimeoutMs: false })).not.toThrow();
    expect(() => standard({ retry: { maxAttempts: 6, backoff: constantBackoff(1_000) } })).not.toThrow();
  });

  test('the defaults pass, and every part can be left out or replaced', () => {
    expect(() => standard()).not.toThrow();
    expect(() => standard({ bulkhead: false, totalTimeoutMs: false, retry: false, breaker: false, attemptTimeoutMs: false })).not.toThrow();
    expect(() => standard({ retry: false, hedge: { delayMs: 100 } })).toThrow(
      "Expected `hedge` to be undefined when `retry` is false (hedged attempts are the standard retry's), got an object (Object).",
    );
    expect(() => standard({ bulkhead: { limit: 0 } })).toThrow('Expected `bulkhead.limit` to be a positive integer, got 0.');
    expect(() => standard({ totalTimeoutMs: -1 })).toThrow('Expected `totalTimeoutMs` to be a number from 1 to 2_147_483_647, got -1.');
    expect(() => standard({ breaker: { minimumCalls: 0 } })).toThrow('Expected `breaker.minimumCalls` to be a positive integer, got 0.');
    expect(() => standard({ breaker: { failureRateThreshold: 2 } })).toThrow('Expected `breaker.failureRateThreshold` to be a number above 0 and at most 1, got 2.');
    expect(() => standard({ breaker: { halfOpenAfterMs: -5 } })).toThrow('Expected `breaker.halfOpenAfterMs` to be a number from 0 to 2_147_483_647, got -5.');
    expect(() => standard({ breaker: { maxSize: 0 } })).toThrow('Expected `breaker.maxSize` to be a positive integer, got 0.');
    expect(() => standard({ retry: { budget: 5 as never } })).toThrow('Expected `retry.budget` to be a RetryBudget (from retryBudget() of @bulwark/retry), got 5.');
    expect(() => standard({ retry: { shouldRetry: 3 as never } })).toThrow('Expected `retry.shouldRetry` to be a function, got 3.');
    expect(() => standard({ hedge: { delayMs: -1 } })).toThrow('Expected `hedge.delayMs` to be a number from 0 to 2_147_483_647, got -1.');
  });
});

describe('the holes, fixed', () => {
  test('a Retry-After longer than the time left returns the 503 at once, with retryAfterMs, not a timeout', async () => {
    const { clock, client } = rig();
    server.reply(() => ({ status: 503, headers: { 'retry-after': '60' } }));
    const error = await client.get('busy').catch((e: unknown) => e);
    expect(isHttpError(error)).toBe(true);
    expect(error).toMatchObject({ status: 503, retryAfterMs: 60_000, attempt: 1 });
    expect(clock.monotonic()).toBe(0); // no time passed: nothing slept
    expect(server.requests).toHaveLength(1);
  });

  test('a 429 whose Retry-After fits is retried, never before it has passed', async () => {
    const r = rig();
    server.reply((r) => (r.index === 0 ? { status: 429, headers: { 'retry-after': '3' } } : { body: { ok: true } }));
    expect(await retriedAt(r, r.client.get('quota'), 3_000)).toEqual({ ok: true });
  });

  test('a Retry-After date is counted from the response’s Date, so a fast client clock does not send early', async () => {
    const serverNow = new Date(Math.floor(Date.now() / 1000) * 1000);
    // The client's clock runs 2 s ahead of the server's: measured against it, the wait would be 3 s.
    const r = rig({}, {}, serverNow.getTime() + 2_000);
    const later = new Date(serverNow.getTime() + 5_000).toUTCString();
    server.reply((r) => (r.index === 0 ? { status: 503, headers: { date: serverNow.toUTCString(), 'retry-after': later } } : { body: {} }));
    await retriedAt(r, r.client.get('x'), 5_000);
  });

  test('a POST without Idempotency-Key is not retried once it reached the server; with one, it is, with the same body and key', async () => {
    const { client, drive } = rig();
    server.reply(() => ({ status: 503 }));
    await expect(drive(client.post('charges', { json: { cents: 100 } }))).rejects.toMatchObject({ code: 'HTTP_ERROR', status: 503, attempt: 1 });
    expect(server.requests).toHaveLength(1);

    server.reset();
    server.reply((r) => (r.index < 2 ? { status: 503 } : { status: 201, body: { id: 'ch_1' } }));
    expect(await drive(client.post('charges', { json: { cents: 100 }, idempotencyKey: 'order-7' }))).toEqual({ id: 'ch_1' });
    expect(server.requests.map((r) => `${r.headers['idempotency-key']} ${r.body}`)).toEqual(Array(3).fill('order-7 {"cents":100}'));
  });

  test('a POST without key that never left (a refused connection) is retried', async () => {
    const port = await freePort();
    let sends = 0;
    const { client, drive } = rig({}, {
      fetch: (input, init) => (++sends === 1 ? fetch(`http://127.0.0.1:${port}/`, init) : fetch(input, init)),
    });
    expect(await drive(client.post(`${server.url}/charges`, { json: {} }))).toEqual({ ok: true });
    expect(sends).toBe(2);
    expect(server.requests).toHaveLength(1);
  });

  test('one breaker per origin, shared by every client of the pipeline', async () => {
    const clock = createFakeClock();
    const pipeline = standard({ clock, retry: false, breaker: { minimumCalls: 4, failureRateThreshold: 0.5 } });
    const failing = `http://127.0.0.1:${server.port}`;
    const healthy = `http://localhost:${server.port}`; // the same server, another origin
    server.reply((r) => (r.headers.host?.startsWith('127.0.0.1') ? { status: 500 } : { body: { ok: true } }));
    const one = createHttpClient({ clock, policy: pipeline });
    const two = createHttpClient({ clock, policy: pipeline });
    for (let i = 0; i < 4; i++) await expect(one.get(`${failing}/x`)).rejects.toMatchObject({ status: 500 });
    const open = await two.get(`${failing}/x`).catch((e: unknown) => e);
    expect(isCircuitOpenError(open)).toBe(true); // the other client finds the origin's circuit open
    expect(await one.get(`${healthy}/x`)).toEqual({ ok: true }); // another origin has its own
    expect(server.requests).toHaveLength(5);
  });

  test('hedging: a slow attempt gets a fresh twin with the same body and key; the first answer wins', async () => {
    const { clock, client } = rig({ hedge: { delayMs: 200 } });
    const first = deferred<{ status: number }>();
    server.reply((r) => (r.index === 0 ? first.promise : { body: { winner: 2 } }));
    const call = client.put('profile', { json: { name: 'Ada' }, headers: { 'x-trace': 't1' } });
    await until(() => expect(server.requests).toHaveLength(1));
    await clock.tickAsync(200);
    await until(() => expect(server.requests).toHaveLength(2));
    expect(await call).toEqual({ winner: 2 });
    expect(server.requests.map((r) => [r.method, r.body, r.headers['x-trace']])).toEqual([
      ['PUT', '{"name":"Ada"}', 't1'],
      ['PUT', '{"name":"Ada"}', 't1'],
    ]);
    first.resolve({ status: 200 });
  });
});

describe('the pipeline', () => {
  test('transient failures are retried up to maxAttempts; then the last HttpError, saying which attempt it was', async () => {
    const { client, drive } = rig();
    server.reply(() => ({ status: 502 }));
    await expect(drive(client.get('flaky'))).rejects.toMatchObject({ code: 'HTTP_ERROR', status: 502, attempt: 4 });
    expect(server.requests).toHaveLength(4);
  });

  test('a 404 is not retried and does not count against the breaker', async () => {
    const { client } = rig({ breaker: { minimumCalls: 2, failureRateThreshold: 0.5 } });
    server.reply(() => ({ status: 404 }));
    for (let i = 0; i < 3; i++) await expect(client.get('missing')).rejects.toMatchObject({ status: 404 });
    expect(server.requests).toHaveLength(3);
  });

  test('an attempt that hangs is cut by the attempt timeout and retried', async () => {
    const { clock, client, drive } = rig({ attemptTimeoutMs: 1_000, breaker: { windowMs: 30_000 } });
    const stall = deferred<{ status: number }>();
    server.reply((r) => (r.index === 0 ? stall.promise : { body: { ok: true } }));
    const call = client.get('slow');
    await until(() => expect(server.requests).toHaveLength(1));
    await clock.tickAsync(1_000); // the attempt times out; the retry's wait is 0 (no jitter)
    expect(await drive(call)).toEqual({ ok: true });
    stall.resolve({ status: 200 });
  });

  test('the total timeout ends the request, retries included', async () => {
    const { clock, client, drive } = rig({ totalTimeoutMs: 5_000, attemptTimeoutMs: 2_000, breaker: { windowMs: 30_000 }, retry: { backoff: exponentialBackoff({ initialDelayMs: 100 }) } });
    const stall = deferred<{ status: number }>();
    server.reply(() => stall.promise);
    const call = client.get('slow').catch((e: unknown) => e);
    await until(() => expect(server.requests).toHaveLength(1));
    await clock.tickAsync(2_000);
    await until(() => expect(server.requests).toHaveLength(2));
    await clock.tickAsync(2_000);
    await until(() => expect(server.requests).toHaveLength(3));
    await clock.tickAsync(1_000);
    const error = await drive(call);
    expect(isTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeoutMs: 5_000 });
    stall.resolve({ status: 200 });
  });

  test('a stream body goes through the pipeline once, without retry', async () => {
    const { client } = rig();
    server.reply(() => ({ status: 503 }));
    const body = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new TextEncoder().encode('chunk')), c.close()) });
    await expect(client.fetch('upload', { method: 'PUT', body })).rejects.toMatchObject({ code: 'HTTP_ERROR', status: 503 });
    expect(server.requests).toHaveLength(1);
  });

  test('the concurrency limit refuses what it cannot run', async () => {
    const { client } = rig({ bulkhead: { limit: 1, queue: 0 } });
    const stall = deferred<{ status: number }>();
    server.reply(() => stall.promise);
    const first = client.get('one');
    await expect(client.get('two')).rejects.toMatchObject({ code: 'BULKHEAD_FULL' });
    stall.resolve({ status: 200 });
    await first;
  });
});
