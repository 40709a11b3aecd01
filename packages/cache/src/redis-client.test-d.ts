// Type test: a client from `createClient()` is accepted as is, without a cast.
import { createClient } from 'redis';
import { cache } from './index.js';

export async function typecheck(): Promise<void> {
  const client = createClient({ url: 'redis://127.0.0.1:6379' });
  const c = cache({ redis: { client, subscriber: client.duplicate() } });
  const value: number = await c.getOrSet('k', async () => 1);
  void value;
}
