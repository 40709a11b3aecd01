import { invalidOption } from '@bulwark/core';
import type { GetOrSetOptions } from '../cache-options.js';

/** The windows and tags one entry is made with: a call's options over the cache's defaults. */
export interface Windows {
  ttlMs: number;
  swrMs: number;
  sieMs: number;
  negativeTtlMs: number;
  tags: readonly string[];
  isNegative: (value: any) => boolean;
}

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
  };
}

/** The error a bad key or tag is (returned, so that callers reject rather than throw). */
export function checkKey(field: string, key: unknown): TypeError | undefined {
  return typeof key === 'string' && key.length > 0 ? undefined : invalidOption(field, key, 'a non-empty string');
}

/** The error bad per-call options are, if they are. */
export function checkEntryOptions(o: GetOrSetOptions<any> | undefined): TypeError | undefined {
  if (o === undefined) return undefined;
  if (typeof o !== 'object' || o === null) return invalidOption('options', o, 'an options object');
  const { ttlMs, staleWhileRevalidateMs, staleIfErrorMs, negativeTtlMs, tags, isNegative } = o;
  if (ttlMs !== undefined && !(typeof ttlMs === 'number' && ttlMs > 0 && Number.isFinite(ttlMs))) {
    return invalidOption('ttlMs', ttlMs, 'a positive number of milliseconds');
  }
  if (negativeTtlMs !== undefined && !(typeof negativeTtlMs === 'number' && negativeTtlMs > 0 && Number.isFinite(negativeTtlMs))) {
    return invalidOption('negativeTtlMs', negativeTtlMs, 'a positive number of milliseconds');
  }
  if (staleWhileRevalidateMs !== undefined && !(typeof staleWhileRevalidateMs === 'number' && staleWhileRevalidateMs >= 0 && Number.isFinite(staleWhileRevalidateMs))) {
    return invalidOption('staleWhileRevalidateMs', staleWhileRevalidateMs, 'a non-negative number of milliseconds');
  }
  if (staleIfErrorMs !== undefined && !(typeof staleIfErrorMs === 'number' && staleIfErrorMs >= 0 && Number.isFinite(staleIfErrorMs))) {
    return invalidOption('staleIfErrorMs', staleIfErrorMs, 'a non-negative number of milliseconds');
  }
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
