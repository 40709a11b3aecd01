// Lua scripts of the Redis store. Each decision is one script run: atomic, timed by Redis `TIME`
// alone, touching only keys of one hash slot (`prefix{key}:...`), so it runs on Redis Cluster too.
//
// The decision script is generated per set of limits, with each limit's numbers written into it as
// constants and its arithmetic unrolled: no argument parsing, no tables, no loops. The arithmetic
// mirrors algorithms.ts. Every limit's state is one number in one key, so the script reads all keys
// with one MGET and writes each with one SET ... PX, and never parses a string:
//   gcra:           the theoretical arrival time (TAT) of the next unit, in Redis-time milliseconds;
//   fixed-window:   count * 4 + window % 4, expiring at the window's end;
//   sliding-window: (count * 2^25 + previousCount) * 4 + window % 4, expiring one window later.
// `window % 4` tells the window a stored count belongs to: keys expire within a window or two of
// their own, so the stored window is the current one, the previous one or older, never four ahead;
// it also covers the instant where Redis's expiry check (at the start of the script) and `TIME`
// (read inside it) fall either side of a window boundary.
import type { CompiledLimit } from '../limit.js';
import { DECREASE, DOUBLING_MS, INCREASE_PER_MS, SLOW_START_DECREASE, type LearnParams } from './learning.js';

/** The largest sliding-window limit: both counts share one number below 2^53. */
export const MAX_SLIDING_LIMIT = 2 ** 25 - 1;
/** The largest fixed-window limit: the count times 4 stays below 2^53. */
export const MAX_FIXED_LIMIT = 2 ** 51 - 1;
/** The most limits one limiter may have (the script keeps a few locals per limit; Lua allows 200). */
export const MAX_LIMITS = 32;
const SLIDING_BASE = 2 ** 25;

/**
 * The arguments of a {@link decideScript} script for `cost` and `take`: the two, then, for each
 * window limit in order, its count's increment for `cost` units (`cost × 4` for a fixed window,
 * `cost × 2^27` for a sliding one: see the state layout above), as text.
 */
export function decideArguments(limits: readonly CompiledLimit[], cost: number, take: number): string[] {
  const args = [String(cost), String(take)];
  for (const l of limits) {
    if (l.code === 'f') args.push(String(cost * 4));
    else if (l.code === 's') args.push(String(cost * SLIDING_BASE * 4));
  }
  return args;
}

/**
 * The decision script for `limits` (and, for a learning limiter, its learned state: `learn`).
 * KEYS[1] = hold key (value: the Redis time, in ms, until which the key is held; for a paced key
 * also the earliest time of its next unit); learning only: KEYS[2] = learn key, KEYS[3] = probe
 * key (see learning.ts); then one key per limit, in order. ARGV: see {@link decideArguments}; none
 * for the script of one unit (`oneUnit`: cost and take 1, the usual decision, written into the
 * script with its increments, so that Redis builds no ARGV and converts no number).
 * Returns { granted (> 0) or -retryAfterMs (< 0), remaining (-1 while held; -2: no limit), now (ms)
 * [, 1 for a first contact] }: see {@link decodeDecision}.
 */
