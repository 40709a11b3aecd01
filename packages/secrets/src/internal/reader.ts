import { expectFunction, expectOptions, invalidOption, knownOptions, toResult, type AbortSource, type BulwarkError, type KnownOptions } from '@bulwark/core';
import type { ResultAsync } from 'neverthrow';
import { isAuthFailure } from '../is-auth-failure.js';
import type { Secret } from '../secret.js';
import { SecretAccessDeniedError } from '../secret-access-denied-error.js';
import { SecretManagerClosedError } from '../secret-manager-closed-error.js';
import type { SecretVersions } from '../secret-provider.js';
import type { SecretContext, SecretPolicy, SecretReader, SecretScopeOptions, WithSecretOptions } from '../secret-reader.js';
import type { LoadedSecrets, SecretSchema } from '../secret-schema.js';
import { compileGrants } from './grants.js';
import { loadSchema } from './load-schema.js';
import type { ManagerEvents } from './manager-events.js';
import { SecretCallContext } from './secret-call-context.js';
import { preferred, type SecretCache } from './secret-cache.js';

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') throw invalidOption('name', name, 'a non-empty string');
}

const WITH_SECRET_OPTIONS = knownOptions<WithSecretOptions>('withSecret()', { isAuthFailure: ['isAuthError', 'isAuthFailed', 'authFailure'] });
const POLICY_OPTIONS = knownOptions<WithSecretOptions>('policy()', { isAuthFailure: ['isAuthError', 'isAuthFailed', 'authFailure'] });
const SCOPE_OPTIONS = knownOptions<SecretScopeOptions>('scope()', { who: [], names: ['grants', 'allow'] });

// A misspelt `isAuthFailure` would otherwise leave the default in place without a word.
function checkCallOptions(options: WithSecretOptions, known: KnownOptions): void {
  expectOptions('options', options, known);
  if (options.isAuthFailure !== undefined) expectFunction('isAuthFailure', options.isAuthFailure);
}

/**
 * Read access to a manager's secrets as `who`, within `allowed`: every read and denial audited,
 * the version to use after an auth failure, calls run with a secret, and narrower views of itself.
 * The manager is the reader of everything, as its own `who`.
 */
export class Reader implements SecretReader {
  readonly who: string;
  readonly #allowed: (name: string) => boolean;
  readonly #cache: SecretCache;
  readonly #events: ManagerEvents;

  constructor(who: string, allowed: (name: string) => boolean, cache: SecretCache, events: ManagerEvents) {
    this.who = who;
    this.#allowed = allowed;
    this.#cache = cache;
    this.#events = events;
  }

