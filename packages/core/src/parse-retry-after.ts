import { expectHttpDateNow, parseHttpDate } from './parse-http-date.js';
import { expectNumber, expectOptions, invalidOption, knownOptions, type KnownOptions } from './validate.js';

/** Options for {@link parseRetryAfter}. */
export interface ParseRetryAfterOptions {
  /** The current wall-clock time, milliseconds since the Unix epoch, to measure an HTTP-date against. @default Date.now() */
  readonly now?: number;
  /** Longer waits are clamped to this, in milliseconds. @default 86_400_000 (one day) */
  readonly maxHintMs?: number;
}

/** The default ceiling on server-requested waits: one day. */
export const DEFAULT_MAX_HINT_MS = 86_400_000;

/**
 * Reads a `Retry-After` value (RFC 9110 §10.2.3) and returns the wait it asks for, in milliseconds,
 * or `undefined` when the value is malformed (and so must not be trusted).
 *
 * Accepts `delay-seconds` (digits only: `120`; not `1.5`, not `-1`) and an HTTP-date in any of its
 * three formats. A date in the past means "now" (0). The result is clamped to `maxHintMs`, so a server
 * (or an attacker in the middle) cannot park a client for a year.
 *
 * @example
 * ```ts
 * parseRetryAfter('120'); // 120000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', { now: Date.parse('2015-10-21T07:27:00Z') }); // 60000
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, options: ParseRetryAfterOptions = {}): number | undefined {
  expectHintOptions(options, PARSE_RETRY_AFTER_OPTIONS);
  if (value !== null && value !== undefined && typeof value !== 'string') {
    throw invalidOption('value', value, 'a Retry-After header value (a string), null or undefined');
  }
  return retryAfterMs(value, options.now ?? Date.now(), options.maxHintMs ?? DEFAULT_MAX_HINT_MS);
}

/** {@link parseRetryAfter} with its options already checked: for callers that checked them once. */
export function retryAfterMs(value: string | null | undefined, now: number, maxMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, maxMs);
  const at = parseHttpDate(text, now);
  if (at === undefined) return undefined;
  return Math.min(Math.max(0, at - now), maxMs);
}

const PARSE_RETRY_AFTER_OPTIONS = knownOptions<ParseRetryAfterOptions>('parseRetryAfter()', { now: [], maxHintMs: ['maxHint', 'maxWaitMs'] });

/**
 * Checks the options every server-hint parser takes: a `now` that is a finite number and a
 * `maxHintMs` that is not negative (a NaN or a negative ceiling would turn every wait into NaN or a
 * negative number, which a caller would then sleep on).
 */
export function expectHintOptions(options: unknown, known: KnownOptions): asserts options is ParseRetryAfterOptions {
  expectOptions('options', options, known);
  if (options === undefined) return;
  const { now, maxHintMs } = options as ParseRetryAfterOptions;
  if (now !== undefined) expectHttpDateNow(now);
  if (maxHintMs !== undefined) expectNumber('maxHintMs', maxHintMs, { min: 0, allowInfinity: true });
}