export function decideScript(limits: readonly CompiledLimit[], learn?: LearnParams, oneUnit = false): string {
  const n = limits.length;
  // Keys (and MGET values) before the limits' own.
  const before = learn === undefined ? 1 : 3;
  // Each limit with its number in the script (i: locals a1, w1, ...; KEYS[i + before]) and its numbers as Lua literals.
  const numbered = limits.map((l, j) => ({ l, i: j + 1, k: j + 1 + before, L: String(l.limit), W: String(l.windowMs), iv: `(${l.windowMs} / ${l.limit})` }));
  // Each call of a C function (tonumber, math.floor) costs about as much as the arithmetic around
  // it, so the hot path avoids them: strings Redis or the caller made are coerced by arithmetic, a
  // non-negative floor is `q - q % 1` (exact), and a reply's numbers are left for Redis to truncate
  // to integers (`now` arrives as whole milliseconds).
  const lines: string[] = [
    "local t = redis.call('TIME')",
    'local now = t[1] * 1000 + t[2] / 1000',
    `local v = redis.call('MGET', ${Array.from({ length: n + before }, (_, i) => `KEYS[${i + 1}]`).join(', ')})`,
    // Most keys are not held: no call for a missing key (MGET gives `false`).
    'local held = v[1] and tonumber(v[1])',
    'if held and held > now then return {-math.ceil(held - now), -1, now} end',
  ];
  if (learn !== undefined) lines.push('local x');
  if (learn !== undefined) {
    // A first contact is out: wait for its response (which rewrites the learn key) or its timeout,
    // the time in the probe key; past it (the keys expire then) the key is unknown again.
    lines.push(
      'local L = tonumber(v[2])',
      'if L == 0 then',
      '  x = tonumber(v[3]) or 0',
      '  if x > now then return {-math.ceil(x - now), -1, now} end',
      '  L = nil',
      'end',
    );
  }
  lines.push(oneUnit ? 'local cost = 1' : 'local cost = ARGV[1] + 0', learn === undefined ? 'local x, m, d' : 'local m, d');
  // Available units per limit, bringing window state up to `now`.
  for (const { l, i, k, L, W, iv } of numbered) {
    if (l.code === 'g') {
      lines.push(
        `local t${i} = tonumber(v[${k}]) or 0`,
        `if t${i} < now then t${i} = now end`,
        `local a${i} = math.floor((now - t${i} + ${l.capacity} * ${iv}) / ${iv} + 1e-9)`,
      );
    } else if (l.code === 'f') {
      lines.push(
        `local w${i} = now / ${W}`,
        `w${i} = w${i} - w${i} % 1`,
        `local c${i} = 0`,
        `x = tonumber(v[${k}])`,
        `local k${i} = false`,
        `if x then m = x % 4 if (w${i} - m) % 4 == 0 then c${i} = (x - m) / 4 k${i} = true end end`,
        `local a${i} = ${L} - c${i}`,
      );
    } else {
      lines.push(
        `local w${i} = now / ${W}`,
        `w${i} = w${i} - w${i} % 1`,
        `local c${i}, p${i}, k${i} = 0, 0, false`,
        `x = tonumber(v[${k}])`,
        'if x then',
        '  m = x % 4',
        `  d = (w${i} - m) % 4`,
        '  if d < 2 then',
        '    x = (x - m) / 4',
        `    local hi = x / ${SLIDING_BASE}`,
        '    hi = hi - hi % 1',
        `    if d == 0 then c${i} = hi p${i} = x - hi * ${SLIDING_BASE} k${i} = true else p${i} = hi end`,
        '  end',
        'end',
        `local a${i} = math.floor(${L} - p${i} * (1 - (now - w${i} * ${W}) / ${W}) - c${i} + 1e-9)`,
      );
    }
  }
  if (n === 0) return `${[...lines, ...learnedTail(learn!, '-2', 'cost')].join('\n')}\n`;
  lines.push('local least = a1');
  for (let i = 2; i <= n; i++) lines.push(`if a${i} < least then least = a${i} end`);
  // Denied: how long until `cost` units are available on every limit.
  lines.push('if least < cost then', '  local wait = 0');
  for (const { l, i, L, W, iv } of numbered) {
    if (l.code === 'g') {
      lines.push(`  x = t${i} - now + (cost - ${l.capacity}) * ${iv}`);
    } else if (l.code === 'f') {
      lines.push(`  if c${i} + cost <= ${L} then x = 0 else x = (w${i} + 1) * ${W} - now end`);
    } else {
      lines.push(
        `  if c${i} + cost <= ${L} then`,
        `    if p${i} == 0 then x = 0 else x = w${i} * ${W} + (1 - (${L} - c${i} - cost) / p${i}) * ${W} - now end`,
        '  else',
        `    local f = 0`,
        `    if c${i} > 0 then f = math.max(0, 1 - (${L} - cost) / c${i}) end`,
        `    x = (w${i} + 1) * ${W} + f * ${W} - now`,
        '  end',
      );
    }
    lines.push('  if x > wait then wait = x end');
  }
  lines.push(
    '  if least < 0 then least = 0 end',
    '  return {-math.max(1, math.ceil(wait)), least, now}',
    'end',
    oneUnit ? 'local g = 1' : 'local g = ARGV[2] + 0',
    'if least < g then g = least end',
  );
  // Allowed: take `g` units from every limit. Numbers go to redis.call as numbers (exact to 17
  // digits). A window key that already counts the current window only grows (INCRBY keeps its
  // expiry), by the increment the caller passed as text when `g` is the cost (the usual case: Lua
  // writes a number as text with a slow sprintf); a new or stale one is written whole, with the
  // expiry of its window.
  let increment = 3;
  for (const { l, i, k, W, L } of numbered) {
    const key = `KEYS[${k}]`;
    if (l.code === 'g') {
      lines.push(`x = t${i} + g * ${W} / ${L}`, `redis.call('SET', ${key}, x, 'PX', math.max(1, math.ceil(x - now)))`);
    } else if (l.code === 'f') {
      lines.push(
        `if k${i} then if g == cost then redis.call('INCRBY', ${key}, ${oneUnit ? "'4'" : `ARGV[${increment}]`}) else redis.call('INCRBY', ${key}, g * 4) end`,
        `else redis.call('SET', ${key}, g * 4 + w${i} % 4, 'PX', math.max(1, math.ceil((w${i} + 1) * ${W} - now))) end`,
      );
      increment++;
    } else {
      lines.push(
        `if k${i} then if g == cost then redis.call('INCRBY', ${key}, ${oneUnit ? `'${SLIDING_BASE * 4}'` : `ARGV[${increment}]`}) else redis.call('INCRBY', ${key}, g * ${SLIDING_BASE * 4}) end`,
        `else redis.call('SET', ${key}, (g * ${SLIDING_BASE} + p${i}) * 4 + w${i} % 4, 'PX', math.max(1, math.ceil((w${i} + 2) * ${W} - now))) end`,
      );
      increment++;
    }
  }
  if (learn !== undefined) return `${[...lines, ...learnedTail(learn, 'least - g', 'g')].join('\n')}\n`;
  lines.push('return {g, least - g, now}');
  return `${lines.join('\n')}\n`;
}

