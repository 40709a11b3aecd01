import { BulwarkError, TimeoutError } from '@bulwark/core';
import { describe, expect, test } from 'vitest';
import { capture } from '../test/capture.js';
import { createLogger, serializeError } from './index.js';

class UpstreamError extends BulwarkError {
  readonly code = 'UPSTREAM_FAILED';
  readonly status: number;
  readonly apiKey = 'sk_should_not_appear';
  constructor(status: number, cause?: unknown) {
    super(`upstream answered ${status}`, { cause, transient: true, retryAfterMs: 1500 });
    this.status = status;
  }
}

describe('serializeError', () => {
  test('name, message, code, stack, own facts and the whole cause chain', () => {
    const root = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const error = new Error('validation failed', { cause: new UpstreamError(503, root) });
    const json = serializeError(error) as Record<string, any>;
    expect(json).toMatchObject({
      name: 'Error',
      message: 'validation failed',
      cause: {
        name: 'UpstreamError',
        message: 'upstream answered 503',
        code: 'UPSTREAM_FAILED',
        status: 503,
        transient: true,
        retryAfterMs: 1500,
        apiKey: '[REDACTED]',
        cause: { name: 'Error', message: 'socket hang up', code: 'ECONNRESET' },
      },
    });
    for (const e of [json, json.cause, json.cause.cause]) expect(e.stack).toMatch(/^\w*Error: /);
  });

  test('an error of another realm is an error; a plain object or an array is not', async () => {
    const { runInNewContext } = await import('node:vm');
    const foreign = runInNewContext('Object.assign(new TypeError("from a vm"), { code: "E_VM" })') as unknown;
    expect(foreign instanceof Error).toBe(false);
    expect(serializeError(foreign)).toMatchObject({ name: 'TypeError', message: 'from a vm', code: 'E_VM' });
    const out = capture();
    const logger = createLogger({ service: 's', destination: out.destination });
    logger.warn('failed', foreign as Error);
    logger.info('plain', { error: { name: 'Error', message: 'a plain object' }, list: [1] });
    const [failed, plain] = await out.lines();
    expect(failed).toMatchObject({ error: { name: 'TypeError', message: 'from a vm', code: 'E_VM' } });
    expect(plain).toMatchObject({ error: { name: 'Error', message: 'a plain object' }, list: [1] });
    expect(plain!.error).not.toHaveProperty('stack');
  });

  test("AggregateError's errors, each with its own cause", () => {
    const json = serializeError(
      new AggregateError([new TimeoutError(100), new Error('b', { cause: 'a string cause' })], 'all failed'),
    ) as Record<string, any>;
    expect(json.name).toBe('AggregateError');
    expect(json.errors).toHaveLength(2);
    expect(json.errors[0]).toMatchObject({ name: 'TimeoutError', code: 'TIMEOUT' });
    expect(json.errors[1]).toMatchObject({ message: 'b', cause: 'a string cause' });
  });

  test('cycles in the chain end in [Circular]; deep chains are cut at maxDepth', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const json = serializeError(a) as Record<string, any>;
    expect(json.cause.message).toBe('b');
    expect(json.cause.cause).toBe('[Circular]');

    let chain: Error = new Error('level 0');
    for (let i = 1; i <= 30; i++) chain = new Error(`level ${i}`, { cause: chain });
    const deep = serializeError(chain, { maxDepth: 5, stack: false }) as Record<string, any>;
    let node = deep;
    let levels = 0;
    while (typeof node === 'object' && node !== null) {
      expect(node).not.toHaveProperty('stack');
      levels++;
      node = node.cause;
    }
    expect(levels).toBe(5);
    expect(node).toBe('[Truncated]');
  });

  test('non-errors pass through as values', () => {
    expect(serializeError('just a string')).toBe('just a string');
    expect(serializeError({ code: 42, password: 'p' })).toEqual({ code: 42, password: '[REDACTED]' });
  });

  test('a logger writes errors the same way, wherever they are in the fields', async () => {
    const out = capture();
    const logger = createLogger({ service: 's', destination: out.destination, errorStack: false });
    logger.warn('two errors', { err: new UpstreamError(429), results: [{ error: new RangeError('r') }] });
    expect((await out.lines())[0]).toMatchObject({
      err: { name: 'UpstreamError', code: 'UPSTREAM_FAILED', status: 429, message: 'upstream answered 429' },
      results: [{ error: { name: 'RangeError', message: 'r' } }],
    });
    expect(JSON.stringify(await out.lines())).not.toContain('"stack"');
  });
});
