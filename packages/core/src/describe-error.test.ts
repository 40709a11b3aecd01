import { describe, expect, test } from 'vitest';
import { describeError } from './index.js';

describe('describeError', () => {
  test('an error is described by its name, code and status, never by its message', () => {
    const error = Object.assign(new TypeError('GET https://api.example.com/?token=S failed'), { code: 'ECONNRESET' });
    expect(describeError(error)).toBe('TypeError ECONNRESET');
    expect(describeError(Object.assign(new Error('x'), { name: 'HttpError', status: 503 }))).toBe('HttpError status 503');
    expect(describeError('token=S')).toBe('string');
  });

  test("a driver's error that keeps the name `Error` is described by its class", () => {
    /** As node-redis declares its errors: a class of its own, the name left as `Error`. */
    class ClientClosedError extends Error {}
    expect(new ClientClosedError('The client is closed').name).toBe('Error');
    expect(describeError(new ClientClosedError('The client is closed'))).toBe('ClientClosedError');
    expect(describeError(Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' }))).toBe('Error ECONNREFUSED');
    expect(describeError({ name: 'Error' })).toBe('Error');
  });

  test('an error whose constructor cannot be read is still described', () => {
    const error = new Error('x');
    Object.defineProperty(error, 'constructor', {
      get() {
        throw new Error('no');
      },
    });
    expect(describeError(error)).toBe('Error');
  });
});
