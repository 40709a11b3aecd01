// Serves a stale value while a refresh runs behind it, a refresh whose loader never settles, and
// awaits nothing more: nobody waits on that refresh, so its one-minute deadline must not hold the
// process open.
import { cache } from '@bulwark/cache';
import { movableClock } from './movable-clock.mjs';

const { clock, advance } = movableClock();
const c = cache({ clock, ttlMs: 1_000, staleWhileRevalidateMs: 60_000, ttlJitter: 0, earlyRefreshBeta: 0 });
await c.getOrSet('k', async () => 'old');
advance(2_000); // past freshness, within the revalidate window
const value = await c.getOrSet('k', () => new Promise(() => {}));
process.send?.({ value });
