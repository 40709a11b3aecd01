import { AsyncLocalStorage } from 'node:async_hooks';
import { setImmediate as turn } from 'node:timers/promises';
import { context, ROOT_CONTEXT, trace, type Context, type ContextManager } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { captureLog } from '@bulwark/test-utils';
import { createLogger, getLogContext, withLogContext, type LoggerOptions } from './index.js';

function setup(options: Partial<LoggerOptions> = {}) {
  const out = captureLog();
  const logger = createLogger({ service: 'gateway', destination: out.destination, ...options });
  return { out, logger };
}

describe('withLogContext', () => {
  test('every line under it carries the fields, however deep and across awaits and timers', async () => {
    const { out, logger } = setup();
    const deep = async (n: number): Promise<void> => {
      if (n === 0) {
        logger.info('deepest');
        return;
      }
      await turn();
      await deep(n - 1);
    };
    await withLogContext({ requestId: 'r-1', tenant: 'acme' }, async () => {
      logger.info('first');
      await deep(5);
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          logger.info('from a timer');
          resolve();
        }, 0),
      );
    });
    logger.info('outside');
    const lines = await out.lines();
    expect(lines.map((l) => [l.message, l.requestId, l.tenant])).toEqual([
      ['first', 'r-1', 'acme'],
      ['deepest', 'r-1', 'acme'],
      ['from a timer', 'r-1', 'acme'],
      ['outside', undefined, undefined],
    ]);
  });

  test('concurrent contexts stay apart', async () => {
    const { out, logger } = setup();
    const handle = (id: string, waits: number) =>
      withLogContext({ requestId: id }, async () => {
        for (let i = 0; i < waits; i++) await turn();
        logger.info(`done ${id}`);
      });
    await Promise.all([handle('a', 3), handle('b', 1), handle('c', 2)]);
    const lines = await out.lines();
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line.message).toBe(`done ${String(line.requestId)}`);
  });

  test('nested contexts add fields, the inner winning; the result of fn is returned', async () => {
    const { out, logger } = setup();
    const result = withLogContext({ requestId: 'r-1', step: 'outer' }, () =>
      withLogContext({ step: 'inner', userId: 7 }, () => {
        logger.info('nested');
        return getLogContext();
      }),
    );
    expect(result).toEqual({ requestId: 'r-1', step: 'inner', userId: 7 });
    expect(getLogContext()).toEqual({});
    expect((await out.lines())[0]).toMatchObject({ requestId: 'r-1', step: 'inner', userId: 7 });
  });

  test('the fields are copied: changing the object later does not change the lines', async () => {
    const { out, logger } = setup();
    const fields: Record<string, unknown> = { requestId: 'r-1' };
    withLogContext(fields, () => {
      fields.requestId = 'changed';
      logger.info('x');
    });
    expect((await out.lines())[0]!.requestId).toBe('r-1');
  });

  test('arguments are checked', () => {
    expect(() => withLogContext(null as never, () => 1)).toThrow('Expected `fields` to be an object of fields, got null.');
    expect(() => withLogContext({}, 'x' as never)).toThrow('Expected `fn` to be a function, got "x".');
  });
});