/** `currentInterval` of learning.ts as a Lua expression over locals `L`, `p` and `now`. */
const CURRENT_INTERVAL = [
  'local function current(L, p)',
  '  if not p then return L end',
  `  if p > 0 then if now > p then return L / (1 + ${INCREASE_PER_MS} * (now - p)) end return L end`,
  `  if now > -p then return L / 2 ^ ((now + p) / ${DOUBLING_MS}) end`,
  '  return L',
  'end',
];

/**
 * The end of a learning decision, once the limits allowed `g` units (remaining: `remaining`): a first
 * contact marks the key as awaiting its response; a key with no limit counts its units; a paced key
 * moves its next unit one interval per unit on.
 */
function learnedTail(learn: LearnParams, remaining: string, g: string): string[] {
  return [
    ...(g === 'g' ? [] : [`local g = ${g}`]),
    'if not L then',
    `  redis.call('SET', KEYS[2], 0, 'PX', ${learn.firstResponseTimeoutMs})`,
    `  redis.call('SET', KEYS[3], now + ${learn.firstResponseTimeoutMs}, 'PX', ${learn.firstResponseTimeoutMs})`,
    `  return {g, ${remaining}, now, 1}`,
    'end',
    `if L < 0 then redis.call('INCRBY', KEYS[2], -g) return {g, ${remaining}, now} end`,
    ...CURRENT_INTERVAL,
    // Paced: the next unit goes one interval per unit on, keeping the schedule through half an
    // interval of lateness (the hold key outlives its time by the learned state's life for that).
    'local i = current(L, tonumber(v[3]))',
    'if held and held >= now - i / 2 then x = held else x = now end',
    'x = x + g * i',
    `redis.call('SET', KEYS[1], x, 'PX', math.ceil(x - now) + ${learn.ttlMs})`,
    'return {g, 0, now}',
  ];
}

/** A decision as the script answers it, as a store answers it (`fallback: false`). */
export interface ScriptDecision {
  readonly allowed: boolean;
  readonly granted: number;
  readonly retryAfterMs: number;
  readonly remaining: number;
  readonly decidedAt: number;
  readonly fallback: false;
  readonly first?: boolean;
}

/** Reads the reply of a {@link decideScript} script: `{ granted or -retryAfterMs, remaining, now }`. */
export function decodeDecision(reply: unknown): ScriptDecision {
  const r = reply as [number, number, number];
  const head = Number(r[0]);
  return head > 0
    ? { allowed: true, granted: head, retryAfterMs: 0, remaining: Number(r[1]), decidedAt: Number(r[2]), fallback: false }
    : { allowed: false, granted: 0, retryAfterMs: -head, remaining: Number(r[1]), decidedAt: Number(r[2]), fallback: false };
}

