// Lua scripts of the Redis store. Each decision is one script run: atomic, timed by Redis `TIME`
// alone, touching only keys of one hash slot (`prefix{key}:...`), so it runs on Redis Cluster too.
// The arithmetic mirrors algorithms.ts. State per limit key: GCRA the TAT as a number, windows
// "window:count:previousCount" as one string (GET and SET PX: two commands, not three with a hash).

/**
 * KEYS[1] = hold key (value: the Redis time, in ms, until which the key is held), KEYS[2..n+1] = one
 * key per limit, all read with one MGET.
 * ARGV[1] = cost, ARGV[2] = take (>= cost), then per limit: code (g|s|f), limit, windowMs, capacity.
 * Returns { allowed (0|1), granted, retryAfterMs, remaining (-1 while held), now (ms) }.
 */
export const DECIDE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local cost = tonumber(ARGV[1])
local take = tonumber(ARGV[2])
local vals = redis.call('MGET', unpack(KEYS))
local held = tonumber(vals[1])
if held and held > now then return {0, 0, math.ceil(held - now), -1, math.floor(now)} end
local n = #KEYS - 1
local st = {}
local least = math.huge
for i = 1, n do
  local b = 2 + (i - 1) * 4
  local code = ARGV[b + 1]
  local L = tonumber(ARGV[b + 2])
  local W = tonumber(ARGV[b + 3])
  local C = tonumber(ARGV[b + 4])
  local a
  if code == 'g' then
    local iv = W / L
    local tat = tonumber(vals[i + 1]) or 0
    if tat < now then tat = now end
    a = math.floor((now + C * iv - tat) / iv + 1e-9)
    st[i] = {code, L, W, C, tat}
  else
    local w = math.floor(now / W)
    local c, p = 0, 0
    local v = vals[i + 1]
    if v then
      local sw, sc, sp = string.match(v, '^(%-?%d+):(%d+):(%d+)$')
      sw = tonumber(sw)
      if sw == w then
        c = tonumber(sc)
        p = tonumber(sp)
      elseif sw == w - 1 then
        p = tonumber(sc)
      end
    end
    if code == 'f' then
      a = L - c
    else
      local el = (now - w * W) / W
      a = math.floor(L - p * (1 - el) - c + 1e-9)
    end
    st[i] = {code, L, W, C, w, c, p}
  end
  if a < least then least = a end
end
if least < cost then
  local wait = 0
  for i = 1, n do
    local s = st[i]
    local code, L, W, C = s[1], s[2], s[3], s[4]
    local x
    if code == 'g' then
      local iv = W / L
      x = s[5] + cost * iv - C * iv - now
    elseif code == 'f' then
      if s[6] + cost <= L then x = 0 else x = (s[5] + 1) * W - now end
    else
      local w, c, p = s[5], s[6], s[7]
      if c + cost <= L then
        if p == 0 then x = 0 else x = w * W + (1 - (L - c - cost) / p) * W - now end
      else
        local f = 0
        if c > 0 then f = math.max(0, 1 - (L - cost) / c) end
        x = (w + 1) * W + f * W - now
      end
    end
    if x > wait then wait = x end
  end
  if least < 0 then least = 0 end
  return {0, 0, math.max(1, math.ceil(wait)), least, math.floor(now)}
end
local granted = take
if least < granted then granted = least end
for i = 1, n do
  local s = st[i]
  local code, L, W = s[1], s[2], s[3]
  local key = KEYS[i + 1]
  if code == 'g' then
    local tat = s[5] + granted * W / L
    redis.call('SET', key, string.format('%.17g', tat), 'PX', math.max(1, math.ceil(tat - now)))
  else
    local w = s[5]
    local span = 1
    if code == 's' then span = 2 end
    redis.call('SET', key, string.format('%d:%d:%d', w, s[6] + granted, s[7]), 'PX', math.max(1, math.ceil((w + span) * W - now)))
  end
end
return {1, granted, 0, least - granted, math.floor(now)}
`;

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
