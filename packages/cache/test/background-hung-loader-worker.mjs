// Serves a stale value while a refresh runs behind it, a refresh whose loader never settles, and
// awaits nothing more: nobody waits on that refresh, so its one-minute deadline must not hold the
// process open.
import { cache } from '@bulwark/cache';

let offset = 0;
const clock = {
  now: () => Date.now() + offset,
  monotonic: () => performance.now(),
  setTimeout: (fn, ms, options) => {
    const t = setTimeout(fn, ms);
    if (options?.unref) t.unref();
    return { clear: () => clearTimeout(t) };
  },
};
const c = cache({ clock, ttlMs: 1_000, staleWhileRevalidateMs: 60_000, ttlJitter: 0, earlyRefreshBeta: 0 });
await c.getOrSet('k', async () => 'old');
offset = 2_000; // past freshness, within the revalidate window
const value = await c.getOrSet('k', () => new Promise(() => {}));
process.send?.({ value });
