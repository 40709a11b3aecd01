import { expectOptions, invalidOption, knownOptions } from '@bulwark/core';
import { constantTimeEqual } from './internal/constant-time.js';

/** What every redacted rendering of a {@link Secret} prints. */
export const REDACTED = '[REDACTED]';

const BRAND = Symbol.for('@bulwark/secret');
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Descriptive, non-secret facts carried by a {@link Secret}. */
export interface SecretMetadata {
  /** The secret's name, such as `STRIPE_API_KEY`; never the value. */
  readonly name?: string | undefined;
  /** Which version of the secret this is, such as `v3`; providers and the manager set it. */
  readonly version?: string | undefined;
}

const SECRET_METADATA = knownOptions<SecretMetadata>('secret()', {
  name: ['key', 'id', 'label', 'secretName'],
  version: ['versionId', 'ver', 'v'],
});

/**
 * Checks the metadata of a secret: an object with no key but `name` and `version`, each a string
 * or undefined. Messages name the field and say only what kind of value it got: a mix-up of
 * arguments (`secret(metadata, value)`) must not put the value in an error.
 */
function checkMetadata(metadata: unknown): asserts metadata is SecretMetadata {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw invalidOption('metadata', metadata, 'an object with `name` and `version` (strings), or undefined', { redact: true });
  }
  expectOptions('options', metadata, SECRET_METADATA);
  const { name, version } = metadata as SecretMetadata;
  if (name !== undefined && typeof name !== 'string') throw invalidOption('name', name, 'a string (the secret\'s name, such as `STRIPE_API_KEY`)', { redact: true });
  if (version !== undefined && typeof version !== 'string') throw invalidOption('version', version, 'a string (such as `v3`)', { redact: true });
}

/**
 * A value that refuses to be printed. `toString`, `toJSON`, template literals, string
 * concatenation and `util.inspect` / `console.log` all render `[REDACTED]`; `structuredClone` and
 * object spread copy only the name and version. The value comes out only through {@link Secret.reveal}.
 *
 * Gotchas: this keeps a secret out of logs, errors and JSON by accident; it is not memory
 * protection. Once revealed, the value is an ordinary string; reveal it as late as possible, at the
 * call that needs it (an `Authorization` header), and do not store the result.
 *
 * @example
 * ```ts
 * declare const url: string;
 * const key = secret('sk_test_123', { name: 'STRIPE_KEY' });
 * console.log(`using ${key}`);               // "using [REDACTED]"
 * JSON.stringify({ key });                   // '{"key":"[REDACTED]"}'
 * fetch(url, { headers: { authorization: `Bearer ${key.reveal()}` } });
 * ```
 */
export class Secret<T = string> {
  readonly #value: T;
  /** The secret's name when known (never the value). */
  readonly name: string | undefined;
  /** The secret's version when known, such as `v3`. */
  readonly version: string | undefined;

  /** @throws TypeError when `metadata` has a key but `name` and `version`, or one that is not a string. */
  constructor(value: T, metadata: SecretMetadata = {}) {
    checkMetadata(metadata);
    this.#value = value;
    this.name = metadata.name;
    this.version = metadata.version;
  }

  static {
    Object.defineProperty(this.prototype, BRAND, { value: true });
  }

  /** The value itself. The only way out: call it at the point of use, never to log or store. */
  reveal(): T {
    return this.#value;
  }

  /**
   * Whether this secret's value equals `other` (a plain value or another `Secret`), in constant
   * time: both sides are reduced to fixed-length digests before comparison, so neither the
   * position of the first difference nor the lengths leak through timing.
   */
  equals(other: T | Secret<T>): boolean {
    return constantTimeEqual(this.#value, isSecret(other) ? other.reveal() : other);
  }

  /** A new `Secret` holding `fn(value)`, keeping the name and version: derive without revealing. */
  map<U>(fn: (value: T) => U): Secret<U> {
    return new Secret(fn(this.#value), { name: this.name, version: this.version });
  }

  /** Always `[REDACTED]`. */
  toString(): string {
    return REDACTED;
  }

  /** Always `[REDACTED]`, so `JSON.stringify` never sees the value. */
  toJSON(): string {
    return REDACTED;
  }

  /** Template literals, `+` and `String()` all get `[REDACTED]`. */
  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  /** What `util.inspect` and `console.log` print. */
  [INSPECT](): string {
    const facts = [this.name, this.version].filter((v) => v !== undefined).join(' ');
    return facts === '' ? `Secret ${REDACTED}` : `Secret(${facts}) ${REDACTED}`;
  }
}

/**
 * Wraps `value` in a {@link Secret}. `metadata` is checked: a key but `name` and `version`
 * (`{ nme: 'A' }`: "Unknown option `nme` of secret(); did you mean `name`?") or one that is not a
 * string throws a `TypeError` that names it and never shows the value.
 *
 * @example
 * ```ts
 * const token = secret(process.env.API_TOKEN ?? '', { name: 'API_TOKEN' });
 * ```
 */
export function secret<T>(value: T, metadata?: SecretMetadata): Secret<T> {
  return new Secret(value, metadata);
}

/** True for a {@link Secret} from any copy of this package. */
export function isSecret(value: unknown): value is Secret<unknown> {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
