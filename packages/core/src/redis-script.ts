import { sha1Hex } from './internal/sha1.js';
import { invalidOption } from './validate.js';

/** A Lua script with the SHA-1 Redis knows it by. Make one with {@link redisScript}. */
export interface RedisScript {
  readonly source: string;
  readonly sha: string;
}

/**
 * A Lua script for {@link RedisConnection.script}: sent by SHA (`EVALSHA`), and once by its text
 * (`EVAL`, which also caches it on that server) after a `NOSCRIPT` reply. Make each script once.
 *
 * @example
 * ```ts
 * const READ = redisScript("return redis.call('GET', KEYS[1])");
 * ```
 */
export function redisScript(source: string): RedisScript {
  if (typeof source !== 'string') throw invalidOption('source', source, 'the Lua source of the script (a string)');
  return Object.freeze({ source, sha: sha1Hex(source) });
}
