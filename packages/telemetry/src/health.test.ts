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
    expect(db.output).toBe('Error: connect ECONNREFUSED postgres://***@db:5432');
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
    probes.dispose(); // no longer following: the last state seen stays
    full.moveTo('open');
    expect((await probes.ready()).status).toBe('pass');
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
