import { createFakeClock } from '@bulwark/core';
import { describe, expect, test } from 'vitest';
import { fakeBreaker } from '@bulwark/test-utils';
import { health, HEALTH_CONTENT_TYPE, healthStatusCode, type HealthReport } from './index.js';

const T0 = Date.UTC(2026, 0, 1);

describe('health', () => {
  test('liveness reports pass with uptime, in the health+json shape', async () => {
    const clock = createFakeClock({ now: T0 });
    const probes = health({ serviceId: 'validation-gateway', version: '1', releaseId: '1.2.0', description: 'gw', clock });
    clock.tick(90_500);
    const report = await probes.live();
    expect(report).toEqual({
      status: 'pass',
      version: '1',
      releaseId: '1.2.0',
      serviceId: 'validation-gateway',
      description: 'gw',
      checks: {
        uptime: [{ componentType: 'system', observedValue: 90.5, observedUnit: 's', status: 'pass', time: '2026-01-01T00:01:30.500Z' }],
      },
    });
    expect(healthStatusCode(report)).toBe(200);
    expect(HEALTH_CONTENT_TYPE).toBe('application/health+json');
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  test('readiness runs dependency checks: pass with response time, fail with output, non-critical failure only warns', async () => {
    const clock = createFakeClock({ now: T0 });
    const probes = health({
      clock,
      checks: [
        { name: 'redis:responseTime', componentType: 'datastore', componentId: 'redis-1', check: async () => {
          await new Promise<void>((resolve) => clock.setTimeout(resolve, 12));
          return 'PONG';
        } },
        { name: 'upstream:connections', check: () => ({ observedValue: 3, observedUnit: 'connections', status: 'warn', output: 'pool nearly full' }) },
        // bulwark-allow-secret: a fixture credential the report must blank out
        { name: 'reports-db', critical: false, check: () => { throw new Error('connect ECONNREFUSED postgres://app:hunter2@db:5432'); } },
      ],
    });
    const pending = probes.ready();
    await clock.tickAsync(12);
    const report = await pending;
    expect(report.status).toBe('warn');
    expect(healthStatusCode(report)).toBe(200);
    expect(report.checks!['redis:responseTime']).toEqual([
      { componentType: 'datastore', componentId: 'redis-1', observedValue: 12, observedUnit: 'ms', status: 'pass', time: '2026-01-01T00:00:00.012Z' },
    ]);
    expect(report.checks!['upstream:connections']![0]).toMatchObject({ observedValue: 3, observedUnit: 'connections', status: 'warn', output: 'pool nearly full' });
    const db = report.checks!['reports-db']![0]!;
    expect(db.status).toBe('fail');
    expect(db.output).toBe('Error: connect ECONNREFUSED postgres://[REDACTED]@db:5432');
    expect(JSON.stringify(report)).not.toContain('hunter2');
  });

  test('a critical failure fails readiness with 503', async () => {
    const probes = health({ checks: [{ name: 'secrets', check: () => Promise.reject(new TypeError('denied')) }] });
    const report = await probes.ready();
    expect(report.status).toBe('fail');
    expect(healthStatusCode(report)).toBe(503);
    expect(report.checks!.secrets![0]).toMatchObject({ status: 'fail', output: 'TypeError: denied' });
  });

  test('a check that hangs times out (its signal aborts) and fails; the probe never hangs', async () => {
    const clock = createFakeClock({ now: T0 });
    let aborted: unknown;
    const probes = health({
      clock,
      checks: [{ name: 'slow', timeoutMs: 500, check: (signal) => new Promise(() => signal.addEventListener('abort', () => (aborted = signal.reason))) }],
    });
    let report: HealthReport | undefined;
    void probes.ready().then((r) => (report = r));
    await clock.tickAsync(499);
    expect(report).toBeUndefined();
    await clock.tickAsync(1);
    expect(report!.status).toBe('fail');
    expect(report!.checks!.slow![0]).toMatchObject({ status: 'fail', observedValue: 500, output: 'Health check "slow" timed out after 500 ms.' });
    expect((aborted as Error).name).toBe('HealthCheckTimeoutError');
    expect(clock.pendingTimers).toBe(0);
  });

  test('readiness reflects circuits: closed passes, half-open warns, open fails (or warns when configured)', async () => {
    const breaker = fakeBreaker('upstream');
    const probes = health({ circuits: [breaker] });
    const lenient = health({ circuits: [breaker], openCircuit: 'warn' });
    expect((await probes.ready()).status).toBe('pass');
    breaker.moveTo('open');
    const open = await probes.ready();
    expect(open.status).toBe('fail');
    expect(open.checks!['upstream:circuit']).toEqual([
      expect.objectContaining({ componentId: 'upstream', componentType: 'component', observedValue: 'open', status: 'fail', output: expect.stringContaining('open') }),
    ]);
    expect((await lenient.ready()).status).toBe('warn');
    breaker.moveTo('half-open');
    expect((await probes.ready()).checks!['upstream:circuit']![0]).toMatchObject({ observedValue: 'half_open', status: 'warn' });
    breaker.moveTo('closed');
    expect((await probes.ready()).status).toBe('pass');
  });

  test('a breaker without a state property is followed through its events', async () => {
    const full = fakeBreaker('legacy');
    const legacy = { name: 'legacy', onBreak: full.onBreak, onReset: full.onReset, onHalfOpen: full.onHalfOpen };
    const probes = health({ circuits: [legacy] });
    expect((await probes.ready()).checks!['legacy:circuit']![0]).toMatchObject({ observedValue: 'unknown', status: 'pass' });
    full.moveTo('open');
    expect((await probes.ready()).status).toBe('fail');
    full.moveTo('closed');
    expect((await probes.ready()).status).toBe('pass');
  });

  test('after close(), ready() fails without probing (the service is shutting down); live() still answers', async () => {
    let runs = 0;
    const full = fakeBreaker('legacy');
    const legacy = { name: 'legacy', onBreak: full.onBreak, onReset: full.onReset, onHalfOpen: full.onHalfOpen };
    const probes = health({ circuits: [legacy], checks: [{ name: 'db', check: async () => { runs++; } }] });
    expect((await probes.ready()).status).toBe('pass');
    await probes.close();
    await probes.close();
    full.moveTo('open'); // no longer followed: a report from the last state seen would say pass
    const report = await probes.ready();
    expect(report).toEqual({ status: 'fail', output: 'The health probes were closed: ready() was called after close(), so the service is shutting down and takes no traffic.' });
    expect(healthStatusCode(report)).toBe(503);
    expect(runs).toBe(1);
    expect((await probes.live()).status).toBe('pass');
  });

  test('concurrent readiness probes share one round of checks', async () => {
    let runs = 0;
    const probes = health({ checks: [{ name: 'db', check: async () => { runs++; } }] });
    const [a, b] = await Promise.all([probes.ready(), probes.ready()]);
    expect(a).toBe(b);
    expect(runs).toBe(1);
    await probes.ready();
    expect(runs).toBe(2);
  });

  test('rejects bad options by name', () => {
    expect(() => health({ checks: [{ name: '', check: () => {} }] })).toThrow('Expected `checks[0].name` to be a non-empty string, got "".');
    expect(() => health({ checks: [{ name: 'a', check: () => {} }, { name: 'a', check: () => {} }] })).toThrow('checks[1].name');
    expect(() => health({ checks: [{ name: 'a', timeoutMs: 0, check: () => {} }] })).toThrow('checks[0].timeoutMs');
    expect(() => health({ circuits: [{}] })).toThrow(/Expected `circuits\[0\]` to be a circuit breaker/);
    expect(() => health({ openCircuit: 'ignore' as never })).toThrow('openCircuit');
  });
});

describe('no credential reaches a health report', () => {
  /** The `output` of a check that fails with `message`, and the whole report as JSON. */
  const failingWith = async (message: string) => {
    const report = await health({ checks: [{ name: 'x', check: async () => { throw new Error(message); } }] }).ready();
    return { output: report.checks!.x![0]!.output, json: JSON.stringify(report) };
  };

  test.each([
    ['a query parameter', 'GET https://a/?api_key=sk_live_1 failed', 'Error: GET https://a/?api_key=[REDACTED] failed', 'sk_live_1'],
    ['several query parameters', 'GET https://a/v1?page=2&access_token=at-991&sig=ab12 failed', 'Error: GET https://a/v1?page=2&access_token=[REDACTED]&sig=[REDACTED] failed', 'at-991'],
    // bulwark-allow-secret: a fixture the report must redact
    ['a Bearer credential', 'upstream refused Bearer eyJhbGciOi.eyJzdWIi.c2ln', 'Error: upstream refused Bearer [REDACTED]', 'eyJhbGciOi'],
    ['a Basic credential', 'sent Basic dXNlcjpodW50ZXIy, got 401', 'Error: sent Basic [REDACTED], got 401', 'dXNlcjpodW50ZXIy'],
    ['an Authorization header', 'headers: { Authorization: Bearer abc123xyz }', 'Error: headers: { Authorization: [REDACTED] }', 'abc123xyz'],
    ['password=', 'connect failed: host=db user=app password=hunter2', 'Error: connect failed: host=db user=app password=[REDACTED]', 'hunter2'],
    ['passwd=', 'login passwd=hunter2 refused', 'Error: login passwd=[REDACTED] refused', 'hunter2'],
    ['secret:', 'client_secret: s3cr3t-value rejected', 'Error: client_secret: [REDACTED] rejected', 's3cr3t-value'],
    ['token=', 'token=tok_9f8e7d invalid', 'Error: token=[REDACTED] invalid', 'tok_9f8e7d'],
    ['apikey and api-key', 'apikey=k1k1k1k1 and X-Api-Key: k2k2k2k2', 'Error: apikey=[REDACTED] and X-Api-Key: [REDACTED]', 'k1k1'],
    ['auth=', 'auth=u5er:pa55 denied', 'Error: auth=[REDACTED] denied', 'pa55'],
    ['key=', 'key=AKIAEXAMPLE0001 not allowed', 'Error: key=[REDACTED] not allowed', 'AKIAEXAMPLE0001'],
    ['a JSON pair', 'body {"user":"app","password":"hunter2"}', 'Error: body {"user":"app","password":"[REDACTED]"}', 'hunter2'],
    // bulwark-allow-secret: a fixture the report must redact
    ['URL user information', 'connect ECONNREFUSED redis://default:hunter2@cache:6379', 'Error: connect ECONNREFUSED redis://[REDACTED]@cache:6379', 'hunter2'],
    ['a token as URL user', 'clone https://ghp_abc123@github.com/org/repo failed', 'Error: clone https://[REDACTED]@github.com/org/repo failed', 'ghp_abc123'],
  ])('%s is redacted in a failure’s output', async (_shape, message, expected, secret) => {
    const { output, json } = await failingWith(message);
    expect(output).toBe(expected);
    expect(json).not.toContain(secret);
  });

  test('ordinary words and names are left as they are', async () => {
    const { output } = await failingWith('TokenExpiredError: keyspace monkey=3 at https://a/v1?page=2 (Bearer token missing)');
    expect(output).toBe('Error: TokenExpiredError: keyspace monkey=3 at https://a/v1?page=2 (Bearer [REDACTED] missing)');
    expect((await failingWith('Token expired')).output).toBe('Error: Token expired');
  });

  test('the output and observedValue a check returns are redacted too, nested strings included', async () => {
    const report = await health({
      checks: [
        // bulwark-allow-secret: a fixture the report must redact
        { name: 'db', check: () => ({ status: 'warn', output: 'slow: postgres://app:hunter2@db/app?sslpassword=pw1', observedValue: 'token=tok_1' }) },
        // bulwark-allow-secret: a fixture the report must redact
        { name: 'api', check: () => ({ status: 'fail', observedValue: { url: new URL('https://u:hunter3@api/x?api_key=k-77'), tried: ['Bearer abc.def'] } }) },
      ],
    }).ready();
    expect(report.checks!.db![0]).toMatchObject({ output: 'slow: postgres://[REDACTED]@db/app?sslpassword=[REDACTED]', observedValue: 'token=[REDACTED]' });
    expect(report.checks!.api![0]!.observedValue).toEqual({ url: 'https://[REDACTED]@api/x?api_key=[REDACTED]', tried: ['Bearer [REDACTED]'] });
    const json = JSON.stringify(report);
    for (const secret of ['hunter2', 'hunter3', 'pw1', 'tok_1', 'k-77', 'abc.def']) expect(json).not.toContain(secret);
  });

  test('a thrown value that is not an Error is redacted, and one that cannot be shown still fails the check', async () => {
    const report = await health({
      checks: [
        { name: 'str', check: () => { throw 'password=hunter2'; } },
        { name: 'odd', check: () => { throw { toString: () => { throw new Error('no'); } }; } },
      ],
    }).ready();
    expect(report.checks!.str![0]).toMatchObject({ status: 'fail', output: 'thrown: password=[REDACTED]' });
    expect(report.checks!.odd![0]).toMatchObject({ status: 'fail', output: 'thrown: a value that cannot be shown' });
  });
});
