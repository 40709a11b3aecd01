import { EventEmitter, invalidOption } from '@bulwark/core';
import type { SecretChangeEvent, SecretProvider, SecretVersions } from './secret-provider.js';

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
export function chainProviders(...providers: readonly SecretProvider[]): SecretProvider {
  if (providers.length === 0) throw invalidOption('providers', providers, 'at least one provider');
  providers.forEach((p, i) => {
    if (typeof p?.fetch !== 'function' || typeof p.name !== 'string') {
      throw invalidOption(`providers[${i}]`, p, 'a SecretProvider (name and fetch)');
    }
  });
  const changes = new EventEmitter<SecretChangeEvent>();
  const subscriptions = providers.flatMap((p) => (p.onChange === undefined ? [] : [p.onChange((e) => changes.emit(e))]));
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
    async close(): Promise<void> {
      for (const s of subscriptions) s.dispose();
      await Promise.all(providers.map((p) => p.close?.()));
    },
  };
}
