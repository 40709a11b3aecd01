// One instance of a service, in its own process, for the multi-process test of shared circuit
// state. Imports the package by name (its built dist). Talks to the parent over IPC.
import { circuitBreaker, isCircuitOpenError, redisCircuitStore } from '@bulwark/breaker';
import { createClient } from 'redis';

const { REDIS_URL, PREFIX, INSTANCE, SYNC_MS, TIMEOUT_MS, BREAK_MS } = process.env;
const client = createClient({ url: REDIS_URL });
client.on('error', () => {});
await client.connect();

const store = redisCircuitStore({
  client,
  prefix: PREFIX,
  instanceId: INSTANCE,
  quorum: 2,
  syncIntervalMs: Number(SYNC_MS),
  timeoutMs: Number(TIMEOUT_MS),
});
const breaker = circuitBreaker({
  name: 'upstream',
  breaker: { kind: 'consecutive', threshold: 3 },
  halfOpenAfterMs: Number(BREAK_MS),
  store,
});
const sharedErrors = [];
breaker.onStoreError((e) => sharedErrors.push(`${e.operation}: ${e.error.message}`));

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls a healthy upstream every `gapMs` until the circuit refuses, or `forMs` pass. */
async function watch(gapMs, forMs) {
  const until = Date.now() + forMs;
  let calls = 0;
  while (Date.now() < until) {
    try {
      await breaker.execute(async () => 'fine');
      calls++;
    } catch (error) {
      if (isCircuitOpenError(error)) return { rejectedAt: Date.now(), calls, state: breaker.state };
      throw error;
    }
    await pause(gapMs);
  }
  return { rejectedAt: null, calls, state: breaker.state };
}

process.on('message', async (msg) => {
  try {
    if (msg.cmd === 'fail') {
      for (let i = 0; i < msg.n; i++) {
        await breaker.execute(() => Promise.reject(new Error('upstream down'))).catch(() => {});
      }
      process.send({ id: msg.id, state: breaker.state });
    } else if (msg.cmd === 'watch') {
      process.send({ id: msg.id, ...(await watch(msg.gapMs, msg.forMs)), sharedErrors });
    } else if (msg.cmd === 'exit') {
      await client.close();
      process.exit(0);
    }
  } catch (error) {
    process.send({ id: msg.id, error: String(error) });
  }
});
process.send({ ready: true });
