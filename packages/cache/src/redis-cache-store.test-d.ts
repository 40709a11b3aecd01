// Type test: a client from `createClient()` or `createCluster()` is accepted as is, without a cast.
import { createClient, createCluster } from 'redis';
import { cache, redisCacheStore } from './index.js';

export async function typecheck(): Promise<void> {
  const client = createClient({ url: 'redis://127.0.0.1:6379' });
  const c = cache({ store: redisCacheStore({ client, subscriber: client.duplicate() }) });
  const value: number = await c.getOrSet('k', async () => 1);
  void value;
  const cluster = createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7000' }] });
  void cache({ memory: false, store: redisCacheStore({ client: cluster }) });
}