  #check(name: string): void {
    checkName(name);
    if (!this.#allowed(name)) {
      this.#events.audited('denied', name, undefined, this.who);
      throw new SecretAccessDeniedError(name, this.who);
    }
  }

  /**
   * After the manager's `close()` nothing refreshes its secrets or hears that one changed, so a read
   * could serve a stale secret: every new call is refused, as a closed cache refuses. A call already
   * under way is not: it goes on through the `#`-methods below, which never ask.
   */
  #refuseIfClosed(method: string): void {
    if (this.#cache.closed) throw new SecretManagerClosedError(this.#events.name, method);
  }

  /** `run()`, unless the manager is closed: then a rejection naming `method`, as the caller called it. */
  async #open<T>(method: string, run: () => Promise<T>): Promise<T> {
    this.#refuseIfClosed(method);
    return run();
  }

  get(name: string): Promise<Secret<string>> {
    return this.#open('get', () => this.#get(name));
  }

  getResult(name: string): ResultAsync<Secret<string>, BulwarkError> {
    return toResult(this.#open('getResult', () => this.#get(name)));
  }

  async #get(name: string): Promise<Secret<string>> {
    this.#check(name);
    const secret = preferred(await this.#cache.fresh(name, this.who));
    this.#events.audited('read', name, secret.version, this.who);
    return secret;
  }

  versions(name: string): Promise<SecretVersions> {
    return this.#open('versions', () => this.#versions(name));
  }

  versionsResult(name: string): ResultAsync<SecretVersions, BulwarkError> {
    return toResult(this.#open('versionsResult', () => this.#versions(name)));
  }

  async #versions(name: string): Promise<SecretVersions> {
    this.#check(name);
    const cached = await this.#cache.fresh(name, this.who);
    this.#events.audited('read', name, cached.current.version, this.who);
    return { current: cached.current, previous: cached.previous };
  }

  load<const S extends SecretSchema>(schema: S): Promise<LoadedSecrets<S>> {
    return this.#open('load', () => loadSchema(schema, (name) => this.#get(name), this.who));
  }

  loadResult<const S extends SecretSchema>(schema: S): ResultAsync<LoadedSecrets<S>, BulwarkError> {
    return toResult(this.#open('loadResult', () => loadSchema(schema, (name) => this.#get(name), this.who)));
  }

  refreshOnAuthFailure(name: string, failed?: Secret<string>): Promise<Secret<string> | undefined> {
    return this.#open('refreshOnAuthFailure', () => this.#refreshOnAuthFailure(name, failed));
  }

  refreshOnAuthFailureResult(name: string, failed?: Secret<string>): ResultAsync<Secret<string> | undefined, BulwarkError> {
    return toResult(this.#open('refreshOnAuthFailureResult', () => this.#refreshOnAuthFailure(name, failed)));
  }

  async #refreshOnAuthFailure(name: string, failed: Secret<string> | undefined): Promise<Secret<string> | undefined> {
    this.#check(name);
    const events = this.#events;
    let cached = this.#cache.peek(name) ?? (await this.#cache.fetch(name)).cached;
    const failedVersion = failed?.version ?? preferred(cached).version;
    const inUse = preferred(cached);
    if (inUse.version !== failedVersion) {
      events.audited('read', name, inUse.version, this.who);
      return inUse;
    }
    cached = await this.#cache.afterAuthFailure(name, failedVersion);
    if (cached.current.version !== failedVersion) {
      cached.preferPrevious = false;
      events.audited('read', name, cached.current.version, this.who);
      return cached.current;
    }
    if (cached.previous !== undefined && cached.previous.version !== failedVersion) {
      cached.preferPrevious = true;
      events.audited(this.#cache.pastOverlap(cached) ? 'expired-use' : 'read', name, cached.previous.version, this.who);
      return cached.previous;
    }
    return undefined;
  }

  withSecret<T>(name: string, fn: (secret: Secret<string>) => PromiseLike<T> | T, options?: WithSecretOptions): Promise<T> {
    return this.#open('withSecret', () => this.#withSecret(name, fn, options));
  }

  withSecretResult<T>(name: string, fn: (secret: Secret<string>) => PromiseLike<T> | T, options?: WithSecretOptions): ResultAsync<T, BulwarkError> {
    return toResult(this.#open('withSecretResult', () => this.#withSecret(name, fn, options)));
  }

  async #withSecret<T>(name: string, fn: (secret: Secret<string>) => PromiseLike<T> | T, options: WithSecretOptions = {}): Promise<T> {
    expectFunction('fn', fn);
    checkCallOptions(options, WITH_SECRET_OPTIONS);
    return this.#callWithSecret(name, async (secret) => fn(secret), options);
  }

  policy(name: string, options: WithSecretOptions = {}): SecretPolicy {
    this.#refuseIfClosed('policy');
    checkName(name);
    checkCallOptions(options, POLICY_OPTIONS);
    const execute = async <T>(fn: (context: SecretContext) => PromiseLike<T> | T, signal?: AbortSource): Promise<T> => {
      expectFunction('fn', fn);
      return this.#callWithSecret(
        name,
        async (secret) => {
          const context = new SecretCallContext(signal, secret);
          if (context.aborted) throw context.reason;
          try {
            return await fn(context);
          } finally {
            context.release();
          }
        },
        options,
      );
    };
    return {
      name: `${this.#events.name}:${name}`,
      execute: (fn, signal) => this.#open('policy().execute', () => execute(fn, signal)),
      executeResult: (fn, signal) => toResult(this.#open('policy().executeResult', () => execute(fn, signal))),
    };
  }

  scope(options: SecretScopeOptions): SecretReader {
    this.#refuseIfClosed('scope');
    expectOptions('options', options, SCOPE_OPTIONS);
    if (typeof options?.who !== 'string' || options.who === '') {
      throw invalidOption('who', options?.who, 'a non-empty string');
    }
    if (!Array.isArray(options.names) || options.names.some((n) => typeof n !== 'string' || n === '')) {
      throw invalidOption('names', options.names, 'an array of non-empty strings');
    }
    const own = compileGrants(options.names);
    const allowed = this.#allowed;
    return new Reader(options.who, (name) => allowed(name) && own(name), this.#cache, this.#events);
  }

  /** Runs `attempt` with the secret, and once more with another version after an auth failure. */
  async #callWithSecret<T>(name: string, attempt: (secret: Secret<string>) => Promise<T>, options: WithSecretOptions): Promise<T> {
    const isFailure = options.isAuthFailure ?? isAuthFailure;
    const first = await this.#get(name);
    try {
      return await attempt(first);
    } catch (error) {
      if (!isFailure(error)) throw error;
      const next = await this.#refreshOnAuthFailure(name, first);
      if (next === undefined) throw error;
      return await attempt(next);
    }
  }
}
