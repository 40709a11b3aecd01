import { expectNumber, expectOptions, invalidOption, knownOptions, MAX_DURATION_MS, type KnownOptions } from '@bulwark/core';
import type { GetOrSetOptions } from '../cache-options.js';

/** The windows and tags one entry is made with, and the deadline of the load that makes it: a call's options over the cache's defaults. */
export interface Windows {
  ttlMs: number;
  swrMs: number;
  sieMs: number;
  negativeTtlMs: number;
  tags: readonly string[];
  isNegative: (value: any) => boolean;
  /** How long the loader may run before its load is abandoned; `Infinity`: no deadline. */
  loaderTimeoutMs: number;
}

/**
 * Why a window (and a lease) is at most core's `MAX_DURATION_MS`, in words, for messages. Redis keeps
 * an entry until its last window has passed, as an absolute time in milliseconds; past the bound the
 * expiry is no longer an exact integer Redis reads, and every write would fail while memory kept working.
 */
const MAX_WINDOW_WHY = '100 years, the longest Redis keeps an entry exactly';

export const NO_TAGS: readonly string[] = Object.freeze([]);

export const defaultIsNegative = (value: unknown): boolean => value === null || value === undefined;

/** The windows of a call: its options, each falling back to the cache's `defaults`. */
export function windowsOf(defaults: Windows, o: GetOrSetOptions<any> | undefined): Windows {
  if (o === undefined) return defaults;
  return {
    ttlMs: o.ttlMs ?? defaults.ttlMs,
    swrMs: o.staleWhileRevalidateMs ?? defaults.swrMs,
    sieMs: o.staleIfErrorMs ?? defaults.sieMs,
    negativeTtlMs: o.negativeTtlMs ?? defaults.negativeTtlMs,
    tags: o.tags ?? defaults.tags,
    isNegative: o.isNegative ?? defaults.isNegative,
    loaderTimeoutMs: o.loaderTimeoutMs ?? defaults.loaderTimeoutMs,
  };
}

/** The error a bad key or tag is (returned, so that callers reject rather than throw). */
export function checkKey(field: string, key: unknown): TypeError | undefined {
  return typeof key === 'string' && key.length > 0 ? undefined : invalidOption(field, key, 'a non-empty string');
}

/** The bounds of `loaderTimeoutMs`: above 0; `Infinity` turns the deadline off. */
export const LOADER_TIMEOUT_BOUNDS = { above: 0, allowInfinity: true } as const;

/** The bounds of every window (and of a lease): above 0 or from 0, and at most core's `MAX_DURATION_MS`. */
export const WINDOW_BOUNDS = { max: MAX_DURATION_MS, reason: MAX_WINDOW_WHY } as const;

/** Every option of a call, with the names other libraries use for them. */
const CALL_OPTIONS = {
  ttlMs: ['ttl', 'expiresIn', 'maxAge'],
  staleWhileRevalidateMs: ['staleWhileRevalidate', 'swr'],
  staleIfErrorMs: ['staleIfError'],
  negativeTtlMs: [],
  isNegative: [],
  tags: ['tag'],
  loaderTimeoutMs: ['loaderTimeout', 'timeout', 'timeoutMs'],
  signal: [],
};

// One per method a caller can pass options to (`getOrSetResult`, `policy().execute`), made when first used.
const KNOWN = new Map<string, KnownOptions>();

/** The error bad per-call options are, if they are (returned, so that callers reject rather than throw). */
export function checkEntryOptions(o: GetOrSetOptions<any> | undefined, method: string): TypeError | undefined {
  if (o === undefined) return undefined;
  let known = KNOWN.get(method);
  if (known === undefined) KNOWN.set(method, (known = knownOptions<GetOrSetOptions<unknown>>(`${method}()`, CALL_OPTIONS)));
  try {
    // A misspelt option (`{ ttl: 5 }`) would otherwise be ignored, and the entry kept for the default.
    expectOptions('options', o, known);
    if (o.ttlMs !== undefined) expectNumber('ttlMs', o.ttlMs, { above: 0, ...WINDOW_BOUNDS });
    if (o.negativeTtlMs !== undefined) expectNumber('negativeTtlMs', o.negativeTtlMs, { above: 0, ...WINDOW_BOUNDS });
    if (o.staleWhileRevalidateMs !== undefined) expectNumber('staleWhileRevalidateMs', o.staleWhileRevalidateMs, { min: 0, ...WINDOW_BOUNDS });
    if (o.staleIfErrorMs !== undefined) expectNumber('staleIfErrorMs', o.staleIfErrorMs, { min: 0, ...WINDOW_BOUNDS });
    if (o.loaderTimeoutMs !== undefined) expectNumber('loaderTimeoutMs', o.loaderTimeoutMs, LOADER_TIMEOUT_BOUNDS);
  } catch (error) {
    return error as TypeError;
  }
  const { tags, isNegative } = o;
  if (tags !== undefined) {
    if (!Array.isArray(tags)) return invalidOption('tags', tags, 'an array of non-empty strings');
    for (let i = 0; i < tags.length; i++) {
      const bad = checkKey(`tags[${i}]`, tags[i]);
      if (bad !== undefined) return bad;
    }
  }
  if (isNegative !== undefined && typeof isNegative !== 'function') return invalidOption('isNegative', isNegative, 'a function');
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) return invalidOption('signal', o.signal, 'an AbortSignal');
  return undefined;
}
