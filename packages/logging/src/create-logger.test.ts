import { createFakeClock } from '@bulwark/core';
import winston from 'winston';
import { describe, expect, test, vi } from 'vitest';
import { captureLog } from '@bulwark/test-utils';
import { createLogger, LOG_LEVEL_NAMES, type LoggerOptions } from './index.js';

const at = Date.UTC(2026, 10, 24, 12, 0, 0, 0);

function setup(options: Partial<LoggerOptions> = {}) {
  const out = captureLog();
  const clock = createFakeClock({ now: at });
  const logger = createLogger({ service: 'checkout', clock, destination: out.destination, ...options });
  return { out, clock, logger };
}

describe('createLogger: lines', () => {
  test('one JSON object per line with timestamp, level, message, service and the fields', async () => {
    const { out, logger } = setup();
    logger.info('charged', { orderId: 42, amountCents: 1250, tags: ['a', 'b'] });
    logger.warn('slow', { durationMs: 900 });
    const lines = await out.lines();
    expect(lines).toEqual([
      {
        timestamp: '2026-11-24T12:00:00.000Z',
        level: 'info',
        message: 'charged',
        service: 'checkout',
        orderId: 42,
        amountCents: 1250,
        tags: ['a', 'b'],
      },
      { timestamp: '2026-11-24T12:00:00.000Z', level: 'warn', message: 'slow', service: 'checkout', durationMs: 900 },
    ]);
    expect(Object.keys(lines[0]!).slice(0, 4)).toEqual(['timestamp', 'level', 'message', 'service']);
  });

  test('every level method writes its level; log(level) too', async () => {
    const { out, logger } = setup({ level: 'silly' });
    for (const level of LOG_LEVEL_NAMES) logger[level](`at ${level}`);
    logger.log('warn', 'through log');
    const lines = await out.lines();
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ...LOG_LEVEL_NAMES.map((level) => [level, `at ${level}`]),
      ['warn', 'through log'],
    ]);
  });

  test('the timestamp follows the clock', async () => {
    const { out, logger, clock } = setup();
    logger.info('one');
    clock.tick(1_500);
    logger.info('two');
    expect((await out.lines()).map((l) => l.timestamp)).toEqual(['2026-11-24T12:00:00.000Z', '2026-11-24T12:00:01.500Z']);
  });

  test('an Error as message writes its message and the error; an Error as fields becomes `error`', async () => {
    const { out, logger } = setup();
    logger.error(new TypeError('bad input'));
    logger.warn('could not save', new RangeError('too big'));
    const [a, b] = await out.lines();
    expect(a).toMatchObject({ level: 'error', message: 'bad input', error: { name: 'TypeError', message: 'bad input' } });
    expect(b).toMatchObject({ level: 'warn', message: 'could not save', error: { name: 'RangeError', message: 'too big' } });
    expect(typeof (b!.error as { stack: unknown }).stack).toBe('string');
  });

  test('values JSON cannot hold are still written: bigint as a string, cycles marked, depth bounded', async () => {
    const { out, logger } = setup({ maxDepth: 4 });
    const cyclic: Record<string, unknown> = { name: 'root' };
    cyclic.self = cyclic;
    logger.info('odd values', { big: 12345678901234567890n, cyclic, deep: { a: { b: { c: { d: { e: 1 } } } } }, when: new Date(at) });
    const [line] = await out.lines();
    expect(line).toMatchObject({
      big: '12345678901234567890',
      cyclic: { name: 'root', self: '[Circular]' },
      deep: { a: { b: { c: { d: '[Truncated]' } } } }, // four levels of objects, then cut
      when: '2026-11-24T12:00:00.000Z',
    });
  });

  test('Maps and Sets are written with their contents', async () => {
    const { out, logger } = setup();
    logger.info('collections', { byKey: new Map<string, unknown>([['a', 1], ['token', 't']]), ids: new Set([1, 2]) });
    expect((await out.lines())[0]).toMatchObject({ byKey: { a: 1, token: '[REDACTED]' }, ids: [1, 2] });
  });

  test('a burst schedules no work per line (nothing is held until the event loop turns)', async () => {
    const { out, logger } = setup();
    const nextTick = vi.spyOn(process, 'nextTick');
    const immediate = vi.spyOn(globalThis, 'setImmediate');
    try {
      for (let i = 0; i < 1_000; i++) logger.info('burst', { i });
    } finally {
      nextTick.mockRestore();
      immediate.mockRestore();
    }
    expect(nextTick.mock.calls.length + immediate.mock.calls.length).toBeLessThan(5);
    expect(await out.lines()).toHaveLength(1_000);
  });

  test('close() ends the family; a line after it is neither dropped nor thrown: it goes to stderr, marked afterClose and redacted', async () => {
    const { out, logger } = setup();
    const child = logger.child({ a: 1 });
    logger.info('before');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await child.close();
      logger.info('after', { password: 'hunter2' }); // bulwark-allow-secret: a made-up password, to show it is redacted
      child.error('after too', { afterClose: 'mine' });
      await logger.close();
      expect(stderr.mock.calls.map(([chunk]) => chunk)).toEqual([
        '{"timestamp":"2026-11-24T12:00:00.000Z","level":"info","message":"after","service":"checkout","password":"[REDACTED]","afterClose":true}\n',
        '{"timestamp":"2026-11-24T12:00:00.000Z","level":"error","message":"after too","service":"checkout","a":1,"afterClose":true,"_afterClose":"mine"}\n',
      ]);
    } finally {
      stderr.mockRestore();
    }
    expect((await out.lines()).map((l) => l.message)).toEqual(['before']);
  });

  test('a call with no message writes a line saying so, never "undefined" and never a throw; an object alone is the fields', async () => {
    const { out, logger } = setup();
    const loose = logger as unknown as Record<'warn' | 'info' | 'error', (...args: unknown[]) => void> & { log(...args: unknown[]): void };
    const calls: Array<() => void> = [
      () => loose.warn(),
      () => loose.warn(undefined, { orderId: 1 }),
      () => loose.info(null),
      () => loose.info(42),
      () => loose.info({ userId: 7 }),
      () => loose.info({ userId: 7 }, { orderId: 1 }),
      () => loose.log('error'),
    ];
    for (const call of calls) expect(call).not.toThrow();
    // What the README documents is still read as meant, pino's order included.
    logger.info('plain');
    logger.error(new Error('boom'));
    loose.info({ userId: 8 }, 'login');
    loose.error(new Error('card declined'), 'charge failed');
    const lines = await out.lines();
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['warn', '[no message: got undefined]'],
      ['warn', '[no message: got undefined]'],
      ['info', '[no message: got null]'],
      ['info', '42'],
      ['info', ''],
      ['info', '[no message: got object]'],
      ['error', '[no message: got undefined]'],
      ['info', 'plain'],
      ['error', 'boom'],
      ['info', 'login'],
      ['error', 'charge failed'],
    ]);
    expect(lines[1]).toMatchObject({ orderId: 1 });
    expect(lines[4]).toMatchObject({ userId: 7 });
    expect(lines[5]).toMatchObject({ orderId: 1 });
    expect(lines[9]).toMatchObject({ userId: 8 });
  });

  test('a getter that throws does not lose the line', async () => {
    const { out, logger } = setup();
    const hostile = {
      get boom(): never {
        throw new Error('getter');
      },
    };
    logger.info('still written', { hostile, ok: true });
    const fields = {
      get boom(): never {
        throw new Error('getter');
      },
      ok: true,
    };
    expect(() => logger.info('a getter among the call’s own fields', fields)).not.toThrow();
    expect(await out.lines()).toEqual([
      expect.objectContaining({ message: 'still written', hostile: '[Unserializable]', ok: true }),
      expect.objectContaining({ message: 'a getter among the call’s own fields', boom: '[Unserializable]', ok: true }),
    ]);
  });

  test('fields that are not an object of fields are written as one `value` field; null is no fields', async () => {
    const { out, logger } = setup();
    class Order {
      readonly orderId = 42;
    }
    const calls: Array<[string, unknown]> = [
      ['a string', 'str'],
      ['a number', 42],
      ['a boolean', false],
      ['a bigint', 10n],
      ['an array', [1, 'a']],
      ['a date', new Date(at)],
      ['a URL', new URL('postgres://app:hunter2@db:5432/orders')], // bulwark-allow-secret: a fixture the line must redact
      ['a Map', new Map([['a', 1]])],
      ['null', null],
      ['a class instance', new Order()],
    ];
    for (const [message, fields] of calls) {
      expect(() => logger.info(message, fields as never)).not.toThrow();
    }
    expect(() => logger.log('warn', 'through log', 'str' as never)).not.toThrow();
    const lines = await out.lines();
    const rest = lines.map(({ timestamp: _t, level: _l, service: _s, ...line }) => line);
    expect(rest).toEqual([
      { message: 'a string', value: 'str' },
      { message: 'a number', value: 42 },
      { message: 'a boolean', value: false },
      { message: 'a bigint', value: '10' },
      { message: 'an array', value: [1, 'a'] },
      { message: 'a date', value: '2026-11-24T12:00:00.000Z' },
      { message: 'a URL', value: 'postgres://[REDACTED]@db:5432/orders' },
      { message: 'a Map', value: { a: 1 } },
      { message: 'null' },
      { message: 'a class instance', orderId: 42 },
      { message: 'through log', value: 'str' },
    ]);
    expect(lines[10]!.level).toBe('warn');
  });

  test("pino's order from plain JavaScript (an object, then the message) is read as meant", async () => {
    const { out, logger } = setup();
    const failure = new Error('connection reset');
    logger.info({ userId: 7 } as never, 'login' as never);
    logger.error(failure as never, 'charge failed' as never);
    const [login, failed] = await out.lines();
    expect(login).toMatchObject({ message: 'login', userId: 7 });
    expect(login).not.toHaveProperty('value');
    expect(failed).toMatchObject({ level: 'error', message: 'charge failed', error: { name: 'Error', message: 'connection reset' } });
  });

  test('an `error` getter that throws among the fields does not lose the line', async () => {
    const { out, logger } = setup();
    const fields = {
      get error(): never {
        throw new Error('getter');
      },
      ok: true,
    };
    expect(() => logger.info('written', fields)).not.toThrow();
    expect(await out.lines()).toEqual([expect.objectContaining({ message: 'written', error: '[Unserializable]', ok: true })]);
  });

  test('pretty format: a readable line, stacks below it', async () => {
    const { out, logger } = setup({ format: 'pretty' });
    logger.info('charged', { orderId: 42, note: 'two words' });
    logger.error('failed', new Error('boom'));
    const text = await out.text();
    const lines = text.split('\n');
    expect(lines[0]).toBe('12:00:00.000 INFO    checkout: charged orderId=42 note="two words"');
    expect(lines[1]).toMatch(/^12:00:00\.000 ERROR {3}checkout: failed error=\{"name":"Error","message":"boom"\}$/);
    expect(lines[2]).toMatch(/^ {4}Error: boom$/);
  });

  test('custom winston transports receive the finished, redacted line', async () => {
    const seen: string[] = [];
    const transport = new winston.transports.Stream({ stream: new (await import('node:stream')).Writable({
      write(chunk: Buffer, _enc, done) {
        seen.push(chunk.toString());
        done();
      },
    }) });
    const logger = createLogger({ service: 'svc', transports: [transport] });
    logger.info('to a stream', { password: 'hunter2' });
    await logger.close();
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0]!)).toMatchObject({ message: 'to a stream', password: '[REDACTED]' });
  });
});

