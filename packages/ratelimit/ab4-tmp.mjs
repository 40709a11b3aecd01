import { rateLimiter, redisStore } from '@bulwark/ratelimit';
import { createClient } from 'redis';
const client = createClient({ url: 'redis://127.0.0.1:6379' }); await client.connect();
const p = `ab4:${process.pid}:`;
const noTimerClock = { now: Date.now, monotonic: () => performance.now(), setTimeout: () => ({ clear() {} }) };
const limits = { algorithm: 'fixed-window', limit: 1e9, windowMs: 86_400_000 };
const a = rateLimiter({ limits, store: redisStore({ client, prefix: p }) });
const b = rateLimiter({ limits, store: redisStore({ client, prefix: p, clock: noTimerClock }) });
const storeA = redisStore({ client, prefix: p });
const set = { id: 'x', limits: [{ id: 'f', code: 'f', limit: 1e9, windowMs: 86400000, capacity: 1e9, algorithm: 'fixed-window' }] };
const cases = {
  limiter: (k) => a.tryAcquire(k),
  limiter_no_timer: (k) => b.tryAcquire(k),
  store_decide: (k) => storeA.decide(k, set, 1, 1),
  ping: () => client.ping(),
};
const t = {};
for (let r = 0; r < 30; r++) for (const [n, f] of Object.entries(cases)) { const s = performance.now(); for (let i = 0; i < 200; i++) await f('k' + (i % 100)); t[n] = (t[n] ?? 0) + performance.now() - s; }
for (const k in t) console.log(k.padEnd(20), (t[k] * 1000 / (30 * 200)).toFixed(1), 'us/op');
for await (const keys of client.scanIterator({ MATCH: p + '*', COUNT: 1000 })) if (keys.length) await client.del(keys);
await client.close();
