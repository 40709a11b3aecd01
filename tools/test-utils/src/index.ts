export { createFakeClock } from '@bulwark/core';
export type { FakeClock } from '@bulwark/core';
export { flaky, deferred } from './flaky.js';
export type { Flaky, Outcome, Deferred } from './flaky.js';
export { describeRedis, useRedis, redisUrl, redisUnavailableReason, REDIS_TAG } from './redis.js';
export type { RedisFixture } from './redis.js';
export { startRedisServer, pingRedis, freePort, ensureRedis, hasRedisServerBinary, DEFAULT_REDIS_URL } from './redis-server.js';
export type { PrivateRedisServer, RedisAvailability } from './redis-server.js';
export type { BenchCase, BenchFile, BenchSuite } from './bench.js';
