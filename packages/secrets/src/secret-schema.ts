import { expectBoolean, expectFunction, expectInteger, expectOptions, invalidOption, knownOptions } from '@bulwark/core';
import type { Secret } from './secret.js';

/**
 * One secret a program needs at start-up.
 *
 * @example
 * ```ts
 * const schema = {
 *   stripeKey: { name: 'STRIPE_KEY', pattern: /^sk_(test|live)_/ },
 *   database: { name: 'DATABASE_URL', parse: (s: string) => new URL(s) },
 *   sentryDsn: { name: 'SENTRY_DSN', optional: true },
 * } satisfies SecretSchema;
 * ```
 */
export interface SecretField<T = string> {
  /** The secret's name in the providers. */
  readonly name: string;
  /** A missing secret is not a problem; it loads as `undefined`. @default false */
  readonly optional?: boolean;
  /** The value must match this pattern (tested on the raw string). */
  readonly pattern?: RegExp;
  /** The value must be at least this many characters long. */
  readonly minLength?: number;
  /**
   * Turns the raw string into the value the program uses (a `URL`, a number, a key object).
   * A throw marks the secret malformed; the error's message is not kept (it may quote the value).
   */
  readonly parse?: (value: string) => T;
}

/** Field name → {@link SecretField}: what `load` reads, all at once. */
export type SecretSchema = Readonly<Record<string, SecretField<any>>>;

/** The value type a field loads to: what `parse` returns, or `string`. */
export type SecretFieldValue<F> = F extends { parse: (value: string) => infer T } ? T : string;

/** What `load(schema)` returns: each field as a {@link Secret}, `undefined` only for optional ones. */
export type LoadedSecrets<S extends SecretSchema> = {
  -readonly [K in keyof S]: S[K] extends { optional: true }
    ? Secret<SecretFieldValue<S[K]>> | undefined
    : Secret<SecretFieldValue<S[K]>>;
};

const SECRET_FIELD = knownOptions<SecretField>('load()', {
  name: ['key', 'env'],
  optional: ['required'],
  pattern: ['regex', 'match'],
  minLength: ['min', 'length'],
  parse: ['transform', 'map'],
});

/** @internal Checks one field of a schema (`field` names it in errors, as `schema.stripeKey`). */
export function checkSecretField(field: string, spec: unknown): asserts spec is SecretField<unknown> {
  expectOptions(field, spec, SECRET_FIELD);
  if (spec === undefined) throw invalidOption(field, spec, 'a secret field ({ name, ... })');
  const f = spec as Record<string, unknown>;
  if (typeof f.name !== 'string' || f.name === '') throw invalidOption(`${field}.name`, f.name, 'a non-empty string');
  if (f.optional !== undefined) expectBoolean(`${field}.optional`, f.optional);
  if (f.pattern !== undefined && !(f.pattern instanceof RegExp)) throw invalidOption(`${field}.pattern`, f.pattern, 'a RegExp, such as /^sk_/');
  if (f.minLength !== undefined) expectInteger(`${field}.minLength`, f.minLength, { min: 0 });
  if (f.parse !== undefined) expectFunction(`${field}.parse`, f.parse);
}
