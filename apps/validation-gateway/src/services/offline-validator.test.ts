import { createFakeClock } from '@bulwark/core';
import { describe, expect, test } from 'vitest';
import { FakeDomains } from '../../test/support/fakes.js';
import { container } from '../di.js';
import { TOKENS } from '../tokens.js';
import { OfflineValidator } from './offline-validator.js';

function setUp() {
  const clock = createFakeClock({ now: 1_000_000 });
  const domains = new FakeDomains(clock);
  const scope = container.createChildContainer();
  scope.register(TOKENS.Clock, { useValue: clock });
  scope.register(TOKENS.Domains, { useValue: domains });
  scope.register(TOKENS.OfflineValidator, { useClass: OfflineValidator });
  return { clock, domains, offline: scope.resolve<OfflineValidator>(TOKENS.OfflineValidator) };
}

describe('OfflineValidator', () => {
  test.each([
    ['documentation domain', 'ada@example.org', false, 'no_mail_server'],
    ['subdomain of one', 'ada@mail.example.com', false, 'no_mail_server'],
    ['reserved .test', 'ada@mail.test', false, 'no_mail_server'],
    ['no @', 'ada.example.org', false, 'syntax'],
    ['two @', 'a@b@example.org', false, 'syntax'],
    ['dot at the start', '.ada@site.dev', false, 'syntax'],
    ['numeric top-level label', 'ada@10.0.0.1', false, 'syntax'],
    ['label with a leading hyphen', 'ada@-site.dev', false, 'syntax'],
    ['unknown domain', 'ada@site.dev', true, 'unverified'],
    ['plus addressing', 'ada+news@site.dev', true, 'unverified'],
  ])('%s: %s', async (_, email, valid, reason) => {
    const { offline } = setUp();
    expect((await offline.validate(email)).verdict).toMatchObject({ valid, reason });
  });

  test('uses the domain facts learnt, with their age', async () => {
    const { offline, domains, clock } = setUp();
    domains.learn({ valid: false, reason: 'disposable', disposable: true, domain: 'mailinator.com' });
    domains.learn({ valid: true, reason: 'known_provider', disposable: false, domain: 'gmail.com' });
    await clock.tickAsync(30_000);
    expect(await offline.validate('x@mailinator.com')).toEqual({ verdict: { valid: false, reason: 'disposable', disposable: true, domain: 'mailinator.com' }, ageMs: 30_000 });
    expect(await offline.validate('x@GMAIL.com')).toMatchObject({ verdict: { valid: true, reason: 'known_provider', domain: 'gmail.com' } });
  });
});
