import { describe, expect, test } from 'vitest';
import { errorCode, isConnectFailure } from './index.js';

const coded = (code: string, cause?: unknown) => Object.assign(new Error(code, cause === undefined ? undefined : { cause }), { code });

describe('errorCode', () => {
  test('finds the code on the error or along its cause chain, as fetch wraps socket errors', () => {
    expect(errorCode(coded('ECONNRESET'))).toBe('ECONNRESET');
    expect(errorCode(new TypeError('fetch failed', { cause: coded('ECONNRESET') }))).toBe('ECONNRESET');
    expect(errorCode(new Error('no code'))).toBeUndefined();
    expect(errorCode('ECONNRESET')).toBeUndefined();
  });

  test('with a set, the first code in it', () => {
    const chain = coded('UND_ERR_SOCKET', coded('ECONNREFUSED'));
    expect(errorCode(chain)).toBe('UND_ERR_SOCKET');
    expect(errorCode(chain, new Set(['ECONNREFUSED']))).toBe('ECONNREFUSED');
  });

  test('looks five errors deep, and no further (a cycle ends)', () => {
    let deep: unknown = coded('ECONNREFUSED');
    for (let i = 0; i < 4; i++) deep = new Error('wrap', { cause: deep });
    expect(errorCode(deep)).toBe('ECONNREFUSED');
    expect(errorCode(new Error('wrap', { cause: deep }))).toBeUndefined();
    const loop: { cause?: unknown } = new Error('loop');
    loop.cause = loop;
    expect(errorCode(loop)).toBeUndefined();
  });
});

describe('isConnectFailure', () => {
  test.each(['ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])('%s: the request never left', (code) => {
    expect(isConnectFailure(new TypeError('fetch failed', { cause: coded(code) }))).toBe(true);
  });

  test.each(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET'])('%s: it may have reached the server', (code) => {
    expect(isConnectFailure(coded(code))).toBe(false);
  });
});
