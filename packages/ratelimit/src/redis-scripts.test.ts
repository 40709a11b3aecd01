import { createFakeClock } from '@bulwark/core';
import { describeRedis, useRedis } from '@bulwark/test-utils';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { decideScript, decodeDecision } from './internal/redis-scripts.js';
import { compileLimit, type CompiledLimit, type LimitOptions } from './limit.js';
import { memoryRateLimitStore } from './memory-store.js';
import type { LimitSet, StoreDecision } from './rate-limit-store.js';

// The generated script decides as the in-memory algorithms do across window roll-overs. Redis `TIME`
// cannot be faked, so the test runs the generated script with its two `TIME` lines replaced by a time
// it passes in (ARGV[3]); everything else is the script the store sends. Key expiry runs on Redis's
// real clock, so the test lengthens every expiry by ten minutes (a slow machine may take longer
// between two steps than a window lasts, and Redis would expire a key the fake time still needs) and
// replays expiry on the fake time instead: a window key is deleted once its window is three or more
// windows old — later than Redis would expire it (one or two windows), which also shows that a count
// survives being read late.

const TIME_LINES = "local t = redis.call('TIME')\nlocal now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000\n";

const POOL: LimitOptions[] = [
  { limit: 5, windowMs: 1_000, burst: 3, name: 'g' },
  { algorithm: 'fixed-window', limit: 6, windowMs: 1_000, name: 'f' },
  { algorithm: 'sliding-window', limit: 5, windowMs: 700, name: 's' },
  { algorithm: 'sliding-window', limit: 9, windowMs: 1_300, name: 's2' },
  { algorithm: 'fixed-window', limit: 4, windowMs: 300, name: 'f2' },
];

describeRedis('the generated decision script', () => {
  const redis = useRedis();

  test('the script reads its time in exactly the two lines this test replaces', () => {
    const limits = POOL.map((l, i) => compileLimit(`limits[${i}]`, l));
    expect(decideScript(limits).startsWith(TIME_LINES)).toBe(true);
  });

  test('property: across window roll-overs, Lua and memory agree on every answer', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.subarray([0, 1, 2, 3, 4], { minLength: 1 }),
        fc.array(
          fc.record({
            advanceMs: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 4_000 })),
            key: fc.constantFrom('a', 'b'),
            cost: fc.integer({ min: 1, max: 3 }),
            extra: fc.integer({ min: 0, max: 3 }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        async (which, steps) => {
          const limits: CompiledLimit[] = which.map((i) => compileLimit(`limits[${i}]`, POOL[i]!));
          const set: LimitSet = { id: limits.map((l) => l.id).join('|'), limits };
          const source = decideScript(limits)
            .replace(TIME_LINES, 'local now = tonumber(ARGV[3])\n')
            .replaceAll("'PX', ", "'PX', 600000 + ");
          const clock = createFakeClock({ now: Date.UTC(2026, 10, 24, 12) + 17 });
          const memory = memoryRateLimitStore({ clock });
          const prefix = `${redis.prefix}${run++}:`;
          const written = new Map<string, number>();
          for (const { advanceMs, key, cost, extra } of steps) {
            clock.tick(advanceMs);
            const now = clock.now();
            const keys = [`${prefix}{${key}}:hold`, ...limits.map((l) => `${prefix}{${key}}:${l.key}`)];
            for (const [i, l] of limits.entries()) {
              const at = written.get(keys[i + 1]!);
              if (l.code !== 'g' && at !== undefined && Math.floor(now / l.windowMs) - Math.floor(at / l.windowMs) >= 3) {
                await redis.client.del(keys[i + 1]!);
                written.delete(keys[i + 1]!);
              }
            }
            const d = decodeDecision(await redis.client.eval(source, { keys, arguments: [String(cost), String(cost + extra), String(now)] }));
            const fromLua = { allowed: d.allowed, granted: d.granted, retryAfterMs: d.retryAfterMs, remaining: d.remaining, decidedAt: d.decidedAt };
            const m = memory.decide(key, set, cost, cost + extra) as StoreDecision; // the memory store answers synchronously
            expect(fromLua).toEqual({ allowed: m.allowed, granted: m.granted, retryAfterMs: m.retryAfterMs, remaining: m.remaining, decidedAt: m.decidedAt });
            if (m.allowed) for (const k of keys.slice(1)) written.set(k, now);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