describe('createLogger: the winston logger underneath', () => {
  const MESSAGE = Symbol.for('message');
  const collector = async (options: Record<string, unknown> = {}) => {
    const { Writable } = await import('node:stream');
    const seen: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        seen.push((JSON.parse(chunk.toString()) as { message: string }).message);
        done();
      },
    });
    return { seen, transport: new winston.transports.Stream({ stream, ...options }) };
  };

  test('transports added and removed at run time, and data listeners, see every line in order', async () => {
    const { out, logger } = setup();
    logger.info('a');
    const added = await collector();
    logger.winston.add(added.transport);
    logger.info('b');
    const data: string[] = [];
    const listener = (info: { message: string }) => data.push(info.message);
    logger.winston.on('data', listener);
    logger.info('c');
    logger.winston.off('data', listener);
    logger.winston.remove(added.transport);
    logger.info('d');
    await logger.close();
    expect((await out.lines()).map((l) => l.message)).toEqual(['a', 'b', 'c', 'd']);
    expect(added.seen).toEqual(['b', 'c']);
    expect(data).toEqual(['c']);
  });

  test('a level, silence or format set on the default transport or on winston is honoured', async () => {
    const { out, logger } = setup();
    const line = logger.winston.transports[0]!;
    line.level = 'warn';
    logger.info('filtered by the transport');
    logger.warn('kept by the transport');
    line.level = undefined as unknown as string;
    line.silent = true;
    logger.info('silenced');
    line.silent = false;
    logger.winston.format = winston.format((info) => {
      (info as unknown as Record<symbol, unknown>)[MESSAGE] = JSON.stringify({ message: `formatted ${String(info.message)}` });
      return info;
    })();
    logger.info('by winston');
    expect((await out.lines()).map((l) => l.message)).toEqual(['kept by the transport', 'formatted by winston']);
  });
});

