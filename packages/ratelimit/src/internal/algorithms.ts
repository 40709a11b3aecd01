// The three algorithms as arithmetic on a few numbers per limit, shared by the memory store and
// mirrored line for line by the Lua script of the Redis store (redis-scripts.ts). Times are
// milliseconds; state lives in `s[o]`, `s[o + 1]`, `s[o + 2]`:
//   gcra:           s[o] = theoretical arrival time (TAT) of the next unit
//   fixed-window:   s[o] = window index, s[o + 1] = count
//   sliding-window: s[o] = window index, s[o + 1] = count, s[o + 2] = previous window's count
import type { CompiledLimit } from '../limit.js';

/** Slots of state per limit. */
export const STATE_SLOTS = 3;
const EPSILON = 1e-9;

/** Brings window state up to `now` and returns the units available now. */
export function available(l: CompiledLimit, s: number[], o: number, now: number): number {
  if (l.code === 'g') {
    const interval = l.windowMs / l.limit;
    const tat = s[o]! > now ? s[o]! : now;
    // `now - tat` first: at epoch-millisecond magnitudes `now + x - now` loses x's fraction (a
    // fresh key of 3 per second and a burst of 1 read 0.9999993 units, and was refused).
    return Math.floor((now - tat + l.capacity * interval) / interval + EPSILON);
  }
  const w = Math.floor(now / l.windowMs);
  if (s[o] !== w) {
    s[o + 2] = s[o] === w - 1 ? s[o + 1]! : 0;
    s[o + 1] = 0;
    s[o] = w;
  }
  if (l.code === 'f') return l.limit - s[o + 1]!;
  const elapsed = (now - w * l.windowMs) / l.windowMs;
  return Math.floor(l.limit - s[o + 2]! * (1 - elapsed) - s[o + 1]! + EPSILON);
}

/** Milliseconds from `now` until `cost` units are available, after {@link available} ran. */
export function waitFor(l: CompiledLimit, s: number[], o: number, now: number, cost: number): number {
  if (l.code === 'g') {
    const interval = l.windowMs / l.limit;
    const tat = s[o]! > now ? s[o]! : now;
    return Math.max(0, tat - now + (cost - l.capacity) * interval);
  }
  const w = s[o]!;
  const count = s[o + 1]!;
  if (l.code === 'f') return count + cost <= l.limit ? 0 : (w + 1) * l.windowMs - now;
  const previous = s[o + 2]!;
  if (count + cost <= l.limit) {
    if (previous === 0) return 0;
    const fraction = 1 - (l.limit - count - cost) / previous;
    return Math.max(0, w * l.windowMs + fraction * l.windowMs - now);
  }
  const fraction = count > 0 ? Math.max(0, 1 - (l.limit - cost) / count) : 0;
  return (w + 1) * l.windowMs + fraction * l.windowMs - now;
}

/** Takes `units` and returns when the state stops mattering (ms, same clock as `now`). */
export function consume(l: CompiledLimit, s: number[], o: number, now: number, units: number): number {
  if (l.code === 'g') {
    const tat = (s[o]! > now ? s[o]! : now) + (units * l.windowMs) / l.limit;
    s[o] = tat;
    return tat;
  }
  s[o + 1] = s[o + 1]! + units;
  return (s[o]! + (l.code === 'f' ? 1 : 2)) * l.windowMs;
}
