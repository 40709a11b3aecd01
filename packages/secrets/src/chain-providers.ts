import { EventEmitter, invalidOption } from '@bulwark/core';
import type { SecretChangeEvent, SecretProvider, SecretVersions } from './secret-provider.js';

/** What {@link chainProviders} returns: a provider over its members, which it closes with itself. */
export interface ProviderChain extends SecretProvider {
  /** Stops relaying the members' changes and closes every member that can be closed. Idempotent. */
  close(): Promise<void>;
  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Combines providers with precedence: the first that holds a secret answers. A provider that
 * fails (throws) stops the lookup with its error: a lower-precedence provider never silently
 * answers for a higher one that is down.
 *
 * @example
 * ```ts
 * const providers = chainProviders(envProvider(), directoryProvider({ path: '/run/secrets' }), dotenvProvider({ path: '.env' }));
 * ```
 */
export function chainProviders(...providers: readonly SecretProvider[]): ProviderChain {
  if (providers.length === 0) throw invalidOption('providers', providers, 'at least one provider');
  providers.forEach((p, i) => {
    if (typeof p?.fetch !== 'function' || typeof p.name !== 'string') {
      throw invalidOption(`providers[${i}]`, p, 'a SecretProvider (name and fetch)');
    }
  });
  const changes = new EventEmitter<SecretChangeEvent>();
  const subscriptions = providers.flatMap((p) => (p.onChange === undefined ? [] : [p.onChange((e) => changes.emit(e))]));
  const close = async (): Promise<void> => {
    for (const s of subscriptions.splice(0)) s.dispose();
    await Promise.all(providers.map((p) => p.close?.()));
  };
  return {
    name: providers.map((p) => p.name).join(' > '),
    onChange: changes.event,
    async fetch(name: string, signal?: AbortSignal): Promise<SecretVersions | undefined> {
      for (const provider of providers) {
        const found = await provider.fetch(name, signal);
        if (found !== undefined) return found;
      }
      return undefined;
    },
    async list(): Promise<readonly string[]> {
      const all = await Promise.all(providers.map((p) => p.list?.() ?? Promise.resolve([])));
      return [...new Set(all.flat())].sort();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
