import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { BUILT_IN_PROFILES, ConfigError, loadProfile, resolveProfile, type ProfileInput } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'upstream-simulator-profiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('resolveProfile', () => {
  test('an empty profile is the defaults: no latency, no faults, no limit, no rotation', () => {
    expect(resolveProfile({})).toEqual({
      name: 'custom',
      seed: 1,
      latency: { p50Ms: 0, p99Ms: 0, maxMs: 30_000 },
      errors: { rate: 0, statuses: { '500': 1, '502': 1, '503': 1 } },
      hangs: { rate: 0, ms: null },
      drops: { rate: 0 },
      rateLimit: null,
      outages: [],
      keys: { rotateEveryMs: null, overlapMs: 5_000, file: null },
    });
  });

  test('the built-in profiles, by name', () => {
    expect(Object.keys(BUILT_IN_PROFILES)).toEqual(['calm', 'mild', 'hard']);
    expect(resolveProfile('calm')).toMatchObject({ name: 'calm', latency: { p50Ms: 15, p99Ms: 60 }, errors: { rate: 0 }, rateLimit: null, outages: [] });
    expect(resolveProfile('mild')).toMatchObject({
      name: 'mild',
      errors: { rate: 0.05 },
      hangs: { rate: 0.005, ms: 5_000 },
      drops: { rate: 0.005 },
      rateLimit: { quota: 50, windowMs: 1_000 },
      keys: { rotateEveryMs: 120_000, overlapMs: 10_000 },
    });
    expect(resolveProfile('hard')).toEqual({
      name: 'hard',
      seed: 1,
      latency: { p50Ms: 40, p99Ms: 600, maxMs: 5_000 },
      errors: { rate: 0.2, statuses: { '500': 1, '502': 1, '503': 1 } },
      hangs: { rate: 0.02, ms: 10_000 },
      drops: { rate: 0.02 },
      rateLimit: { quota: 20, windowMs: 1_000 },
      outages: [{ atMs: 20_000, forMs: 10_000 }],
      keys: { rotateEveryMs: 40_000, overlapMs: 5_000, file: null },
    });
  });

  test('extends a built-in field by field; statuses and outages are replaced whole', () => {
    const profile = resolveProfile({ extends: 'hard', latency: { p99Ms: 900 }, errors: { statuses: { '503': 1 } }, outages: [] });
    expect(profile).toMatchObject({
      name: 'hard',
      latency: { p50Ms: 40, p99Ms: 900, maxMs: 5_000 },
      errors: { rate: 0.2, statuses: { '503': 1 } },
      outages: [],
      rateLimit: { quota: 20, windowMs: 1_000 },
    });
  });

  test('a median alone gives a constant latency', () => {
    expect(resolveProfile({ latency: { p50Ms: 120 } }).latency).toEqual({ p50Ms: 120, p99Ms: 120, maxMs: 30_000 });
  });

  test.each<[string, unknown, string, string]>([
    ['a built-in name that is not one', 'wild', 'profile', 'Expected `profile` to be one of "calm", "mild", "hard", got "wild".'],
    ['a misspelt field', { erors: { rate: 0.1 } }, 'erors', 'Unknown field `erors`; expected one of extends, name, seed, latency, errors, hangs, drops, rateLimit, outages, keys.'],
    ['a misspelt nested field', { latency: { p95Ms: 10 } }, 'latency.p95Ms', 'Unknown field `latency.p95Ms`; expected one of latency.p50Ms, latency.p99Ms, latency.maxMs.'],
    ['a rate above 1', { errors: { rate: 1.5 } }, 'errors.rate', 'Expected `errors.rate` to be a number from 0 to 1, got 1.5.'],
    ['a rate as text', { drops: { rate: '0.1' } }, 'drops.rate', 'Expected `drops.rate` to be a number from 0 to 1, got "0.1".'],
    ['rates adding past 1', { errors: { rate: 0.6 }, drops: { rate: 0.5 } }, 'errors.rate + hangs.rate + drops.rate', 'Expected `errors.rate + hangs.rate + drops.rate` to be at most 1, got 1.1.'],
    ['a p99 under the median', { latency: { p50Ms: 100, p99Ms: 50 } }, 'latency.p99Ms', 'Expected `latency.p99Ms` to be at least latency.p50Ms (100), got 50.'],
    ['a negative hang', { hangs: { ms: -1 } }, 'hangs.ms', 'Expected `hangs.ms` to be a non-negative number of milliseconds, got -1.'],
    ['a status outside 5xx', { errors: { statuses: { '404': 1 } } }, 'errors.statuses', 'Expected `errors.statuses` to be only statuses from 500 to 599 (401 and 429 come from the keys and the rate limit), got "404".'],
    ['a zero weight', { errors: { statuses: { '503': 0 } } }, 'errors.statuses.503', 'Expected `errors.statuses.503` to be a positive weight, got 0.'],
    ['a window of part seconds', { rateLimit: { quota: 10, windowMs: 1_500 } }, 'rateLimit.windowMs', 'Expected `rateLimit.windowMs` to be a whole number of seconds in milliseconds (1000, 2000, …), as RateLimit-Policy sends seconds, got 1500.'],
    ['a limit with no quota', { rateLimit: { windowMs: 1_000 } }, 'rateLimit.quota', 'Expected `rateLimit.quota` to be a positive integer, got undefined.'],
    ['overlapping outages', { outages: [{ atMs: 0, forMs: 5_000 }, { atMs: 4_000, forMs: 1_000 }] }, 'outages[1].atMs', 'Expected `outages[1].atMs` to be at least 5000, the end of outages[0] (list windows in order, without overlap), got 4000.'],
    ['an outage with no length', { outages: [{ atMs: 0 }] }, 'outages[0].forMs', 'Expected `outages[0].forMs` to be a positive number of milliseconds, got undefined.'],
    ['an overlap as long as the rotation', { keys: { rotateEveryMs: 1_000, overlapMs: 1_000 } }, 'keys.overlapMs', 'Expected `keys.overlapMs` to be less than keys.rotateEveryMs (1000), got 1000.'],
    ['a fractional seed', { seed: 1.5 }, 'seed', 'Expected `seed` to be an integer from 0 to 4294967295, got 1.5.'],
    ['an unknown base', { extends: 'stormy' }, 'extends', 'Expected `extends` to be one of "calm", "mild", "hard", got "stormy".'],
  ])('refuses %s, naming the field, the value and what was expected', (_, input, field, message) => {
    let caught: unknown;
    try {
      resolveProfile(input as ProfileInput);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(caught).toMatchObject({ code: 'BAD_CONFIG', field, message });
  });
});

