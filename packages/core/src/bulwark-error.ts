import { expectBoolean, expectNumber, expectOptions, invalidOption } from './validate.js';

const BRAND = Symbol.for('@bulwark/error');

/** Options every {@link BulwarkError} accepts. */
export interface BulwarkErrorOptions {
  /** The error that led to this one; kept as the standard `cause`. */
  readonly cause?: unknown;
  /** Whether trying the same call again later may succeed. @default false */
  readonly transient?: boolean;
  /** How long, in milliseconds, the caller should wait before trying again, when known. */
  readonly retryAfterMs?: number;
}

/**
 * Base class of every error a Bulwark package raises.
 *
 * Branch on the stable string {@link BulwarkError.code} (or a type guard such as `isTimeoutError`),
 * never on the message. `cause` keeps the chain; `transient` says whether a retry may help and
 * `retryAfterMs` how long to wait first.
 *
 * Type guards recognise errors by a global brand, so they work even when two copies of
 * `@bulwark/core` end up in one process.
 *
 * @example
 * ```ts
 * declare const policy: Policy;
 * declare function call(): Promise<void>;
 * declare function scheduleLater(delayMs: number | undefined): void;
 * try { await policy.execute(call) }
 * catch (error) { if (isBulwarkError(error) && error.transient) scheduleLater(error.retryAfterMs) }
 * ```
 */
export abstract class BulwarkError extends Error {
  /** Stable, machine-readable discriminant, such as `TIMEOUT` or `CIRCUIT_OPEN`. */
  abstract readonly code: string;
  /** Whether trying the same call again later may succeed. */
  readonly transient: boolean;
  /** How long, in milliseconds, to wait before trying again, when the failure says so. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: BulwarkErrorOptions = {}) {
    // Errors are made on failure paths, where these checks cost nothing a caller would notice.
    if (typeof message !== 'string') throw invalidOption('message', message, 'a string');
    expectOptions('options', options);
    if (options.transient !== undefined) expectBoolean('transient', options.transient);
    if (options.retryAfterMs !== undefined) expectNumber('retryAfterMs', options.retryAfterMs, { min: 0, allowInfinity: true });
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.transient = options.transient ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }

  static {
    Object.defineProperty(this.prototype, BRAND, { value: true });
  }

  /** A plain object for structured logs: name, code, message and the facts, never the stack. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    for (const [key, value] of Object.entries(this)) {
      if (key !== 'cause' && value !== undefined) out[key] = value;
    }
    return out;
  }
}

/** True for any error raised by a Bulwark package (any copy of `@bulwark/core`). */
export function isBulwarkError(value: unknown): value is BulwarkError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** Builds a type guard that recognises the Bulwark error with the given `code`. */
export function errorGuard<E extends BulwarkError>(code: E['code']): (value: unknown) => value is E {
  // A guard made without its code would answer false for every error, unseen.
  if (typeof code !== 'string' || code === '') throw invalidOption('code', code, "the error's code (a non-empty string, such as 'TIMEOUT')");
  return (value: unknown): value is E => isBulwarkError(value) && value.code === code;
}
