// One cache instance in its own process, driven by the multi-process test over IPC.
// Imports the package by name, as a user would: Node resolves it to the built dist/.
import { cache, redisCacheStore } from '@bulwark/cache';
import { createClient } from 'redis';
import { movableClock } from './movable-clock.mjs';

const { url, prefix, name } = JSON.parse(process.argv[2]);
// Real timers, but wall-clock time the parent moves forward for every process alike, so that
// expiry comes without sleeping.
const { clock, advance } = movableClock();

const client = createClient({ url });
client.on('error', () => {});
await client.connect();
const c = cache({ name, clock, ttlMs: 1_000, ttlJitter: 0, earlyRefreshBeta: 0, store: redisCacheStore({ client, prefix }) });
await c.ready();

const loader = async ({ key }) => {
  const n = await client.incr(`${prefix}loads:${key}`);
  await new Promise((r) => setTimeout(r, 50)); // a slow upstream call
  return `${key}#${n}`;
};

process.on('message', async (msg) => {
  const reply = (body) => process.send({ id: msg.id, ...body });
  try {
    switch (msg.op) {
      case 'getOrSet':
        return reply({ value: await c.getOrSet(msg.key, loader) });
      case 'peek':
        return reply({ value: c.peek(msg.key) ?? null });
      case 'delete':
        await c.delete(msg.key);
        return reply({});
      case 'invalidateTag':
        await c.invalidateTag(msg.tag);
        return reply({});
      case 'bumpNamespace':
        await c.bumpNamespace();
        return reply({});
      case 'set':
        await c.set(msg.key, msg.value, { tags: msg.tags });
        return reply({});
      case 'advance':
        advance(msg.ms);
        return reply({});
      case 'close':
        await c.close();
        await client.close();
        reply({});
        return process.exit(0);
      default:
        return reply({ error: `unknown op ${msg.op}` });
    }
  } catch (error) {
    reply({ error: String(error?.stack ?? error) });
  }
});
process.send({ ready: true });
