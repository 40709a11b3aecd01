import { expectName, expectOptions, invalidOption } from '@bulwark/core';
import type { HttpAuthSource } from './http-auth.js';
import { REDACTED } from './redact-url.js';

/** Anything with a `reveal()` that gives the secret's value, such as a `Secret` of `@bulwark/secrets`. */
export interface RevealableSecret {
  reveal(): string;
}

/**
 * What {@link secretAuth} reads: a `@bulwark/secrets` secret manager (or a `scope()` of it), or
 * anything shaped like one.
 */
export interface SecretSource<S extends RevealableSecret> {
  get(name: string): PromiseLike<S>;
  /** After the server refused `failed`: the version to try next, or `undefined` when there is none. */
  refreshOnAuthFailure(name: string, failed?: S): PromiseLike<S | undefined>;
}

/** Options for {@link secretAuth}. */
export interface SecretAuthOptions {
  /** Written before the secret, with a space: `Bearer <secret>`. `''` sends the secret alone. @default 'Bearer' */
  readonly scheme?: string;
  /** The header it goes in. @default 'authorization' */
  readonly header?: string;
}

/** The credential handed around: the header value is made only when the client sets the header. */
class SchemeSecret<S extends RevealableSecret> {
  readonly secret: S;
  readonly #scheme: string;
  constructor(secret: S, scheme: string) {
    this.secret = secret;
    this.#scheme = scheme;
  }
  reveal(): string {
    return this.#scheme === '' ? this.secret.reveal() : `${this.#scheme} ${this.secret.reveal()}`;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
}

/**
 * The `auth` of an HTTP client, read from a secret manager: every attempt reads the secret `name`
 * (so a rotated key is used at once), and a 401 asks the manager's `refreshOnAuthFailure` for the
 * version to try next — the new key after a rotation, the previous one during an overlap — and
 * sends the request once more with it.
 *
 * @example
 * ```ts
 * import { envProvider, secretManager } from '@bulwark/secrets';
 * const secrets = secretManager({ providers: envProvider() });
 * const client = httpClient({ baseUrl: 'https://api.example.com/v1', auth: secretAuth(secrets, 'RATES_API_KEY') });
 * ```
 */
export function secretAuth<S extends RevealableSecret>(
  source: SecretSource<S>,
  name: string,
  options: SecretAuthOptions = {},
): HttpAuthSource {
  if (typeof source?.get !== 'function' || typeof source.refreshOnAuthFailure !== 'function') {
    throw invalidOption('source', source, 'a secret manager (an object with get and refreshOnAuthFailure)');
  }
  expectName(name);
  expectOptions('options', options);
  const scheme = options.scheme ?? 'Bearer';
  if (typeof scheme !== 'string' || /[\s\0]/.test(scheme)) throw invalidOption('scheme', scheme, 'a string without spaces');
  const header = options.header ?? 'authorization';
  return {
    header,
    get: async () => new SchemeSecret(await source.get(name), scheme),
    refresh: async (refused) => {
      // `refused` is what `get` (or an earlier refresh) returned.
      const next = await source.refreshOnAuthFailure(name, (refused as SchemeSecret<S>).secret);
      return next === undefined ? undefined : new SchemeSecret(next, scheme);
    },
  };
}