describe('field precedence: the call over the child over the context over the defaults', () => {
  test('the same however the method is called', async () => {
    const { out, logger } = setup({ fields: { env: 'prod', who: 'defaults', region: 'eu' }, level: 'debug' });
    const parent = logger.child({ who: 'parent', component: 'payments' });
    const child = parent.child({ who: 'child' });
    withLogContext({ who: 'context', requestId: 'r-9', region: 'us' }, () => {
      child.info('a');
      child.info('b', { who: 'call' });
      child.log('info', 'c', { who: 'call' });
      child.error(new Error('d'), { who: 'call' });
      parent.debug('e');
      logger.warn('f');
    });
    logger.info('g');
    const lines = await out.lines();
    expect(lines.map((l) => [l.message, l.who, l.region, l.component, l.requestId, l.env])).toEqual([
      ['a', 'child', 'us', 'payments', 'r-9', 'prod'],
      ['b', 'call', 'us', 'payments', 'r-9', 'prod'],
      ['c', 'call', 'us', 'payments', 'r-9', 'prod'],
      ['d', 'call', 'us', 'payments', 'r-9', 'prod'],
      ['e', 'parent', 'us', 'payments', 'r-9', 'prod'],
      ['f', 'context', 'us', undefined, 'r-9', 'prod'],
      ['g', 'defaults', 'eu', undefined, undefined, 'prod'],
    ]);
  });

  test("a field named like one of the line's own keys is kept under a _ prefix", async () => {
    const { out, logger } = setup();
    logger.child({ service: 'other' }).info('real', { message: 'fake', level: 'fatal', timestamp: 0 });
    expect((await out.lines())[0]).toMatchObject({
      message: 'real',
      level: 'info',
      service: 'gateway',
      _message: 'fake',
      _level: 'fatal',
      _timestamp: 0,
      _service: 'other',
    });
  });

  test('a renamed field takes one more _ while its name is taken: neither hides the other', async () => {
    const { out, logger } = setup();
    logger.info('a', { message: 'm', _message: 'u' });
    logger.info('b', { _message: 'u', message: 'm' });
    logger.log('info', 'c', { level: 'l', _level: 'u1', __level: 'u2' });
    const child = logger.child({ _message: 'child' });
    child.info('d', { message: 'm' });
    child.info('e', { message: 'm' }); // a child's fields are kept from line to line after the first
    const renaming = logger.child({ message: 'child' });
    renaming.info('f', { _message: 'u' });
    renaming.info('g', { _message: 'u' });
    renaming.info('h', { message: 'call' }); // the call's message over the child's, as any field
    await withLogContext({ _service: 'context' }, async () => logger.info('i', { service: 's' }));
    const lines = await out.lines();
    const renamed = (line: Record<string, unknown>) => Object.fromEntries(Object.entries(line).filter(([key]) => key.startsWith('_')));
    expect(lines.map((line) => [line.message, line.level, line.service, renamed(line)])).toEqual([
      ['a', 'info', 'gateway', { _message: 'u', __message: 'm' }],
      ['b', 'info', 'gateway', { _message: 'u', __message: 'm' }],
      ['c', 'info', 'gateway', { _level: 'u1', __level: 'u2', ___level: 'l' }],
      ['d', 'info', 'gateway', { _message: 'child', __message: 'm' }],
      ['e', 'info', 'gateway', { _message: 'child', __message: 'm' }],
      ['f', 'info', 'gateway', { _message: 'u', __message: 'child' }],
      ['g', 'info', 'gateway', { _message: 'u', __message: 'child' }],
      ['h', 'info', 'gateway', { _message: 'call' }],
      ['i', 'info', 'gateway', { _service: 'context', __service: 's' }],
    ]);
  });

  test('a field named message whose getter throws is written as _message, the line keeps its message', async () => {
    const { out, logger } = setup();
    logger.info('real', {
      get message(): string {
        throw new Error('unreadable');
      },
    });
    expect((await out.lines())[0]).toMatchObject({ message: 'real', _message: '[Unserializable]' });
  });

  test('undefined fields are left out and do not hide weaker layers', async () => {
    const { out, logger } = setup();
    logger.child({ component: 'db' }).info('x', { component: undefined, n: 1 });
    expect((await out.lines())[0]).toMatchObject({ component: 'db', n: 1 });
  });

  test('child() checks its fields', () => {
    expect(() => setup().logger.child([] as never)).toThrow('Expected `fields` to be an object of fields, got an array of length 0.');
  });
});

// A context manager on AsyncLocalStorage, as @opentelemetry/context-async-hooks provides.
class AlsContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.#storage.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#storage.disable();
    return this;
  }
}

describe('OpenTelemetry trace context', () => {
  const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };

  test('no trace ids when no context manager is registered', async () => {
    const { out, logger } = setup();
    context.with(trace.setSpan(context.active(), trace.wrapSpanContext(spanContext)), () => logger.info('x'));
    expect((await out.lines())[0]).not.toHaveProperty('trace_id');
  });

  describe('with a context manager', () => {
    beforeAll(() => {
      context.setGlobalContextManager(new AlsContextManager());
    });
    afterAll(() => {
      context.disable();
    });

    test('lines inside an active span carry trace_id and span_id, across awaits', async () => {
      const { out, logger } = setup();
      const span = trace.wrapSpanContext(spanContext);
      await context.with(trace.setSpan(context.active(), span), async () => {
        await turn();
        logger.info('inside');
      });
      logger.info('outside');
      const [inside, outside] = await out.lines();
      expect(inside).toMatchObject({ trace_id: spanContext.traceId, span_id: spanContext.spanId });
      expect(outside).not.toHaveProperty('trace_id');
    });

    test('an invalid span context and traceContext: false add nothing', async () => {
      const { out, logger } = setup();
      const off = setup({ traceContext: false });
      const invalid = trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 });
      context.with(trace.setSpan(context.active(), invalid), () => logger.info('invalid'));
      context.with(trace.setSpan(context.active(), trace.wrapSpanContext(spanContext)), () => off.logger.info('off'));
      expect((await out.lines())[0]).not.toHaveProperty('trace_id');
      expect((await off.out.lines())[0]).not.toHaveProperty('trace_id');
    });
  });
});