/** Reads the reply of a learning {@link decideScript} script: remaining -2 is no limit at all; a fourth element marks a first contact. */
export function decodeLearningDecision(reply: unknown): ScriptDecision {
  const d = decodeDecision(reply);
  const r = reply as unknown[];
  const remaining = d.remaining === -2 ? Infinity : d.remaining;
  return r.length > 3 ? { ...d, remaining, first: true } : remaining === d.remaining ? d : { ...d, remaining };
}

/**
 * KEYS[1] = hold key, KEYS[2] = strikes key.
 * ARGV[1] = 'hold' with ARGV[2] = ms; or 'strike' with ARGV[2] = baseMs, ARGV[3] = maxMs; or 'clear'.
 * The hold key holds the Redis time (ms) until which the key is held, and expires then.
 * Returns the hold applied, in ms (0 for 'clear').
 */
export const HOLD_SCRIPT = `
local mode = ARGV[1]
if mode == 'clear' then
  redis.call('DEL', KEYS[2])
  return 0
end
local ms
if mode == 'hold' then
  ms = tonumber(ARGV[2])
else
  local base = tonumber(ARGV[2])
  local max = tonumber(ARGV[3])
  local n = redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], max * 4)
  ms = math.min(base * 2 ^ (n - 1), max)
end
ms = math.ceil(ms)
if ms > 0 then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
  if current < now + ms then
    redis.call('SET', KEYS[1], string.format('%d', now + ms), 'PX', ms)
  end
end
return ms
`;

/**
 * What one response taught about a key, applied at once (see learning.ts, whose `learnStep` this
 * mirrors). KEYS[1] = hold, KEYS[2] = strikes, KEYS[3] = learn, KEYS[4] = probe, KEYS[5] = serial.
 * ARGV[1] = kind (`stated`, `refused`, `limited`, `answered`), ARGV[2] = hold ms, ARGV[3] = strike
 * base ms (0: no strike), ARGV[4] = strike max ms, ARGV[5] = '1' to clear strikes, ARGV[6] = stated
 * interval ms, ARGV[7] = ttl ms of what is learned, ARGV[8] = the limit stated with no window.
 * Returns { hold applied (ms), learned interval in force ('' for none), 1 while it is probed }.
 */
export const LEARN_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local kind = ARGV[1]
local ms = tonumber(ARGV[2])
local base = tonumber(ARGV[3])
if base > 0 then
  local max = tonumber(ARGV[4])
  local n = redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], max * 4)
  ms = math.min(base * 2 ^ (n - 1), max)
elseif ARGV[5] == '1' then
  redis.call('DEL', KEYS[2])
end
ms = math.ceil(ms)
local v = redis.call('MGET', KEYS[1], KEYS[3], KEYS[4])
if ms > 0 and (tonumber(v[1]) or 0) < now + ms then
  redis.call('SET', KEYS[1], string.format('%d', now + ms), 'PX', ms + tonumber(ARGV[7]))
end
${CURRENT_INTERVAL.join('\n')}
local L, p = tonumber(v[2]), tonumber(v[3])
local write = true
if kind == 'stated' then
  local iv = tonumber(ARGV[6])
  if not (L and L > 0 and p and current(L, p) > iv) then L = iv p = nil end
elseif kind == 'refused' then
  local h = math.max(ms, 1)
  if L and L > 0 then
    if not (p and math.abs(p) > now) then
      if p and p < 0 then L = current(L, p) / ${SLOW_START_DECREASE} else L = current(L, p) / ${DECREASE} end
      p = now + h
    end
  elseif L and L < 0 then
    local n = -L - 1
    if n > 0 then L = (now - (p or now) + h) / n else L = h end
    p = -(now + h)
  else
    L = h
    p = -(now + h)
  end
elseif not L or L == 0 then
  local n = 0
  if kind == 'limited' then n = (tonumber(redis.call('GET', KEYS[5])) or 0) + 1 end
  if n > 0 and n < tonumber(ARGV[8]) then
    redis.call('DEL', KEYS[3], KEYS[4])
    redis.call('SET', KEYS[5], n, 'PX', tonumber(ARGV[7]))
    L = nil
    write = false
  else
    L = -1
    p = now
  end
else
  write = false
end
if write then
  local ttl = tonumber(ARGV[7])
  redis.call('SET', KEYS[3], L, 'PX', ttl)
  if p then redis.call('SET', KEYS[4], p, 'PX', ttl) else redis.call('DEL', KEYS[4]) end
  redis.call('DEL', KEYS[5])
end
if L and L > 0 then return {ms, string.format('%.17g', L), p and 1 or 0} end
return {ms, '', 0}
`;
