import { describe, expect, test } from 'vitest';
import { parseHttpDate, parseRetryAfter, parseServerHints } from './index.js';

// 2015-10-21T07:28:00Z, the date of RFC 9110's Retry-After example.
const NOW = Date.UTC(2015, 9, 21, 7, 28, 0);

describe('parseHttpDate', () => {
  test('reads the three formats RFC 9110 requires, all meaning the same instant', () => {
    const expected = Date.UTC(1994, 10, 6, 8, 49, 37);
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(expected);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).toBe(expected);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(expected);
  });

  test('reads a two-digit RFC 850 year more than 50 years ahead as the past century', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseHttpDate('Thursday, 01-Jan-70 00:00:00 GMT', now)).toBe(Date.UTC(2070, 0, 1));
    expect(parseHttpDate('Monday, 01-Jan-80 00:00:00 GMT', now)).toBe(Date.UTC(1980, 0, 1));
  });

  test.each([
    '2015-10-21T07:28:00Z',
    'Wed, 21 Oct 2015 07:28:00 +0000',
    'Wed, 21 Oct 2015 07:28:00',
    'Wed, 31 Feb 2015 07:28:00 GMT',
    'Wed, 21 Foo 2015 07:28:00 GMT',
    'Wed, 21 Oct 2015 25:28:00 GMT',
    'wed, 21 oct 2015 07:28:00 gmt',
    'yesterday',
    '',
  ])('rejects %j', (text) => {
    expect(parseHttpDate(text, NOW)).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  test('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
  });

  test('reads an HTTP-date in each format against now', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', { now: NOW })).toBe(30_000);
    expect(parseRetryAfter('Wednesday, 21-Oct-15 07:29:00 GMT', { now: NOW })).toBe(60_000);
    expect(parseRetryAfter('Wed Oct 21 07:28:05 2015', { now: NOW })).toBe(5_000);
  });

  test('a date in the past means now', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', { now: NOW })).toBe(0);
  });

  test('clamps long waits to maxHintMs (a day by default)', () => {
    expect(parseRetryAfter('999999999')).toBe(86_400_000);
    expect(parseRetryAfter('600', { maxHintMs: 60_000 })).toBe(60_000);
    expect(parseRetryAfter('Fri, 21 Oct 2016 07:28:00 GMT', { now: NOW, maxHintMs: 5_000 })).toBe(5_000);
  });

  test.each(['-1', '1.5', '1e3', '10s', 'soon', '', '   ', '0x10', '+5'])('ignores malformed %j', (text) => {
    expect(parseRetryAfter(text, { now: NOW })).toBeUndefined();
  });

  test('ignores null and undefined', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('parseServerHints: input shapes', () => {
  test('reads a Fetch Response, with its status', () => {
    const response = new Response(null, { status: 429, headers: { 'Retry-After': '3' } });
    const hints = parseServerHints(response, { now: NOW });
    expect(hints.status).toBe(429);
    expect(hints.retryAfterMs).toBe(3_000);
    expect(hints.waitMs).toBe(3_000);
    expect(hints.source).toBe('retry-after');
  });

  test('reads Headers and plain records in any case, joining repeated values', () => {
    const fromHeaders = parseServerHints(new Headers({ 'x-ratelimit-remaining': '7' }), { now: NOW });
    expect(fromHeaders.remaining).toBe(7);
    expect(fromHeaders.status).toBeUndefined();
    const fromRecord = parseServerHints(
      { 'RateLimit-Policy': ['"a";q=10;w=1', '"b";q=100;w=60'], RateLimit: '"a";r=3;t=1, "b";r=50;t=40' },
      { now: NOW },
    );
    expect(fromRecord.policies.map((p) => p.name)).toEqual(['a', 'b']);
    expect(fromRecord.remaining).toBe(3);
    expect(fromRecord.limit).toBe(10);
  });

  test('reads a response-shaped object whose headers are a plain record (undici request, got, axios)', () => {
    const hints = parseServerHints({ status: 503, headers: { 'retry-after': '9', 'content-length': 0 } }, { now: NOW });
    expect(hints).toMatchObject({ status: 503, retryAfterMs: 9_000 });
  });

  test('rejects a value that is not headers at all', () => {
    expect(() => parseServerHints(null as never)).toThrow(/Expected `input` to be a Response, Headers or a record of headers, got null/);
  });

  test('says nothing when nothing was said', () => {
    expect(parseServerHints({ 'content-type': 'text/plain' })).toEqual({
      status: undefined,
      retryAfterMs: undefined,
      remaining: undefined,
      limit: undefined,
      resetMs: undefined,
      waitMs: undefined,
      policies: [],
      limits: [],
      source: 'none',
    });
  });
});

describe('parseServerHints: IETF RateLimit and RateLimit-Policy', () => {
  test('reads the draft examples', () => {
    const hints = parseServerHints(
      { 'RateLimit-Policy': '"burst";q=100;w=60,"daily";q=1000;w=86400', RateLimit: '"default";r=50;t=30' },
      { now: NOW },
    );
    expect(hints.policies).toEqual([
      { name: 'burst', quota: 100, windowMs: 60_000, quotaUnit: undefined, partitionKey: undefined },
      { name: 'daily', quota: 1000, windowMs: 86_400_000, quotaUnit: undefined, partitionKey: undefined },
    ]);
    expect(hints.limits).toEqual([{ name: 'default', remaining: 50, resetMs: 30_000, partitionKey: undefined }]);
    expect(hints.remaining).toBe(50);
    expect(hints.resetMs).toBe(30_000);
    expect(hints.waitMs).toBeUndefined();
    expect(hints.source).toBe('ratelimit');
  });

  test('reads quota units and partition keys', () => {
    const hints = parseServerHints({
      'RateLimit-Policy': '"peruser";q=100;w=60;qu="requests";pk=:cHsdsRa894==:',
      RateLimit: '"peruser";r=0;t=12;pk=:cHsdsRa894==:',
    });
    // The key is decoded and written again as canonical base64 (this example from the draft has
    // stray padding bits), so two spellings of one key compare equal.
    expect(hints.policies[0]).toMatchObject({ quotaUnit: 'requests', partitionKey: 'cHsdsRa89w==' });
    expect(hints.limits[0]).toMatchObject({ remaining: 0, resetMs: 12_000, partitionKey: 'cHsdsRa89w==' });
    expect(hints.limit).toBe(100);
    expect(hints.waitMs).toBe(12_000);
  });

  test('summarises the most constrained quota: an exhausted one with the longest reset', () => {
    const hints = parseServerHints({ RateLimit: '"second";r=5;t=1, "hour";r=0;t=1800, "minute";r=0;t=20' });
    expect(hints.remaining).toBe(0);
    expect(hints.resetMs).toBe(1_800_000);
    expect(hints.waitMs).toBe(1_800_000);
  });

  test('Retry-After takes precedence over RateLimit', () => {
    const hints = parseServerHints({ 'Retry-After': '5', RateLimit: '"default";r=0;t=60' });
    expect(hints.waitMs).toBe(5_000);
    expect(hints.resetMs).toBe(60_000);
    expect(hints.source).toBe('retry-after');
  });

  test('accepts token identifiers and the old drafts numeric policy items', () => {
    expect(parseServerHints({ RateLimit: 'default;r=4' }).remaining).toBe(4);
    const old = parseServerHints({ 'RateLimit-Policy': '10;w=1, 50;w=60' });
    expect(old.policies.map((p) => [p.quota, p.windowMs])).toEqual([
      [10, 1_000],
      [50, 60_000],
    ]);
  });

  test.each([
    '"default";r=50;t=30,',
    '"default";r=50;;t=30',
    '"default;r=50',
    '"default";R=50',
    '"default";r=50 "other";r=1',
  ])('ignores a whole invalid field: %j', (field) => {
    const hints = parseServerHints({ RateLimit: field });
    expect(hints.limits).toEqual([]);
    expect(hints.remaining).toBeUndefined();
  });

  test('follows Structured Field syntax: whitespace, escapes, unknown parameters, inner lists', () => {
    const hints = parseServerHints({
      RateLimit: ' "a\\"b";r=1;x;y=?0;z=1.5 ,\t"c";r=2,  (1 2);r=0, "d"; r=3 ',
    });
    expect(hints.limits.map((l) => [l.name, l.remaining])).toEqual([
      ['a"b', 1],
      ['c', 2],
      ['d', 3],
    ]);
  });

  test('skips members without the required parameter or with negative or decimal values', () => {
    const hints = parseServerHints({ RateLimit: '"a";t=3, "b";r=-1, "c";r=1.5, "d";r=2' });
    expect(hints.limits.map((l) => l.name)).toEqual(['d']);
  });

  test('reads the earlier drafts RateLimit-Limit/Remaining/Reset (delta seconds)', () => {
    const hints = parseServerHints({ 'RateLimit-Limit': '100, 100;w=60', 'RateLimit-Remaining': '0', 'RateLimit-Reset': '42' });
    expect(hints).toMatchObject({ limit: 100, remaining: 0, resetMs: 42_000, waitMs: 42_000, source: 'ratelimit' });
  });
});

describe('parseServerHints: legacy X-RateLimit-*', () => {
  test('tells an epoch-seconds reset from a delta and from epoch milliseconds', () => {
    const epochSeconds = parseServerHints({ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(NOW / 1000 + 90) }, { now: NOW });
    const delta = parseServerHints({ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '90' }, { now: NOW });
    const epochMs = parseServerHints({ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(NOW + 90_000) }, { now: NOW });
    expect([epochSeconds.resetMs, delta.resetMs, epochMs.resetMs]).toEqual([90_000, 90_000, 90_000]);
    expect(epochSeconds.waitMs).toBe(90_000);
  });

  test('a reset in the past means now; a reset far ahead is clamped', () => {
    expect(parseServerHints({ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(NOW / 1000 - 10) }, { now: NOW }).resetMs).toBe(0);
    expect(parseServerHints({ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '99999999' }, { now: NOW, maxHintMs: 60_000 }).resetMs).toBe(60_000);
  });

  test('prefers X-RateLimit-Reset-After (fractional seconds) to X-RateLimit-Reset', () => {
    const hints = parseServerHints({ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '1470173023.123', 'X-RateLimit-Reset-After': '1.2' }, { now: NOW });
    expect(hints.resetMs).toBe(1_200);
  });

  test('ignores garbage', () => {
    const hints = parseServerHints({ 'X-RateLimit-Remaining': 'lots', 'X-RateLimit-Reset': 'soon' });
    expect(hints.remaining).toBeUndefined();
    expect(hints.source).toBe('none');
  });
});

// Header sets written from the providers' public documentation of their formats. Times are chosen
// relative to NOW so the expected waits are exact.
describe('parseServerHints: documented header sets of public APIs', () => {
  const cases: Array<{ name: string; status: number; headers: Record<string, string>; expected: Record<string, unknown> }> = [
    {
      name: 'GitHub REST, primary limit exhausted (403/429 with x-ratelimit-*, reset in epoch seconds)',
      status: 403,
      headers: {
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-used': '5000',
        'x-ratelimit-reset': String(NOW / 1000 + 1200),
        'x-ratelimit-resource': 'core',
      },
      expected: { limit: 5000, remaining: 0, resetMs: 1_200_000, waitMs: 1_200_000, source: 'x-ratelimit' },
    },
    {
      name: 'GitHub REST, secondary limit (retry-after in seconds)',
      status: 403,
      headers: { 'retry-after': '60', 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4987', 'x-ratelimit-reset': String(NOW / 1000 + 3000) },
      expected: { retryAfterMs: 60_000, remaining: 4987, waitMs: 60_000, source: 'retry-after' },
    },
    {
      name: 'Discord, bucket exhausted (epoch seconds with decimals and reset-after)',
      status: 200,
      headers: {
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(NOW / 1000 + 1.25),
        'x-ratelimit-reset-after': '1.25',
        'x-ratelimit-bucket': 'abcd1234',
      },
      expected: { limit: 5, remaining: 0, resetMs: 1_250, waitMs: 1_250 },
    },
    {
      name: 'Twitter/X v2 (x-rate-limit-*, epoch seconds)',
      status: 429,
      headers: { 'x-rate-limit-limit': '900', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(NOW / 1000 + 600) },
      expected: { limit: 900, remaining: 0, resetMs: 600_000, waitMs: 600_000, source: 'x-ratelimit' },
    },
    {
      name: 'a limit sent alone on a success (a gateway writing X-RateLimit-Limit on every response)',
      status: 200,
      headers: { 'x-ratelimit-limit': '5' },
      expected: { limit: 5, remaining: undefined, resetMs: undefined, waitMs: undefined, source: 'x-ratelimit' },
    },
    {
      name: 'an earlier draft\'s RateLimit-Limit sent alone',
      status: 200,
      headers: { 'ratelimit-limit': '100' },
      expected: { limit: 100, remaining: undefined, resetMs: undefined, waitMs: undefined, source: 'ratelimit' },
    },
    {
      name: 'Stripe-like 429 with no rate-limit headers at all',
      status: 429,
      headers: { 'content-type': 'application/json', 'request-id': 'req_123' },
      expected: { status: 429, retryAfterMs: undefined, waitMs: undefined, source: 'none' },
    },
    {
      name: 'IETF draft example: policy and current state for one quota',
      status: 200,
      headers: { 'ratelimit-policy': '"default";q=100;w=10', ratelimit: '"default";r=50;t=5' },
      expected: { limit: 100, remaining: 50, resetMs: 5_000, waitMs: undefined, source: 'ratelimit' },
    },
    {
      name: 'IETF draft example: throttled, with Retry-After as an HTTP-date',
      status: 429,
      headers: {
        'ratelimit-policy': '"permin";q=50;w=60',
        ratelimit: '"permin";r=0;t=5',
        'retry-after': 'Wed, 21 Oct 2015 07:28:05 GMT',
      },
      expected: { limit: 50, remaining: 0, retryAfterMs: 5_000, waitMs: 5_000, source: 'retry-after' },
    },
    {
      name: 'Reddit (delta-seconds reset, decimal remaining)',
      status: 200,
      headers: { 'x-ratelimit-used': '1', 'x-ratelimit-remaining': '599.0', 'x-ratelimit-reset': '45' },
      expected: { remaining: 599, resetMs: 45_000, waitMs: undefined },
    },
  ];

  test.each(cases)('$name', ({ status, headers, expected }) => {
    const hints = parseServerHints(new Response(null, { status, headers }), { now: NOW });
    expect(hints).toMatchObject(expected);
  });
});

describe('a caller mistake is a TypeError naming the field, never a NaN or negative wait', () => {
  test('parseRetryAfter refuses a value that is not a header value', () => {
    expect(() => parseRetryAfter(30 as never)).toThrow('Expected `value` to be a Retry-After header value (a string), null or undefined, got 30.');
    expect(() => parseRetryAfter(['30'] as never)).toThrow('Expected `value` to be a Retry-After header value (a string), null or undefined, got an array of length 1.');
  });

  test('parseHttpDate refuses a value that is not a string and a now that is not a time', () => {
    expect(() => parseHttpDate(5 as never)).toThrow('Expected `value` to be an HTTP-date (a string), got 5.');
    expect(() => parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT', 'now' as never)).toThrow(
      'Expected `now` to be a finite number (milliseconds since the Unix epoch, as Date.now() gives), got "now".',
    );
  });

  test.each([
    ['parseRetryAfter', (options: object) => parseRetryAfter('30', options)],
    ['parseServerHints', (options: object) => parseServerHints({ 'retry-after': '30' }, options)],
  ])('%s checks its options', (of, parse) => {
    expect(() => parse({ maxHintMs: 'x' })).toThrow('Expected `maxHintMs` to be a non-negative number or Infinity, got "x".');
    expect(() => parse({ maxHintMs: -1 })).toThrow('Expected `maxHintMs` to be a non-negative number or Infinity, got -1.');
    expect(() => parse({ now: Number.NaN })).toThrow(/^Expected `now` to be a finite number \(milliseconds since the Unix epoch, as Date.now\(\) gives\), got NaN\.$/);
    expect(() => parse({ maxHint: 5 })).toThrow(`Unknown option \`maxHint\` of ${of}(); did you mean \`maxHintMs\`?`);
    expect(() => parse('soon' as never)).toThrow('Expected `options` to be an options object, got "soon".');
  });

  test('a ceiling of Infinity is no ceiling', () => {
    expect(parseRetryAfter('864000', { maxHintMs: Infinity })).toBe(864_000_000);
    expect(parseServerHints({ 'retry-after': '864000' }, { maxHintMs: Infinity }).retryAfterMs).toBe(864_000_000);
  });
});