describe('createLogger: levels', () => {
  test("a winston transport's own level still filters what it receives", async () => {
    const { Writable } = await import('node:stream');
    const seen: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        seen.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ service: 's', level: 'debug', transports: [new winston.transports.Stream({ stream: sink, level: 'warn' })] });
    logger.debug('no');
    logger.info('no');
    logger.warn('yes');
    logger.error('yes too');
    await logger.close();
    expect(seen.map((line) => (JSON.parse(line) as { message: string }).message)).toEqual(['yes', 'yes too']);
  });

  test('lines below the level are dropped', async () => {
    const { out, logger } = setup({ level: 'warn' });
    logger.info('dropped');
    logger.debug('dropped');
    logger.warn('kept');
    logger.error('kept too');
    expect((await out.lines()).map((l) => l.message)).toEqual(['kept', 'kept too']);
  });

  test('a call below the level touches neither its message nor its fields', async () => {
    const { out, logger } = setup({ level: 'info' });
    let touched = 0;
    const fields = new Proxy(
      {},
      {
        get: () => void touched++,
        ownKeys: () => {
          touched++;
          return [];
        },
        has: () => {
          touched++;
          return false;
        },
      },
    );
    let formatted = 0;
    logger.debug(() => {
      formatted++;
      return 'expensive';
    }, fields);
    logger.child({ a: 1 }).verbose('x', fields);
    logger.log('silly', () => `${formatted++}`, fields);
    expect(touched).toBe(0);
    expect(formatted).toBe(0);
    expect(logger.isLevelEnabled('debug')).toBe(false);
    expect(logger.isLevelEnabled('warn')).toBe(true);
    expect(await out.lines()).toEqual([]);
  });

  test('a message function runs when the line is written; if it throws, the line says so', async () => {
    const { out, logger } = setup({ level: 'debug' });
    logger.debug(() => 'built lazily');
    logger.debug(() => {
      throw new RangeError('oops');
    });
    expect((await out.lines()).map((l) => l.message)).toEqual(['built lazily', '[the message function threw RangeError]']);
  });

  test('the level comes from LOG_LEVEL when the options have none, in any case', async () => {
    const { out, logger } = setup({ env: { LOG_LEVEL: 'DEBUG' } });
    expect(logger.level).toBe('debug');
    logger.debug('shown');
    expect(await out.lines()).toHaveLength(1);
    expect(setup({ env: { LOG_LEVEL: 'debug' }, level: 'error' }).logger.level).toBe('error');
    expect(setup({ env: {} }).logger.level).toBe('info');
  });

  test('an invalid level is a clear error, from the options or from LOG_LEVEL', () => {
    expect(() => setup({ level: 'loud' as never })).toThrow(
      'Expected `level` to be one of "error", "warn", "info", "http", "verbose", "debug", "silly", got "loud".',
    );
    expect(() => setup({ env: { LOG_LEVEL: 'chatty' } })).toThrow(
      'Expected `LOG_LEVEL (environment variable)` to be one of "error", "warn", "info", "http", "verbose", "debug", "silly", got "chatty".',
    );
  });

  test('setting level on a child changes it for the whole family', async () => {
    const { out, logger } = setup({ level: 'info' });
    const child = logger.child({ component: 'db' });
    child.level = 'debug';
    expect(logger.level).toBe('debug');
    logger.debug('now shown');
    expect(await out.lines()).toHaveLength(1);
    expect(() => {
      child.level = 'nope' as never;
    }).toThrow(TypeError);
    expect([logger.isLevelEnabled('debug'), logger.isLevelEnabled('silly')]).toEqual([true, false]);
  });

  test('log() with a level that is not one of the levels never throws: the line is written at error with unknownLevel', async () => {
    const { out, logger } = setup({ level: 'warn' });
    expect(() => logger.log('loud' as never, 'x', { orderId: 42 })).not.toThrow();
    logger.log('toString' as never, () => 'built');
    logger.log(undefined as never, new Error('boom'));
    logger.log('fatal' as never, 'y', { unknownLevel: 'mine' });
    const lines = await out.lines();
    expect(lines.map((l) => [l.level, l.message, l.unknownLevel, l.orderId, l._unknownLevel])).toEqual([
      ['error', 'x', 'loud', 42, undefined],
      ['error', 'built', 'toString', undefined, undefined],
      ['error', 'boom', 'undefined', undefined, undefined],
      ['error', 'y', 'fatal', undefined, 'mine'],
    ]);
  });

  test('isLevelEnabled answers a level that is not one of the levels as log writes it: at error, so true', async () => {
    const { out, logger } = setup({ level: 'error' });
    for (const level of ['loud', 'toString', 'constructor', undefined]) {
      expect(logger.isLevelEnabled(level as never)).toBe(true);
      if (logger.isLevelEnabled(level as never)) logger.log(level as never, 'guarded');
    }
    expect(logger.isLevelEnabled('warn')).toBe(false);
    expect((await out.lines()).map((l) => [l.level, l.unknownLevel])).toEqual([
      ['error', 'loud'],
      ['error', 'toString'],
      ['error', 'constructor'],
      ['error', 'undefined'],
    ]);
  });

  test('the level of one logger family leaves another’s alone, in both directions', async () => {
    const a = setup({ level: 'info' });
    const b = setup({ level: 'info' });
    const aChild = a.logger.child({ component: 'a' });
    a.logger.level = 'debug';
    aChild.debug('a: shown');
    b.logger.debug('b: dropped');
    b.logger.child({ component: 'b' }).debug('b child: dropped');
    a.logger.level = 'warn';
    b.logger.level = 'silly';
    aChild.info('a: dropped');
    b.logger.silly('b: shown');
    expect((await a.out.lines()).map((l) => l.message)).toEqual(['a: shown']);
    expect((await b.out.lines()).map((l) => l.message)).toEqual(['b: shown']);
  });
});

