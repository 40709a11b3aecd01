import { describe, expect, test } from 'vitest';
import { bulkhead, chaos, fallback, isOperationFailedError, pipeline, timeout, toResult, type Policy } from './index.js';

const SECRET = 'token=S3cr3t';

const policies: Record<string, () => Policy<unknown>> = {
  timeout: () => timeout(1_000),
  bulkhead: () => bulkhead({ limit: 1 }),
  // A fallback that does not cover this error lets it through to the Result.
  fallback: () => fallback('x', { when: () => false }),
  chaos: () => chaos({}),
  pipeline: () => pipeline(timeout(1_000), bulkhead({ limit: 1 })),
};

describe('executeResult never quotes the original error', () => {
  for (const [kind, make] of Object.entries(policies)) {
    test(`${kind}: OperationFailedError names the error's kind, keeps it as cause, and shows none of its text`, async () => {
      const original = Object.assign(new Error(`GET https://api.example.com/?${SECRET} failed`), { code: 'ECONNRESET' });
      const result = await make().executeResult(async () => {
        throw original;
      });
      const error = result._unsafeUnwrapErr();
      expect(isOperationFailedError(error)).toBe(true);
      expect(error.message).toBe('The operation failed (Error ECONNRESET).');
      expect(error.cause).toBe(original);
      expect(JSON.stringify(error)).not.toContain('S3cr3t');
      expect(String(error)).not.toContain('S3cr3t');
    });
  }

  test('a thrown string or object is described by its kind', async () => {
    const fromString = (await toResult(Promise.reject(SECRET)))._unsafeUnwrapErr();
    expect(fromString.message).toBe('The operation failed (string).');
    expect(fromString.cause).toBe(SECRET);
    const fromObject = (await toResult(Promise.reject({ message: SECRET, status: 401 })))._unsafeUnwrapErr();
    expect(fromObject.message).toBe('The operation failed (an object status 401).');
    expect(JSON.stringify(fromObject)).not.toContain('S3cr3t');
  });
});
