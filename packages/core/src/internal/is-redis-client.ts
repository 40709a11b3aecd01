import type { RedisClient } from '../redis-client.js';

/**
 * Whether `value` looks like a node-redis client (a standalone or a Cluster one): the one test by which
 * core knows a client, wherever one is given (as a client, or by mistake as a store or its options).
 * Its commands live on its prototype, so its own keys say nothing.
 */
export function isRedisClient(value: unknown): value is RedisClient {
  const c = value as Partial<RedisClient> | null;
  return typeof c === 'object' && c !== null && typeof c.evalSha === 'function' && typeof c.eval === 'function';
}
