import type { Event, EventPayload } from '@bulwark/core';
import type { Secret } from './secret.js';

/** What a provider returns for a secret: the current value and, when it knows one, the previous. */
export interface SecretVersions {
  /** The value to use now. */
  readonly current: Secret<string>;
  /** The value it replaced, still accepted by the other side while a rotation overlaps. */
  readonly previous?: Secret<string> | undefined;
}

/** What an `onChange` event says: which secret changed, when the provider can tell. `name` is the provider's. */
export interface SecretChangeEvent extends EventPayload {
  /** The secret's name, or `undefined` when the provider only knows that something changed. */
  readonly secretName: string | undefined;
}

/**
 * The one interface every source of secrets implements — environment, `.env` file, mounted
 * directory, encrypted store, memory, or your own (a cloud secret manager) — so that
 * {@link chainProviders} and {@link secretManager} treat them alike.
 *
 * @example
 * ```ts
 * declare const myVaultClient: { read(name: string, options: { signal?: AbortSignal }): Promise<string | undefined> };
 * const vaultProvider: SecretProvider = {
 *   name: 'my-vault',
 *   async fetch(name, signal) {
 *     const value = await myVaultClient.read(name, { signal });
 *     return value === undefined ? undefined : { current: secret(value, { name }) };
 *   },
 * };
 * ```
 */
export interface SecretProvider {
  /** Names this provider in errors and events. */
  readonly name: string;
  /**
   * The secret's versions, or `undefined` when this provider does not hold it. Throw (a
   * {@link SecretProviderFailedError} ideally) when it cannot tell — never return `undefined` for a
   * failure, or a lower-precedence provider would silently answer instead.
   */
  fetch(name: string, signal?: AbortSignal): Promise<SecretVersions | undefined>;
  /** The names it holds, when it can list them. */
  list?(): Promise<readonly string[]>;
  /** Fires when a secret changes at the source, so caches can drop it early. */
  readonly onChange?: Event<SecretChangeEvent>;
  /** Releases watchers and handles; awaited by whoever closes the provider (a chain closes its members). */
  close?(): void | Promise<void>;
}