describe('createLogger: options are checked', () => {
  test.each([
    [{ service: '' }, 'Expected `service` to be a non-empty string, got "".'],
    [{ service: 's', format: 'xml' }, 'Expected `format` to be one of "json", "pretty", got "xml".'],
    [{ service: 's', fields: 'x' }, 'Expected `fields` to be an object of fields, got "x".'],
    [{ service: 's', destination: {} }, 'Expected `destination` to be a writable stream (an object with write), got an object (Object).'],
    [{ service: 's', transports: [] }, 'Expected `transports` to be a non-empty array of winston transports, got an array of length 0.'],
    [{ service: 's', redact: ['a..b'] }, 'Expected `redact[0]` to be a field name or a dotted path such as "req.headers.cookie", got "a..b".'],
    [{ service: 's', maxDepth: 0 }, 'Expected `maxDepth` to be an integer from 1 to 100, got 0.'],
    [{ service: 's', floodControl: { windowMs: -1 } }, 'Expected `floodControl.windowMs` to be a positive integer, got -1.'],
    [{ service: 's', clock: {} }, 'Expected `clock` to be a Clock (now, monotonic and setTimeout), got an object (Object).'],
  ])('%j', (options, message) => {
    expect(() => createLogger(options as unknown as LoggerOptions)).toThrow(message);
  });
});
