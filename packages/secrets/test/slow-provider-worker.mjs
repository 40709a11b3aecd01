// A plain script over a provider that answers its first read at once and never answers again; the
// provider's own timer does not hold the process open, as with a client whose socket is unref'd.
//   read:       a top-level await of a read that times out: it settles (no exit 13).
//   join:       a background refresh is under way, then the script awaits `refresh()`, which joins
//               it: from then on its timeout holds the process open, so the await settles.
//   background: a background refresh is under way (its timeout a minute away) and the script ends:
//               nobody waits on it, so the process exits at once.
import { secret, secretManager } from '@bulwark/secrets';

const mode = process.argv[2];
let reads = 0;
const stalling = {
  name: 'vault',
  fetch: () =>
    reads++ === 0 ? Promise.resolve({ current: secret('s3cr3t-value') }) : new Promise((resolve) => setTimeout(resolve, 600_000).unref()),
};
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

if (mode === 'read') {
  reads = 1;
  const vault = secretManager({ providers: [stalling], fetchTimeoutMs: 200 });
  const error = await vault.get('DB_PASSWORD').catch((e) => e);
  console.log(error.code);
} else {
  const vault = secretManager({ providers: [stalling], ttlMs: 1_100, refreshAheadMs: 100, fetchTimeoutMs: mode === 'join' ? 200 : 60_000 });
  await vault.get('DB_PASSWORD');
  await pause(1_100); // the refresh started at 1 s (the shortest interval allowed) and is waiting on the provider
  if (mode === 'join') {
    const error = await vault.refresh('DB_PASSWORD').catch((e) => e);
    console.log(error.code, vault.stats.fetches);
  } else {
    console.log('refreshing', vault.stats.fetches);
  }
}
