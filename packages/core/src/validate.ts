/**
 * Option checks shared by every Bulwark package. Each throws a `TypeError` that names the field,
 * the value it got and what was expected: "Expected `maxAttempts` to be a positive integer, got -1."
 */
import { closest } from './internal/closest.js';
import { isRedisClient } from './internal/is-redis-client.js';
import { cut, quote } from './quote.js';

/** Field names longer than this are cut in messages (a field can carry a caller's name: `secrets.<name>`). */
const MAX_FIELD_LENGTH = 100;

/** Renders a value for an error message without dumping large or nested objects. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
}

/** What a value is, without the value: for messages about secrets. */
function describeKind(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  const kind = typeof value;
  return `${kind === 'object' ? 'an' : 'a'} ${kind}`;
}

/** Options of {@link invalidOption}. */
export interface InvalidOptionOptions {
  /** Say only what kind of value it was, never the value (a secret, a key). @default false */
  readonly redact?: boolean;
}

/** The `TypeError` every option check throws. */
export function invalidOption(field: string, value: unknown, expected: string, options: InvalidOptionOptions = {}): TypeError {
  expectCheckArguments(field, expected, options);
  const got = options.redact === true ? `${describeKind(value)} (its value is not shown)` : describeValue(value);
  return new TypeError(`Expected \`${cut(field, MAX_FIELD_LENGTH)}\` to be ${expected}, got ${got}.`);
}

function expectField(field: unknown): void {
  if (typeof field !== 'string') throw invalidOption('field', field, 'a string naming the value checked');
}

/**
 * Refuses a check called with its own arguments wrong (`expectNumber()` in plain JavaScript):
 * before, a missing `field` failed on reading its length, and a missing `expected` read "to be
 * undefined". Run where a check fails, so a check that passes costs nothing more.
 */
function expectCheckArguments(field: unknown, expected: unknown, options: unknown): void {
  expectField(field);
  if (typeof expected !== 'string') throw invalidOption('expected', expected, 'a string saying what was expected');
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalidOption('options', options, 'an options object');
}

/**
 * The `TypeError` for a value given where a policy belongs (`field` names it, `expected` says what a
 * policy is there). A named function is taken for the likeliest mistake, a policy factory passed
 * uncalled (`timeout` for `timeout(5_000)`), and named as one: "Expected `policy` to be a Policy (an
 * object with execute), not the factory that makes one: `timeout(…)`, got a function."
 */
export function invalidPolicy(field: string, value: unknown, expected = 'a Policy (an object with execute)'): TypeError {
  if (typeof expected !== 'string') throw invalidOption('expected', expected, 'a string saying what was expected');
  const name = typeof value === 'function' ? (value as { name: unknown }).name : undefined;
  const factory = typeof name === 'string' && /^[A-Za-z_$][\w$]{0,63}$/.test(name) ? name : undefined;
  return invalidOption(field, value, factory === undefined ? expected : `${expected}, not the factory that makes one: \`${factory}(…)\``);
}

/**
 * The `TypeError` for a value given where a store belongs (`field` names it, `expected` says what a
 * store is there). A Redis client given as the store is named as one, with the store that wraps it:
 * `factory` is that store's factory (`'redisCircuitStore'`), so the message reads "got a Redis client:
 * wrap it in a store, as `store: redisCircuitStore({ client })`." A string, most often a Redis URL
 * that may carry a password, is described, never shown.
 */
export function invalidStore(field: string, value: unknown, expected: string, factory: string): TypeError {
  if (typeof factory !== 'string' || factory === '') throw invalidOption('factory', factory, 'the name of the store factory that wraps a Redis client');
  if (isRedisClient(value)) {
    expectCheckArguments(field, expected, {});
    return new TypeError(
      `Expected \`${cut(field, MAX_FIELD_LENGTH)}\` to be ${expected}, got a Redis client: wrap it in a store, as \`${cut(field, MAX_FIELD_LENGTH)}: ${factory}({ client })\`.`,
    );
  }
  return invalidOption(field, value, expected, { redact: typeof value === 'string' });
}

/** Bounds for {@link expectNumber} and {@link expectInteger}. */
export interface NumberBounds {
  /** The smallest value allowed (inclusive). */
  readonly min?: number;
  /** Every value allowed is greater than this (exclusive): `{ above: 0 }` for "a positive number". */
  readonly above?: number;
  /** The largest value allowed (inclusive). */
  readonly max?: number;
  /** Every value allowed is less than this (exclusive). */
  readonly below?: number;
  /** Accept `Infinity`. @default false */
  readonly allowInfinity?: boolean;
  /** Why the bounds are what they are, said after them: `(100 years, the longest the store keeps)`. */
  readonly reason?: string;
}

