import { EventEmitter, expectName, expectOptions, invalidOption, knownOptions } from '@bulwark/core';
import { Secret } from './secret.js';
import type { SecretChangeEvent, SecretProvider, SecretVersions } from './secret-provider.js';

/** Options of {@link memoryProvider}. */
export interface MemoryProviderOptions {
  /** Initial secrets, name → value. @default {} */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Provider name in errors and events. @default 'memoryProvider' */
  readonly name?: string;
}

/** An in-memory {@link SecretProvider} for tests, with versions and rotation. */
export interface MemoryProvider extends SecretProvider {
  readonly onChange: SecretProvider['onChange'] & {};
  /** Sets a new current value; the old current becomes the previous version. Returns the new version. */
  set(name: string, value: string): string;
  /** Forgets a secret. */
  delete(name: string): void;
  /** How many times `fetch` was called, for tests that count round trips. */
  readonly fetchCount: number;
}

const MEMORY_PROVIDER_OPTIONS = knownOptions<MemoryProviderOptions>('memoryProvider()', {
  secrets: ['values', 'initial'],
  name: [],
});

/**
 * Secrets held in memory, for tests and examples. Each `set` makes a new version (`v1`, `v2`, …)
 * and keeps the one before as `previous`, like a real rotation.
 *
 * @example
 * ```ts
 * const provider = memoryProvider({ secrets: { API_KEY: 'key-1' } });
 * provider.set('API_KEY', 'key-2'); // rotation: v2 current, v1 previous
 * ```
 */
export function memoryProvider(options: MemoryProviderOptions = {}): MemoryProvider {
  expectOptions('options', options, MEMORY_PROVIDER_OPTIONS);
  const providerName = options.name ?? 'memoryProvider';
  expectName(providerName);
  const store = new Map<string, { versions: SecretVersions; counter: number }>();
  const changes = new EventEmitter<SecretChangeEvent>();
  let fetchCount = 0;

  const set = (name: string, value: string): string => {
    if (typeof name !== 'string' || name === '') throw invalidOption('name', name, 'a non-empty string');
    if (typeof value !== 'string') throw invalidOption('value', value, 'a string', { redact: true });
    const old = store.get(name);
    const counter = (old?.counter ?? 0) + 1;
    const version = `v${counter}`;
    store.set(name, { counter, versions: { current: new Secret(value, { name, version }), previous: old?.versions.current } });
    changes.emit({ name: providerName, secretName: name });
    return version;
  };
  expectOptions('secrets', options.secrets);
  for (const [name, value] of Object.entries(options.secrets ?? {})) {
    if (typeof value !== 'string') throw invalidOption(`secrets.${name}`, value, 'a string', { redact: true });
    set(name, value);
  }

  return {
    name: providerName,
    onChange: changes.event,
    async fetch(name: string): Promise<SecretVersions | undefined> {
      fetchCount++;
      return store.get(name)?.versions;
    },
    async list(): Promise<readonly string[]> {
      return [...store.keys()].sort();
    },
    set,
    delete(name: string): void {
      if (store.delete(name)) changes.emit({ name: providerName, secretName: name });
    },
    get fetchCount() {
      return fetchCount;
    },
  };
}
