import { rateLimiter, redisStore } from '@bulwark/ratelimit';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { createClient } from 'redis';
import { createHash } from 'node:crypto';
import { DECIDE_SCRIPT } from './dist/internal/redis-scripts.js';
const client = createClient({ url: 'redis://127.0.0.1:6379' }); await client.connect();
const sha = createHash('sha1').update(DECIDE_SCRIPT).digest('hex');
await client.scriptLoad(DECIDE_SCRIPT);
const p = `ab3:${process.pid}:`;
const ours = rateLimiter({ limits: { algorithm: 'fixed-window', limit: 1e9, windowMs: 86_400_000 }, store: redisStore({ client, prefix: p }) });
const theirs = new RateLimiterRedis({ storeClient: client, useRedisPackage: true, points: 1e9, duration: 86400, keyPrefix: p + 'rlf' });
const rlfScript = `redis.call('set', KEYS[1], 0, 'EX', ARGV[2], 'NX') local consumed = redis.call('incrby', KEYS[1], ARGV[1]) local ttl = redis.call('pttl', KEYS[1]) if ttl == -1 then redis.call('expire', KEYS[1], ARGV[2]) ttl = 1000 * ARGV[2] end return {consumed, ttl}`;
const rsha = await client.scriptLoad(rlfScript);
const cases = {
  limiter: (k) => ours.tryAcquire(k),
  direct_evalsha: (k) => client.evalSha(sha, { keys: [p + 'd{' + k + '}:hold', p + 'd{' + k + '}:f'], arguments: ['1', '1', 'f', '1000000000', '86400000', '1000000000'] }),
  rlf_consume: (k) => theirs.consume(k),
  rlf_script_evalsha: (k) => client.evalSha(rsha, { keys: [p + 'r' + k], arguments: ['1', '86400', '1000000000', '86400'] }),
  ping: () => client.ping(),
};
const t = {};
for (let r = 0; r < 40; r++) for (const [n, f] of Object.entries(cases)) { const s = performance.now(); for (let i = 0; i < 200; i++) await f('k' + (i % 100)); t[n] = (t[n] ?? 0) + performance.now() - s; }
for (const k in t) console.log(k.padEnd(20), (t[k] * 1000 / (40 * 200)).toFixed(1), 'us/op');
for await (const keys of client.scanIterator({ MATCH: p + '*', COUNT: 1000 })) if (keys.length) await client.del(keys);
await client.close();
