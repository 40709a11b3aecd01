import { expectBoolean, expectInteger, expectOptions, knownOptions } from '@bulwark/core';
import { DEFAULT_REDACT_KEYS } from './default-redact-keys.js';
import { Redactor } from './internal/redactor.js';

/** Options for {@link serializeError}. */
export interface SerializeErrorOptions {
  /** Nesting depth (each `cause` link counts one); deeper values become `[Truncated]`. @default 10 */
  readonly maxDepth?: number;
  /** Include stacks. @default true */
  readonly stack?: boolean;
}

let shared: Redactor | undefined;

const SERIALIZE_ERROR_OPTIONS = knownOptions<SerializeErrorOptions>('serializeError()', {
  maxDepth: ['depth'],
  stack: ['errorStack'],
});

/**
 * Turns an error into a plain, JSON-safe object the way loggers write it: `name`, `message`,
 * `code`, `stack`, its own fields (`retryAfterMs`, `attempts`, …), `cause` (recursively, whatever
 * it is) and an `AggregateError`'s `errors`. Cycles become `[Circular]`; credentials by field name,
 * `Secret`s and registered secret values become `[REDACTED]`.
 *
 * @example
 * ```ts
 * declare const dbError: Error;
 * const json = serializeError(new Error('save failed', { cause: dbError }));
 * // { name: 'Error', message: 'save failed', stack: '…', cause: { name: …, code: 'ECONNRESET', … } }
 * ```
 */
export function serializeError(error: unknown, options: SerializeErrorOptions = {}): unknown {
  expectOptions('options', options, SERIALIZE_ERROR_OPTIONS);
  if (options.maxDepth !== undefined) expectInteger('maxDepth', options.maxDepth, { min: 1, max: 100 });
  if (options.stack !== undefined) expectBoolean('stack', options.stack);
  const redactor =
    options.maxDepth === undefined && options.stack === undefined
      ? (shared ??= new Redactor({ rules: DEFAULT_REDACT_KEYS, censor: '[REDACTED]', maxDepth: 10, errorStack: true }))
      : new Redactor({
          rules: DEFAULT_REDACT_KEYS,
          censor: '[REDACTED]',
          maxDepth: options.maxDepth ?? 10,
          errorStack: options.stack ?? true,
        });
  return redactor.value(error);
}
