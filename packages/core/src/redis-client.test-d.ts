// Type test: node-redis 6 clients fit the one structural client type as they are, without a cast.
import { createClient, createCluster } from 'redis';
import type { RedisClient } from './index.js';

export function typecheck(): RedisClient[] {
  const client = createClient({ url: 'redis://127.0.0.1:6379' });
  const cluster = createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7000' }] });
  const views: RedisClient[] = [client, cluster, client.duplicate(), client.withCommandOptions({ timeout: 0 }), cluster.duplicate()];
  return views;
}
