// Vitest global setup shared by every project: makes sure tests agree on one Redis, or on why
// there is none. Under CI a missing Redis is an error, never a silent skip.
import type { TestProject } from 'vitest/node';
import { ensureRedis } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string | undefined;
    redisUnavailableReason: string | undefined;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const found = await ensureRedis();
  if (found.url === undefined && process.env.CI) {
    throw new Error(
      `Redis is required under CI and none is available: ${found.unavailableReason}. ` +
        'Install it (Debian: apt-get install redis-server) or set REDIS_URL.',
    );
  }
  // Later projects' setups (same process) find this server through REDIS_URL instead of starting more.
  if (found.url !== undefined) process.env.REDIS_URL = found.url;
  else process.env.BULWARK_REDIS_UNAVAILABLE = found.unavailableReason;
  project.provide('redisUrl', found.url);
  project.provide('redisUnavailableReason', found.unavailableReason);
  return async () => {
    await found.started?.stop();
  };
}