/** A bound as a person reads it: `30_000`, not `30000`; `0.25` as is. */
function formatNumber(n: number): string {
  if (!Number.isInteger(n) || Math.abs(n) < 10_000 || Math.abs(n) > Number.MAX_SAFE_INTEGER) return String(n);
  return `${n < 0 ? '-' : ''}${String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, '_')}`;
}

function describeBounds(kind: 'number' | 'integer', { min, above, max, below, allowInfinity, reason }: NumberBounds): string {
  const a = kind === 'integer' ? 'an integer' : 'a number';
  const upper = max !== undefined ? `at most ${formatNumber(max)}` : below !== undefined ? `below ${formatNumber(below)}` : undefined;
  let text: string;
  if (min !== undefined && max !== undefined) text = `${a} from ${formatNumber(min)} to ${formatNumber(max)}`;
  else if (above !== undefined && upper !== undefined) text = `${a} above ${formatNumber(above)} and ${upper}`;
  else if (above === 0 || (min === 1 && kind === 'integer')) text = `a positive ${kind}${upper === undefined ? '' : ` ${upper}`}`;
  else if (min === 0) text = `a non-negative ${kind}${upper === undefined ? '' : ` ${upper}`}`;
  else if (above !== undefined) text = `${a} above ${formatNumber(above)}`;
  else if (min !== undefined) text = `${a} of at least ${formatNumber(min)}${upper === undefined ? '' : ` and ${upper}`}`;
  else if (upper !== undefined) text = `${a} ${max !== undefined ? 'of ' : ''}${upper}`;
  else text = kind === 'integer' || allowInfinity === true ? a : 'a finite number';
  if (allowInfinity === true && upper === undefined) text += ' or Infinity';
  return reason === undefined ? text : `${text} (${reason})`;
}

function expectBounds(bounds: unknown): void {
  if (typeof bounds !== 'object' || bounds === null || Array.isArray(bounds)) throw invalidOption('bounds', bounds, 'an object of bounds ({ min, max, … })');
}

/** Asserts `value` is a number (finite unless `allowInfinity`) within the bounds. */
export function expectNumber(field: string, value: unknown, bounds: NumberBounds = {}): asserts value is number {
  expectBounds(bounds);
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (Number.isFinite(value) || (bounds.allowInfinity === true && value === Infinity)) &&
    (bounds.min === undefined || value >= bounds.min) &&
    (bounds.above === undefined || value > bounds.above) &&
    (bounds.max === undefined || value <= bounds.max) &&
    (bounds.below === undefined || value < bounds.below);
  if (!ok) throw invalidOption(field, value, describeBounds('number', bounds));
}

/** Asserts `value` is an integer within the bounds (`Infinity` only with `allowInfinity`). */
export function expectInteger(field: string, value: unknown, bounds: NumberBounds = {}): asserts value is number {
  expectBounds(bounds);
  const ok =
    typeof value === 'number' &&
    (Number.isInteger(value) || (bounds.allowInfinity === true && value === Infinity)) &&
    (bounds.min === undefined || value >= bounds.min) &&
    (bounds.above === undefined || value > bounds.above) &&
    (bounds.max === undefined || value <= bounds.max) &&
    (bounds.below === undefined || value < bounds.below);
  if (!ok) throw invalidOption(field, value, describeBounds('integer', bounds));
}

/** Asserts `value` is a function. */
export function expectFunction(field: string, value: unknown): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw invalidOption(field, value, 'a function');
}

/** Asserts `value` is a boolean. */
export function expectBoolean(field: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') throw invalidOption(field, value, 'a boolean');
}

/** Asserts `value` is one of `allowed`. */
export function expectOneOf<const T extends readonly unknown[]>(
  field: string,
  value: unknown,
  allowed: T,
): asserts value is T[number] {
  if (!Array.isArray(allowed)) throw invalidOption('allowed', allowed, 'an array of the values allowed');
  if (!allowed.includes(value)) {
    throw invalidOption(field, value, `one of ${allowed.map((v) => describeValue(v)).join(', ')}`);
  }
}

