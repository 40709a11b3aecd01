import { hash } from 'node:crypto';
import type { Cache } from '@bulwark/cache';
import type { Clock } from '@bulwark/core';
import type { EmailVerdict } from '../ports/email-verdict.js';
import type { CacheLookup, CachedVerdict, InvalidationTarget, ValidationCache } from '../ports/validation-cache.js';
import { domainOf } from '../services/email-address.js';

/**
 * The cache key of an address: a digest, so that no address is written in Redis key names (or seen
 * by whoever lists them). Addresses differing only in the domain's case are one key.
 */
function verdictKey(email: string): string {
  const at = email.lastIndexOf('@');
  const normalised = at < 0 ? email : `${email.slice(0, at)}@${email.slice(at + 1).toLowerCase()}`;
  return `v:${hash('sha256', normalised, 'base64url')}`;
}

/** The tag of every verdict on one domain, for invalidation by domain. */
const domainTag = (domain: string): string => `domain:${domain.toLowerCase()}`;

/** Adapter: {@link ValidationCache} over `@bulwark/cache` (memory, plus Redis when it has a client). */
export class BulwarkValidationCache implements ValidationCache {
  readonly ttlMs: number;
  readonly #cache: Cache;
  readonly #clock: Clock;

  constructor(cache: Cache, ttlMs: number, clock: Clock) {
    this.#cache = cache;
    this.ttlMs = ttlMs;
    this.#clock = clock;
  }

  async getOrLoad(email: string, load: () => Promise<EmailVerdict>, signal?: AbortSignal): Promise<CacheLookup> {
    let loaded = false;
    const domain = domainOf(email);
    const value = await this.#cache.getOrSet<CachedVerdict>(
      verdictKey(email),
      async () => {
        const verdict = await load();
        loaded = true;
        return { verdict, checkedAt: this.#clock.now() };
      },
      {
        ...(signal === undefined ? {} : { signal }),
        ...(domain === null ? {} : { tags: [domainTag(domain)] }),
      },
    );
    return { value, loaded };
  }

  async invalidate(target: InvalidationTarget): Promise<void> {
    if (target.kind === 'key') await this.#cache.delete(verdictKey(target.email));
    else if (target.kind === 'tag') await this.#cache.invalidateTag(target.tag);
    else await this.#cache.bumpNamespace();
  }
}
