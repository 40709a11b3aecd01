// The gateways of a run share Redis under a prefix of the run's own; once they have stopped, the demo
// removes what they left there (a domain fact lives a week), so runs do not pile up in a shared Redis.
import { createClient } from 'redis';

/** Deletes every key under `prefix`. Never throws: a cleanup is best effort. */
export async function removeRedisPrefix(url: string, prefix: string): Promise<void> {
  const client = createClient({ url, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) await client.unlink(keys);
    }
  } catch {
    // Redis gone: what is left expires on its own.
  } finally {
    client.destroy();
  }
}
