import { createFakeClock } from '@bulwark/core';
import { describe, expect, test } from 'vitest';
import { FakeCache, FakeDomains, FakeLogger, FakeMetrics, FakeTimings, FakeUpstream, fakeRequest } from '../../test/support/fakes.js';
import { container } from '../di.js';
import { TOKENS } from '../tokens.js';
import { OfflineValidator } from './offline-validator.js';
import { ValidationService } from './validation-service.js';

const HOUR = 3_600_000;

/** The service resolved through a container whose ports are fakes, as a request's child container would. */
function setUp() {
  const clock = createFakeClock({ now: Date.UTC(2026, 0, 1) });
  const upstream = new FakeUpstream();
  const cache = new FakeCache(HOUR, 24 * HOUR, clock);
  const domains = new FakeDomains(clock);
  const metrics = new FakeMetrics();
  const logger = new FakeLogger();
  const timings = new FakeTimings();
  const abort = new AbortController();
  const scope = container.createChildContainer();
  scope.register(TOKENS.Clock, { useValue: clock });
  scope.register(TOKENS.Upstream, { useValue: upstream });
  scope.register(TOKENS.Cache, { useValue: cache });
  scope.register(TOKENS.Domains, { useValue: domains });
  scope.register(TOKENS.Metrics, { useValue: metrics });
  scope.register(TOKENS.Logger, { useValue: logger });
  scope.register(TOKENS.RequestContext, { useValue: fakeRequest({ timings, signal: abort.signal }) });
  scope.register(TOKENS.OfflineValidator, { useClass: OfflineValidator });
  scope.register(TOKENS.ValidationService, { useClass: ValidationService });
  const service = () => scope.resolve<ValidationService>(TOKENS.ValidationService);
  return { clock, upstream, cache, domains, metrics, logger, timings, abort, service };
}

describe('ValidationService', () => {
  test('asks the upstream once, then answers from the cache with the verdict\'s age', async () => {
    const { service, upstream, clock, metrics } = setUp();
    const first = await service().validate('ada@site.dev');
    expect(first).toMatchObject({ email: 'ada@site.dev', valid: true, reason: 'accepted', source: 'upstream', ageMs: 0 });
    await clock.tickAsync(5_000);
    const second = await service().validate('ada@site.dev');
    expect(second).toMatchObject({ source: 'cache', ageMs: 5_000 });
    expect(upstream.calls).toHaveLength(1);
    expect(metrics.answers).toEqual(['upstream', 'cache']);
  });

  test('passes the request\'s traceparent, signal and timings to the upstream', async () => {
    const { service, upstream, timings } = setUp();
    await service().validate('ada@site.dev');
    expect(upstream.calls[0]?.call.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(upstream.calls[0]?.call.signal).toBeInstanceOf(AbortSignal);
    expect(upstream.calls[0]?.call.timings).toBe(timings);
    expect(Object.keys(timings.spent).sort()).toEqual(['cache', 'upstream']);
  });

  test('serves a stale verdict when the upstream fails after the verdict expired', async () => {
    const { service, upstream, clock } = setUp();
    await service().validate('ada@site.dev');
    await clock.tickAsync(2 * HOUR);
    upstream.answer = () => Object.assign(new Error('503'), { status: 503 });
    expect(await service().validate('ada@site.dev')).toMatchObject({ source: 'stale', ageMs: 2 * HOUR, valid: true });
  });

  test('answers offline from what earlier answers taught about the domain, with its age', async () => {
    const { service, upstream, clock, logger } = setUp();
    upstream.answer = (email) => ({ valid: false, reason: 'disposable', disposable: true, domain: email.split('@')[1]! });
    await service().validate('first@mailinator.com');
    await clock.tickAsync(60_000);
    upstream.answer = () => new Error('connect ECONNREFUSED 127.0.0.1:1');
    expect(await service().validate('second@mailinator.com')).toMatchObject({ source: 'offline', valid: false, reason: 'disposable', disposable: true, ageMs: 60_000 });
    expect(await service().validate('someone@unknown-domain.dev')).toMatchObject({ source: 'offline', valid: true, reason: 'unverified', ageMs: 0 });
    expect(await service().validate('not an address')).toMatchObject({ source: 'offline', valid: false, reason: 'syntax' });
    const line = logger.lines.find((l) => l.message === 'the upstream could not answer; answering offline')!;
    expect(line.level).toBe('info');
    expect(line.fields.error).toEqual({ name: 'Error' }); // the error's class, never its message
  });

  test('rejects with the caller\'s reason when the caller went away, rather than answering offline', async () => {
    const { service, upstream, abort } = setUp();
    upstream.answer = () => {
      abort.abort(new Error('gone'));
      return new Error('aborted');
    };
    await expect(service().validate('ada@site.dev')).rejects.toThrow('gone');
  });

  test('validates a batch in order, each address once', async () => {
    const { service, upstream } = setUp();
    const emails = Array.from({ length: 20 }, (_, i) => `user${i}@site.dev`);
    const answers = await service().validateMany(emails);
    expect(answers.map((a) => a.email)).toEqual(emails);
    expect(upstream.calls).toHaveLength(20);
  });
});