/**
 * Every key of an options type, each with the names other libraries give that option (`ttl` for
 * `ttlMs`, `retries` for `maxAttempts`), for "did you mean". Typed against the options type, so an
 * option added to the type without being added here fails to compile. Make one with {@link knownOptions}.
 */
export interface KnownOptions {
  /** What the options are of, as the message names it: `retry()`, `rateLimiter()`. */
  readonly of: string;
  /** Option name → names other libraries give it. */
  readonly names: Readonly<Record<string, readonly string[]>>;
}

/** Every key of every member of a union of option types. */
type OptionKey<T> = T extends unknown ? keyof T : never;

/**
 * The options of `of` (`'retry()'`), for {@link expectOptions}: every key of `T`, each with the
 * names other libraries use for it.
 *
 * @example
 * ```ts
 * interface QuotaOptions { readonly limit?: number; readonly name?: string }
 * const QUOTA_OPTIONS = knownOptions<QuotaOptions>('quota()', { limit: ['max', 'quota'], name: [] });
 * function quota(options: QuotaOptions = {}) {
 *   expectOptions('options', options, QUOTA_OPTIONS); // quota({ max: 5 }): "… did you mean `limit`?"
 *   return options.limit ?? 10;
 * }
 * ```
 */
export function knownOptions<T>(of: string, names: { readonly [K in OptionKey<T> & string]-?: readonly string[] }): KnownOptions {
  if (typeof of !== 'string' || of === '') throw invalidOption('of', of, "a non-empty string naming what the options are of (`'retry()'`)");
  if (typeof names !== 'object' || names === null || Array.isArray(names)) {
    throw invalidOption('names', names, 'an object of every option name, each with the names other libraries give it');
  }
  for (const [key, aliases] of Object.entries(names)) {
    if (!Array.isArray(aliases)) throw invalidOption(`names.${key}`, aliases, 'an array of the names other libraries give that option ([] for none)');
  }
  return { of, names };
}

/**
 * Asserts `value` is a plain options object (or `undefined`, which callers treat as `{}`) and, given
 * `known`, that it holds no key but those: "Unknown option `retries` of retry(); did you mean
 * `maxAttempts`?". `field` is `'options'` for a factory's own options, else the nested field
 * (`'lease'`, `'limits[0]'`), which prefixes the keys named.
 */
export function expectOptions(field: string, value: unknown, known?: KnownOptions): asserts value is object | undefined {
  if (known !== undefined && (typeof known !== 'object' || known === null || typeof known.names !== 'object' || known.names === null)) {
    throw invalidOption('known', known, 'the options of a function, as `knownOptions()` makes them');
  }
  // A Map or a Set has no own keys to check: every option in it would be ignored.
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Map || value instanceof Set)) {
    throw invalidOption(field, value, 'an options object');
  }
  // A Redis client handed to a store factory in place of its options: its commands live on its
  // prototype, so it has no unknown key to catch, and the check that follows would blame `client`.
  if (isRedisClient(value)) {
    expectField(field);
    throw new TypeError(`Expected \`${cut(field, MAX_FIELD_LENGTH)}\` to be an options object, got a Redis client: pass it inside, as \`{ client }\`.`);
  }
  if (known === undefined || value === undefined) return;
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(known.names, key)) throw unknownOption(field, key, known);
  }
}

function unknownOption(field: string, key: string, known: KnownOptions): TypeError {
  expectField(field);
  const path = (name: string): string => `\`${cut(field === 'options' ? name : `${field}.${name}`, MAX_FIELD_LENGTH)}\``;
  const guess = closest(key, known.names);
  const hint =
    guess !== undefined ? `did you mean ${path(guess)}?` : `the options are ${Object.keys(known.names).map(path).join(', ')}.`;
  return new TypeError(`Unknown option ${path(key)} of ${known.of}; ${hint}`);
}

/** Asserts a policy `name` option is a non-empty string. */
export function expectName(value: unknown, field = 'name'): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) throw invalidOption(field, value, 'a non-empty string');
}

/** Asserts an optional `clock` option looks like a {@link Clock}. */
export function expectClock(field: string, value: unknown): void {
  if (value === undefined) return;
  const c = value as Record<string, unknown>;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof c.now !== 'function' ||
    typeof c.monotonic !== 'function' ||
    typeof c.setTimeout !== 'function'
  ) {
    throw invalidOption(field, value, 'a Clock (now, monotonic and setTimeout)');
  }
}
