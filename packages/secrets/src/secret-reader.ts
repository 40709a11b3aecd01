import type { BulwarkError, ExecuteContext, Policy } from '@bulwark/core';
import type { ResultAsync } from 'neverthrow';
import type { Secret } from './secret.js';
import type { SecretVersions } from './secret-provider.js';
import type { LoadedSecrets, SecretSchema } from './secret-schema.js';

/** Options of `withSecret`. */
export interface WithSecretOptions {
  /** Which errors mean "this credential was refused". @default {@link isAuthFailure} (HTTP 401 and 403) */
  readonly isAuthFailure?: (error: unknown) => boolean;
}

/** What a {@link SecretPolicy} hands to its function: the usual context plus the secret to use. */
export interface SecretContext extends ExecuteContext {
  /** The version to use for this attempt; `reveal()` it at the call. */
  readonly secret: Secret<string>;
}

/**
 * A {@link Policy} that runs a call with a secret and, when the call fails with an auth failure,
 * runs it once more with the version `refreshOnAuthFailure` offers. Composes with `pipeline` like
 * any policy; put it innermost, so that an outer retry gets a fresh secret on every attempt.
 */
export interface SecretPolicy extends Policy<never, SecretContext> {
  /** `<manager>:<secret name>`, for logs and metrics. */
  readonly name: string;
}

/** Options of `scope`. */
export interface SecretScopeOptions {
  /** Who the view belongs to, in audit events and denials, such as `billing-client`. */
  readonly who: string;
  /** The names it may read: exact names, or prefixes written `stripe.*`. */
  readonly names: readonly string[];
}

/** Read access to secrets: the manager itself or a scoped view of it. */
export interface SecretReader {
  /** Who reads through this view, in audit events. */
  readonly who: string;
  /** The secret to use now, from the cache when fresh. Rejects with `SecretNotFoundError`, `SecretAccessDeniedError` or `SecretProviderFailedError`. */
  get(name: string): Promise<Secret<string>>;
  /** The neverthrow twin of `get`. */
  getResult(name: string): ResultAsync<Secret<string>, BulwarkError>;
  /** Current and previous versions, as known to the cache. */
  versions(name: string): Promise<SecretVersions>;
  /** The neverthrow twin of `versions`. */
  versionsResult(name: string): ResultAsync<SecretVersions, BulwarkError>;
  /** Reads every field of `schema` at once; rejects with one `SecretLoadFailedError` listing every problem. */
  load<const S extends SecretSchema>(schema: S): Promise<LoadedSecrets<S>>;
  /** The neverthrow twin of `load`. */
  loadResult<const S extends SecretSchema>(schema: S): ResultAsync<LoadedSecrets<S>, BulwarkError>;
  /**
   * Call after the other side refused `failed` (a 401 or 403): returns a different version to try
   * once — the new current one if the source has rotated, else the previous one while a rotation
   * overlaps — or `undefined` when there is nothing else to try. However many callers fail at
   * once, the providers are asked once.
   */
  refreshOnAuthFailure(name: string, failed?: Secret<string>): Promise<Secret<string> | undefined>;
  /** The neverthrow twin of `refreshOnAuthFailure`. */
  refreshOnAuthFailureResult(name: string, failed?: Secret<string>): ResultAsync<Secret<string> | undefined, BulwarkError>;
  /**
   * Runs `fn` with the secret; if it fails with an auth failure, runs it once more with the version
   * `refreshOnAuthFailure` offers. Other errors, and a second auth failure, reach the caller.
   */
  withSecret<T>(name: string, fn: (secret: Secret<string>) => PromiseLike<T> | T, options?: WithSecretOptions): Promise<T>;
  /** The neverthrow twin of `withSecret`. */
  withSecretResult<T>(
    name: string,
    fn: (secret: Secret<string>) => PromiseLike<T> | T,
    options?: WithSecretOptions,
  ): ResultAsync<T, BulwarkError>;
  /**
   * The same as `withSecret`, as a {@link Policy}: `fn` receives a context with `signal`, `attempt`
   * and `secret`. Rejects with the abort reason when `signal` aborts.
   *
   * @example
   * ```ts
   * import { pipeline } from '@bulwark/core';
   * import { retry } from '@bulwark/retry';
   * declare const url: string;
   * const vault = secretManager({ providers: envProvider() });
   * const stripe = pipeline(retry({ maxAttempts: 3 }), vault.policy('STRIPE_KEY'));
   * await stripe.execute((ctx) => fetch(url, { signal: ctx.signal, headers: { authorization: `Bearer ${(ctx as SecretContext).secret.reveal()}` } }));
   * ```
   */
  policy(name: string, options?: WithSecretOptions): SecretPolicy;
  /** A view that may read only `names` (within this view's own grants); anything else is denied. */
  scope(options: SecretScopeOptions): SecretReader;
}
