import type { EmailVerdict } from './email-verdict.js';

/** A verdict as the cache keeps it: with when the upstream gave it (epoch ms). */
export interface CachedVerdict {
  readonly verdict: EmailVerdict;
  readonly checkedAt: number;
}

/** What a lookup found: the verdict, and whether `load` ran for it in this call. */
export interface CacheLookup {
  readonly value: CachedVerdict;
  readonly loaded: boolean;
}

/** What an invalidation drops: one address, every address under a tag (`domain:<name>`), or everything. */
export type InvalidationTarget =
  | { readonly kind: 'key'; readonly email: string }
  | { readonly kind: 'tag'; readonly tag: string }
  | { readonly kind: 'all' };

/** Port: verdicts already known, shared by every instance when the store is shared. */
export interface ValidationCache {
  /** How long a verdict is fresh, in milliseconds; older ones served are stale. */
  readonly ttlMs: number;
  /**
   * The verdict for `email`: fresh from the cache; else `load`'s (once however many callers ask);
   * else, when `load` fails, a stale one within the stale window; else `load`'s error.
   */
  getOrLoad(email: string, load: () => Promise<EmailVerdict>, signal?: AbortSignal): Promise<CacheLookup>;
  /** Drops verdicts everywhere the cache is shared. */
  invalidate(target: InvalidationTarget): Promise<void>;
}
