/**
 * Option checks shared by every Bulwark package. Each throws a `TypeError` that names the field,
 * the value it got and what was expected: "Expected `maxAttempts` to be a positive integer, got -1."
 */

/** Renders a value for an error message without dumping large or nested objects. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
}

/** The `TypeError` every option check throws. */
export function invalidOption(field: string, value: unknown, expected: string): TypeError {
  return new TypeError(`Expected \`${field}\` to be ${expected}, got ${describeValue(value)}.`);
}

/** Bounds for {@link expectNumber} and {@link expectInteger}; both inclusive. */
export interface NumberBounds {
  readonly min?: number;
  readonly max?: number;
  /** Accept `Infinity`. @default false */
  readonly allowInfinity?: boolean;
}

function describeBounds(kind: string, { min, max }: NumberBounds): string {
  if (min === 1 && max === undefined && kind === 'an integer') return 'a positive integer';
  if (min === 0 && max === undefined) return `a non-negative ${kind === 'an integer' ? 'integer' : 'number'}`;
  if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
  if (min !== undefined) return `${kind} of at least ${min}`;
  if (max !== undefined) return `${kind} of at most ${max}`;
  return kind === 'an integer' ? 'an integer' : 'a finite number';
}

/** Asserts `value` is a number (finite unless `allowInfinity`) within the bounds. */
export function expectNumber(field: string, value: unknown, bounds: NumberBounds = {}): asserts value is number {
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (Number.isFinite(value) || (bounds.allowInfinity === true && value === Infinity)) &&
    (bounds.min === undefined || value >= bounds.min) &&
    (bounds.max === undefined || value <= bounds.max);
  if (!ok) throw invalidOption(field, value, describeBounds('a number', bounds));
}

/** Asserts `value` is an integer within the bounds (`Infinity` only with `allowInfinity`). */
export function expectInteger(field: string, value: unknown, bounds: NumberBounds = {}): asserts value is number {
  const ok =
    typeof value === 'number' &&
    (Number.isInteger(value) || (bounds.allowInfinity === true && value === Infinity)) &&
    (bounds.min === undefined || value >= bounds.min) &&
    (bounds.max === undefined || value <= bounds.max);
  if (!ok) throw invalidOption(field, value, describeBounds('an integer', bounds));
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
  if (!allowed.includes(value)) {
    throw invalidOption(field, value, `one of ${allowed.map((v) => describeValue(v)).join(', ')}`);
  }
}

/** Asserts `value` is a plain options object (or `undefined`, which callers treat as `{}`). */
export function expectOptions(field: string, value: unknown): asserts value is object | undefined {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw invalidOption(field, value, 'an options object');
  }
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
