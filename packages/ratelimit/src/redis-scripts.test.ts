import { createFakeClock } from '@bulwark/core';
import { describeRedis, useRedis } from '@bulwark/test-utils';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { decideArguments, decideScript, decodeDecision, decodeLearningDecision, LEARN_SCRIPT } from './internal/redis-scripts.js';
import type { LearnOutcome, Lesson } from './internal/learning.js';
import { compileLimit, type CompiledLimit, type LimitOptions } from './limit.js';
import { memoryRateLimitStore } from './memory-store.js';
import type { LimitSet, StoreDecision } from './rate-limit-store.js';

// The generated script decides as the in-memory algorithms do across window roll-overs. Redis `TIME`
// cannot be faked, so the test runs the generated script with its two `TIME` lines replaced by a time
// it passes in (the last argument); everything else is the script the store sends. Key expiry runs on Redis's
// real clock, so the test lengthens every expiry by ten minutes (a slow machine may take longer
// between two steps than a window lasts, and Redis would expire a key the fake time still needs) and
// replays expiry on the fake time instead: a window key is deleted once its window is three or more
// windows old — later than Redis would expire it (one or two windows), which also shows that a count
// survives being read late.

const TIME_LINES = "local t = redis.call('TIME')\nlocal now = t[1] * 1000 + t[2] / 1000\n";

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
    expect(decideScript(limits, undefined, true).startsWith(TIME_LINES)).toBe(true);
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
          // The script of one unit decides the steps of cost 1 and take 1, as the store sends it.
          const [source, sourceForOne] = [decideScript(limits), decideScript(limits, undefined, true)].map((script) =>
            script.replace(TIME_LINES, 'local now = tonumber(ARGV[#ARGV])\n').replaceAll("'PX', ", "'PX', 600000 + "),
          );
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
            const one = cost === 1 && extra === 0;
            const args = [...(one ? [] : decideArguments(limits, cost, cost + extra)), String(now)];
            const d = decodeDecision(await redis.client.eval(one ? sourceForOne! : source!, { keys, arguments: args }));
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

// The same for a learning limiter: its decision script and its learn script against the memory
// store, on one fake time. Learned state lives far longer than a run here (its expiry is Redis's own
// clock, tested through the limiter), and so does a hold key (it outlives its hold by as much).
const LEARN_TIME_LINES = "local t = redis.call('TIME')\nlocal now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n";
const LEARN_PARAMS = { ttlMs: 3_600_000, firstResponseTimeoutMs: 400, share: 1 };

