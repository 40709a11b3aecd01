import { isBulwarkError } from '@bulwark/core';

/**
 * The `error.type` attribute of the OpenTelemetry semantic conventions: a low-cardinality name for
 * what went wrong. A Bulwark error's `code`, else a string `code` (Node's `ECONNRESET`), else the
 * error's class name, else `_OTHER`. Never the message, which may carry ids or user data.
 */
export function errorType(error: unknown): string {
  if (isBulwarkError(error)) return error.code;
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0 && code.length <= 64) return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name.length > 0 && name.length <= 64) return name;
  }
  return '_OTHER';
}
