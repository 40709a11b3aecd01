import { AbortedError, BulkheadFullError, TimeoutError } from '@bulwark/core';
import { describe, expect, test } from 'vitest';
import { RetriesExhaustedError, isRetryableError, requestMayHaveBeenSent } from './index.js';

const coded = (code: string, message = code): Error => Object.assign(new Error(message), { code });
const status = (s: number): Error => Object.assign(new Error(`HTTP ${s}`), { status: s });

describe('isRetryableError', () => {
  test.each([
    ['ECONNRESET', coded('ECONNRESET')],
    ['socket hang up', coded('ECONNRESET', 'socket hang up')],
    ['socket hang up without a code', new Error('socket hang up')],
    ['ETIMEDOUT', coded('ETIMEDOUT')],
    ['ECONNREFUSED', coded('ECONNREFUSED')],
    ['EAI_AGAIN', coded('EAI_AGAIN')],
    ['EPIPE', coded('EPIPE')],
    ['fetch failed, caused by UND_ERR_SOCKET', new TypeError('fetch failed', { cause: coded('UND_ERR_SOCKET') })],
    ['408', status(408)],
    ['429', status(429)],
    ['500', status(500)],
    ['502', status(502)],
    ['503 as statusCode', Object.assign(new Error('x'), { statusCode: 503 })],
    ['504 on response (axios)', Object.assign(new Error('x'), { response: { status: 504 } })],
    ['a transient Bulwark error', new TimeoutError(100)],
    ['a full bulkhead', new BulkheadFullError(1, 0)],
    ['a platform TimeoutError', new DOMException('timed out', 'TimeoutError')],
  ])('retries %s', (_, error) => {
    expect(isRetryableError(error)).toBe(true);
  });

  test.each([
    ['400', status(400)],
    ['401', status(401)],
    ['403', status(403)],
    ['404', status(404)],
    ['409', status(409)],
    ['422', status(422)],
    ['501', status(501)],
    ['a 400 even with a network code', Object.assign(status(400), { code: 'ECONNRESET' })],
    ['ENOTFOUND', coded('ENOTFOUND')],
    ['an abort', new DOMException('aborted', 'AbortError')],
    ['an AbortedError', new AbortedError()],
    ['RetriesExhaustedError', new RetriesExhaustedError({ reason: 'max-attempts', errors: [status(503)], attempts: 1, limit: 1 })],
    ['a plain Error', new Error('boom')],
    ['a string', 'boom'],
    ['undefined', undefined],
  ])('does not retry %s', (_, error) => {
    expect(isRetryableError(error)).toBe(false);
  });
});

describe('requestMayHaveBeenSent', () => {
  test.each([
    ['ECONNREFUSED', coded('ECONNREFUSED')],
    ['EAI_AGAIN', coded('EAI_AGAIN')],
    ['ENOTFOUND', coded('ENOTFOUND')],
    ['fetch failed, caused by a connect timeout', new TypeError('fetch failed', { cause: coded('UND_ERR_CONNECT_TIMEOUT') })],
    ['requestSent: false', Object.assign(status(503), { requestSent: false })],
    ['a full bulkhead', new BulkheadFullError(1, 0)],
  ])('not sent: %s', (_, error) => {
    expect(requestMayHaveBeenSent(error)).toBe(false);
  });

  test.each([
    ['ECONNRESET', coded('ECONNRESET')],
    ['ETIMEDOUT', coded('ETIMEDOUT')],
    ['socket hang up', coded('ECONNRESET', 'socket hang up')],
    ['a 503', status(503)],
    ['a timeout', new TimeoutError(100)],
    ['requestSent: true despite a connect code', Object.assign(coded('ECONNREFUSED'), { requestSent: true })],
    ['a string', 'boom'],
  ])('may have been sent: %s', (_, error) => {
    expect(requestMayHaveBeenSent(error)).toBe(true);
  });
});
