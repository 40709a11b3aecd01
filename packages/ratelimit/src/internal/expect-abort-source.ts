import { CallContext, invalidOption, type AbortSource } from '@bulwark/core';

/**
 * Asserts an optional `signal` is an `AbortSignal` or a policy's execute context. Checked before a
 * call joins a queue: a waiter whose signal cannot be listened to could not be released either, and
 * the timer that settles it would throw where nobody can catch it.
 */
export function expectAbortSource(field: string, value: unknown): asserts value is AbortSource | undefined {
  if (value === undefined || value instanceof AbortSignal || value instanceof CallContext) return;
  const context = value as { attempt?: unknown; signal?: unknown } | null;
  if (typeof context === 'object' && context !== null && typeof context.attempt === 'number' && context.signal instanceof AbortSignal) return;
  throw invalidOption(field, value, 'an AbortSignal');
}