describeRedis('the learning scripts', () => {
  const redis = useRedis();

  test('both scripts read their time in exactly the lines this test replaces', () => {
    expect(decideScript([], LEARN_PARAMS).startsWith(TIME_LINES)).toBe(true);
    expect(decideScript([], LEARN_PARAMS, true).startsWith(TIME_LINES)).toBe(true);
    expect(LEARN_SCRIPT.trimStart().startsWith(LEARN_TIME_LINES)).toBe(true);
  });

  test('property: decisions and lessons, Lua and memory agree on every answer', async () => {
    let run = 0;
    const lesson = fc.record({
      kind: fc.constantFrom('stated', 'refused', 'limited', 'answered') as fc.Arbitrary<Lesson['kind']>,
      limit: fc.constantFrom(2, 3, 5),
      intervalMs: fc.oneof(fc.constant(200), fc.integer({ min: 1, max: 5_000 })),
      holdMs: fc.constantFrom(0, 0, 1_000, 2_500),
      strike: fc.option(fc.record({ baseMs: fc.constantFrom(100, 1_000), maxMs: fc.constant(8_000) }), { nil: undefined }),
      clearStrikes: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.subarray([0, 1, 2], { minLength: 0 }),
        fc.array(
          fc.record({
            advanceMs: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 3_000 })),
            cost: fc.integer({ min: 1, max: 3 }),
            lesson: fc.option(lesson, { nil: undefined, freq: 3 }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        async (which, steps) => {
          const limits: CompiledLimit[] = which.map((i) => compileLimit(`limits[${i}]`, POOL[i]!));
          const set: LimitSet = { id: `${limits.map((l) => l.id).join('|')}|learn`, limits, learn: LEARN_PARAMS };
          const [decide, decideForOne] = [decideScript(limits, LEARN_PARAMS), decideScript(limits, LEARN_PARAMS, true)].map((script) =>
            script.replace(TIME_LINES, 'local now = tonumber(ARGV[#ARGV])\n').replace(`'PX', math.ceil(x - now) + ${LEARN_PARAMS.ttlMs}`, "'PX', 3600000"),
          );
          const learn = LEARN_SCRIPT.replace(LEARN_TIME_LINES, 'local now = tonumber(ARGV[9])\n');
          const clock = createFakeClock({ now: Date.UTC(2026, 10, 24, 12) + 17 });
          const memory = memoryRateLimitStore({ clock });
          const base = `${redis.prefix}learn${run++}:{k}:`;
          const keys = [`${base}hold`, `${base}learn`, `${base}probe`, ...limits.map((l) => `${base}${l.key}`)];
          const written = new Map<string, number>();
          for (const { advanceMs, cost, lesson: l } of steps) {
            clock.tick(advanceMs);
            const now = clock.now();
            // Window keys expire as in the test above.
            for (const [i, limit] of limits.entries()) {
              const at = written.get(keys[i + 3]!);
              if (limit.code !== 'g' && at !== undefined && Math.floor(now / limit.windowMs) - Math.floor(at / limit.windowMs) >= 3) {
                await redis.client.del(keys[i + 3]!);
                written.delete(keys[i + 3]!);
              }
            }
            if (l === undefined) {
              const args = [...(cost === 1 ? [] : decideArguments(limits, cost, cost)), String(now)];
              const d = decodeLearningDecision(await redis.client.eval(cost === 1 ? decideForOne! : decide!, { keys, arguments: args }));
              const m = memory.decide('k', set, cost, cost) as StoreDecision;
              expect({ ...d, first: d.first ?? false }).toEqual({
                fallback: false,
                allowed: m.allowed,
                granted: m.granted,
                retryAfterMs: m.retryAfterMs,
                remaining: m.remaining,
                decidedAt: m.decidedAt,
                first: m.first ?? false,
              });
              if (m.allowed) for (const k of keys.slice(3)) written.set(k, now);
            } else {
              const full: Lesson = { ...l, intervalMs: l.kind === 'stated' ? l.intervalMs : 0, limit: l.kind === 'limited' ? l.limit : 0, ttlMs: LEARN_PARAMS.ttlMs };
              const args = [
                full.kind,
                String(full.holdMs),
                String(full.strike?.baseMs ?? 0),
                String(full.strike?.maxMs ?? 0),
                full.clearStrikes ? '1' : '0',
                String(full.intervalMs),
                String(full.ttlMs),
                String(full.limit),
                String(now),
              ];
              const r = (await redis.client.eval(learn, { keys: [`${base}hold`, `${base}strikes`, `${base}learn`, `${base}probe`, `${base}serial`], arguments: args })) as [number, string, number];
              const fromLua: LearnOutcome = { holdMs: Number(r[0]), intervalMs: r[1] === '' ? undefined : Number(r[1]), probing: Number(r[2]) === 1 };
              const m = memory.learn('k', full) as LearnOutcome; // the memory store answers synchronously
              expect(fromLua.holdMs).toBe(m.holdMs);
              expect(fromLua.probing).toBe(m.probing);
              if (m.intervalMs === undefined) expect(fromLua.intervalMs).toBeUndefined();
              else expect(fromLua.intervalMs).toBeCloseTo(m.intervalMs, 9);
            }
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});
