// The checks behind resolveProfile: one per field, each naming the field, the value and what was
// expected. `checkProfileInput` looks at what a profile gives; `crossCheck` at the merged result,
// where fields meet (p99 against p50, the sum of the rates, outages against each other).
import { ConfigError } from '../config-error.js';
import type { Profile, ProfileInput } from '../profile.js';

type Check = (field: string, value: unknown) => void;

const SECTIONS: Readonly<Record<string, Readonly<Record<string, Check>>>> = {
  latency: { p50Ms: nonNegative, p99Ms: nonNegative, maxMs: nonNegative },
  errors: { rate: share, statuses: statusWeights },
  hangs: { rate: share, ms: nullOr(nonNegative) },
  drops: { rate: share },
  rateLimit: { quota: positiveInteger, windowMs: wholeSeconds },
  keys: { rotateEveryMs: nullOr(positiveInteger), overlapMs: nonNegative, file: nullOr(path) },
};

const TOP: Readonly<Record<string, Check>> = {
  extends: (field, value) => {
    if (value !== 'calm' && value !== 'mild' && value !== 'hard') fail(field, value, 'one of "calm", "mild", "hard"');
  },
  name: (field, value) => {
    if (typeof value !== 'string' || value.trim() === '') fail(field, value, 'a non-empty string');
  },
  seed: checkSeed,
  latency: section('latency'),
  errors: section('errors'),
  hangs: section('hangs'),
  drops: section('drops'),
  rateLimit: nullOr(section('rateLimit')),
  outages: outageList,
  keys: section('keys'),
};

function fail(field: string, value: unknown, expected: string): never {
  throw new ConfigError(field, value, expected);
}

/** A seed is a 32-bit unsigned integer. */
export function checkSeed(field: string, value: unknown): void {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 0xffffffff) fail(field, value, 'an integer from 0 to 4294967295');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fields(field: string, value: unknown, checks: Readonly<Record<string, Check>>, required = false): void {
  if (!isPlainObject(value)) fail(field, value, 'an object');
  if (required) for (const key of Object.keys(checks)) if (!(key in value)) checks[key]!(`${field}.${key}`, undefined);
  for (const [key, inner] of Object.entries(value)) {
    const path = field === '' ? key : `${field}.${key}`;
    const check = checks[key];
    if (check === undefined) {
      throw new ConfigError(path, inner, `one of ${Object.keys(checks).join(', ')}`, {
        message: `Unknown field \`${path}\`; expected one of ${Object.keys(checks).map((k) => (field === '' ? k : `${field}.${k}`)).join(', ')}.`,
      });
    }
    check(path, inner);
  }
}

function section(name: string): Check {
  return (field, value) => fields(field, value, SECTIONS[name]!);
}

function nullOr(check: Check): Check {
  return (field, value) => {
    if (value !== null) check(field, value);
  };
}

function nonNegative(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(field, value, 'a non-negative number of milliseconds');
}

function share(field: string, value: unknown): void {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) fail(field, value, 'a number from 0 to 1');
}

function positiveInteger(field: string, value: unknown): void {
  if (!Number.isInteger(value) || (value as number) < 1) fail(field, value, 'a positive integer');
}

function wholeSeconds(field: string, value: unknown): void {
  if (!Number.isInteger(value) || (value as number) < 1000 || (value as number) % 1000 !== 0) {
    fail(field, value, 'a whole number of seconds in milliseconds (1000, 2000, …), as RateLimit-Policy sends seconds');
  }
}

function path(field: string, value: unknown): void {
  if (typeof value !== 'string' || value === '') fail(field, value, 'a file path');
}

function statusWeights(field: string, value: unknown): void {
  if (!isPlainObject(value) || Object.keys(value).length === 0) fail(field, value, 'an object of statuses and weights, such as { "503": 1 }');
  for (const [status, weight] of Object.entries(value)) {
    if (!/^5\d\d$/.test(status)) fail(`${field}`, status, 'only statuses from 500 to 599 (401 and 429 come from the keys and the rate limit)');
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) fail(`${field}.${status}`, weight, 'a positive weight');
  }
}

function outageList(field: string, value: unknown): void {
  if (!Array.isArray(value)) fail(field, value, 'an array of { atMs, forMs }');
  value.forEach((outage, i) => fields(`${field}[${i}]`, outage, { atMs: nonNegative, forMs: positiveDuration }, true));
}

function positiveDuration(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(field, value, 'a positive number of milliseconds');
}

// The checks throw without a source; the error is named after the file (or other source) here, once.
function withSource(source: string | undefined, run: () => void): void {
  try {
    run();
  } catch (error) {
    if (source === undefined || !(error instanceof ConfigError)) throw error;
    throw new ConfigError(error.field, error.value, error.expected, { source, message: error.message });
  }
}

/** Checks the fields a profile input gives: names, types and ranges. */
export function checkProfileInput(input: ProfileInput, source: string | undefined): void {
  withSource(source, () => fields('', input, TOP));
}

/** Checks the merged profile where fields meet. */
export function crossCheck(profile: Profile, source: string | undefined): void {
  withSource(source, () => {
    const { latency, rateLimit, keys } = profile;
    if (latency.p99Ms < latency.p50Ms) fail('latency.p99Ms', latency.p99Ms, `at least latency.p50Ms (${latency.p50Ms})`);
    // A limit given in part over a profile with none must still come out whole.
    if (rateLimit !== null) fields('rateLimit', rateLimit, SECTIONS.rateLimit!, true);
    const failing = profile.errors.rate + profile.hangs.rate + profile.drops.rate;
    if (failing > 1 + 1e-9) fail('errors.rate + hangs.rate + drops.rate', failing, 'at most 1');
    profile.outages.forEach((outage, i) => {
      const before = profile.outages[i - 1];
      if (before !== undefined && outage.atMs < before.atMs + before.forMs) {
        fail(`outages[${i}].atMs`, outage.atMs, `at least ${before.atMs + before.forMs}, the end of outages[${i - 1}] (list windows in order, without overlap)`);
      }
    });
    if (keys.rotateEveryMs !== null && keys.overlapMs >= keys.rotateEveryMs) {
      fail('keys.overlapMs', keys.overlapMs, `less than keys.rotateEveryMs (${keys.rotateEveryMs})`);
    }
  });
}
