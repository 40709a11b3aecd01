import type { Cache } from '@bulwark/cache';
import type { Clock } from '@bulwark/core';
import type { DomainFact, DomainKnowledge } from '../ports/domain-knowledge.js';
import type { EmailVerdict } from '../ports/email-verdict.js';

/** Adapter: {@link DomainKnowledge} kept in a `@bulwark/cache` of its own (shared through Redis when it has a client). */
export class CacheDomainKnowledge implements DomainKnowledge {
  readonly #cache: Cache;
  readonly #clock: Clock;
  readonly #onError: (error: unknown) => void;

  constructor(cache: Cache, clock: Clock, onError: (error: unknown) => void) {
    this.#cache = cache;
    this.#clock = clock;
    this.#onError = onError;
  }

  learn(verdict: EmailVerdict): void {
    if (verdict.domain === null || verdict.reason === 'syntax' || verdict.reason === 'unverified') return;
    const key = `d:${verdict.domain}`;
    // Rewriting a fact already known would cost a Redis write per answer for nothing.
    if (this.#cache.peek<DomainFact>(key)?.reason === verdict.reason) return;
    const fact: DomainFact = { reason: verdict.reason, learnedAt: this.#clock.now() };
    this.#cache.set(key, fact).catch(this.#onError);
  }

  recall(domain: string): Promise<DomainFact | undefined> {
    return this.#cache.get<DomainFact>(`d:${domain}`);
  }
}
