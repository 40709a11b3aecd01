import { describe, expect, test } from 'vitest';
import {
  AbortedError,
  BulkheadFullError,
  BulwarkError,
  ChaosFaultError,
  OperationFailedError,
  TimeoutError,
  errorGuard,
  isAbortedError,
  isBulkheadFullError,
  isBulwarkError,
  isChaosFaultError,
  isOperationFailedError,
  isTimeoutError,
  toBulwarkError,
} from './index.js';

class QuotaError extends BulwarkError {
  readonly code = 'QUOTA' as const;
}
const isQuotaError = errorGuard<QuotaError>('QUOTA');

describe('errors', () => {
  test('each error has a stable code, a name and a guard that recognises only it', () => {
    const all = [
      [new TimeoutError(5), 'TIMEOUT', isTimeoutError],
      [new BulkheadFullError(1, 0), 'BULKHEAD_FULL', isBulkheadFullError],
      [new AbortedError(), 'ABORTED', isAbortedError],
      [new OperationFailedError(new Error('x')), 'OPERATION_FAILED', isOperationFailedError],
      [new ChaosFaultError(), 'CHAOS_FAULT', isChaosFaultError],
    ] as const;
    for (const [error, code, guard] of all) {
      expect(error.code).toBe(code);
      expect(error.name).toBe(error.constructor.name);
      expect(isBulwarkError(error)).toBe(true);
      expect(guard(error)).toBe(true);
      for (const [other, , otherGuard] of all) if (other !== error) expect(otherGuard(error)).toBe(false);
    }
    expect(isTimeoutError(new Error('TIMEOUT'))).toBe(false);
    expect(isBulwarkError({ code: 'TIMEOUT' })).toBe(false);
  });

  test('user-defined errors get guards, cause, transient and retryAfterMs', () => {
    const cause = new Error('quota exceeded upstream');
    const error = new QuotaError('Out of quota.', { cause, transient: true, retryAfterMs: 1_500 });
    expect(isQuotaError(error)).toBe(true);
    expect(error.cause).toBe(cause);
    expect(error.transient).toBe(true);
    expect(error.retryAfterMs).toBe(1_500);
    expect(error).toBeInstanceOf(Error);
  });

  test('toJSON gives the facts without the stack or cause', () => {
    const json = JSON.parse(JSON.stringify(new TimeoutError(250, { cause: new Error('inner') })));
    expect(json).toEqual({
      name: 'TimeoutError',
      code: 'TIMEOUT',
      message: 'The call timed out after 250 ms.',
      transient: true,
      timeoutMs: 250,
    });
  });

  test('toBulwarkError wraps foreign errors and keeps them as cause', () => {
    const timeoutError = new TimeoutError(1);
    expect(toBulwarkError(timeoutError)).toBe(timeoutError);
    const abort = new DOMException('aborted', 'AbortError');
    expect(toBulwarkError(abort)).toBeInstanceOf(AbortedError);
    expect(toBulwarkError(abort).cause).toBe(abort);
    const platformTimeout = new DOMException('signal timed out', 'TimeoutError');
    expect(toBulwarkError(platformTimeout)).toBeInstanceOf(TimeoutError);
    const plain = new TypeError('bad');
    const wrapped = toBulwarkError(plain);
    expect(wrapped).toBeInstanceOf(OperationFailedError);
    expect(wrapped.message).toBe('The operation failed (TypeError).');
    expect(toBulwarkError('a string').cause).toBe('a string');
  });
});
