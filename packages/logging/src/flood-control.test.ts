import { createFakeClock } from '@bulwark/core';
import { describe, expect, test } from 'vitest';
import { captureLog } from '@bulwark/test-utils';
import { createLogger, withLogContext, type LoggerOptions } from './index.js';

function setup(options: Partial<LoggerOptions> = {}) {
  const out = captureLog();
  const clock = createFakeClock({ now: Date.UTC(2026, 0, 1) });
  const logger = createLogger({ service: 'gateway', destination: out.destination, clock, ...options });
  return { out, clock, logger };
}

const upstreamDown = () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' });

describe('flood control', () => {
  test('the same error repeated within a window is sampled, then summed up with a count', async () => {
    const { out, clock, logger } = setup({ floodControl: { windowMs: 1_000, maxPerWindow: 3 } });
    withLogContext({ requestId: 'r-1' }, () => {
      for (let i = 0; i < 100; i++) logger.error('upstream call failed', upstreamDown());
    });
    expect(await out.lines()).toHaveLength(3);
    expect(clock.pendingTimers).toBe(1);
    clock.tick(1_000);
    const lines = await out.lines();
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatchObject({
      level: 'error',
      message: 'upstream call failed',
      requestId: 'r-1',
      suppressed: 97,
      suppressedWindowMs: 1_000,
      error: { message: 'connect ECONNREFUSED 10.0.0.1:443', code: 'ECONNREFUSED' },
    });
    // A new window: lines pass again.
    logger.error('upstream call failed', upstreamDown());
    expect(await out.lines()).toHaveLength(5);
  });

  test('different messages or codes are counted apart; lines without errors are never sampled', async () => {
    const { out, clock, logger } = setup({ floodControl: { windowMs: 1_000, maxPerWindow: 2 } });
    for (let i = 0; i < 10; i++) {
      logger.error('a', upstreamDown());
      logger.error('b', Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ETIMEDOUT' }));
      logger.warn('c', { error: new Error('other') });
      logger.info('no error here');
    }
    clock.tick(1_000);
    const lines = await out.lines();
    const count = (message: string) => lines.filter((l) => l.message === message).length;
    expect([count('a'), count('b'), count('c'), count('no error here')]).toEqual([3, 3, 3, 10]);
    expect(lines.filter((l) => l.suppressed === 8)).toHaveLength(3);
  });

  test('a repeat after the window closes the old window first (its summary comes before the new line)', async () => {
    const { out, clock, logger } = setup({ floodControl: { windowMs: 500, maxPerWindow: 1 } });
    logger.error('x', upstreamDown());
    logger.error('x', upstreamDown());
    clock.tick(499);
    logger.error('x', upstreamDown());
    expect((await out.lines()).map((l) => l.suppressed)).toEqual([undefined]);
    clock.tick(1);
    expect((await out.lines()).map((l) => l.suppressed)).toEqual([undefined, 2]);
  });

  test('close() writes pending summaries; floodControl: false writes every line', async () => {
    const { out, logger } = setup({ floodControl: { maxPerWindow: 1 } });
    for (let i = 0; i < 5; i++) logger.error('x', upstreamDown());
    await logger.close();
    expect((await out.lines()).map((l) => l.suppressed)).toEqual([undefined, 4]);

    const off = setup({ floodControl: false });
    for (let i = 0; i < 50; i++) off.logger.error('x', upstreamDown());
    expect(await off.out.lines()).toHaveLength(50);
  });

  test('the default allows 10 a second', async () => {
    const { out, clock, logger } = setup();
    for (let i = 0; i < 25; i++) logger.error(upstreamDown());
    clock.tick(1_000);
    const lines = await out.lines();
    expect(lines).toHaveLength(11);
    expect(lines[10]!.suppressed).toBe(15);
  });
});
