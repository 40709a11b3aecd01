/**
 * A profile, a flag or an option is wrong. The message names the field, the value and what was
 * expected: "Expected `errors.rate` to be a number from 0 to 1, got 1.5." — prefixed with the profile
 * file when one was read.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** Stable discriminant. */
  readonly code = 'BAD_CONFIG';
  /** The field at fault, as a path into the profile (`errors.rate`), a flag (`--port`) or an option (`port`). */
  readonly field: string;
  /** What the field should have been. */
  readonly expected: string;
  /** The value found. */
  readonly value: unknown;

  constructor(field: string, value: unknown, expected: string, options: { readonly source?: string | undefined; readonly message?: string } = {}) {
    const detail = options.message ?? `Expected \`${field}\` to be ${expected}, got ${describeValue(value)}.`;
    super(options.source === undefined ? detail : `${options.source}: ${detail}`);
    this.field = field;
    this.value = value;
    this.expected = expected;
  }
}

/** True for a {@link ConfigError}. */
export const isConfigError = (error: unknown): error is ConfigError => error instanceof ConfigError;

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? `an array of length ${value.length}` : 'an object';
}