describe('loadProfile', () => {
  test('reads a JSON file: named after it, with keys.file taken from its folder', async () => {
    const file = write('flaky.json', { extends: 'mild', errors: { rate: 0.3 }, keys: { file: 'upstream-key' } });
    expect(await loadProfile(file)).toMatchObject({
      name: 'flaky',
      errors: { rate: 0.3 },
      rateLimit: { quota: 50, windowMs: 1_000 },
      keys: { file: join(dir, 'upstream-key'), rotateEveryMs: 120_000 },
    });
  });

  test('names the file in every error', async () => {
    const bad = write('bad.json', { hangs: { rate: 2 } });
    await expect(loadProfile(bad)).rejects.toThrow(`${bad}: Expected \`hangs.rate\` to be a number from 0 to 1, got 2.`);
    const broken = write('broken.json', '{ "errors": ');
    await expect(loadProfile(broken)).rejects.toThrow(new RegExp(`^${broken}: not valid JSON \\(`));
    const list = write('list.json', []);
    await expect(loadProfile(list)).rejects.toThrow(`${list}: Expected \`profile\` to be a JSON object, got an array of length 0.`);
    const missing = join(dir, 'missing.json');
    await expect(loadProfile(missing)).rejects.toThrow(`Cannot read the profile ${missing} (ENOENT).`);
  });
});
