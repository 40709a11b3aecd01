import { redisScript, sleep, type Clock } from '@bulwark/core';
import { randomBytes } from 'node:crypto';
import type { RedisTier } from './redis-tier.js';

const RELEASE = redisScript("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0");

/**
 * The recompute lease: across instances only the holder of a key's lease runs its loader; the
 * others wait (bounded by `leaseWaitMs`, looking every `leasePollMs`) for its result in Redis. The
 * lease is a token set with NX and an expiry (`leaseMs`, in case its holder dies), released only
 * by its holder.
 */
export class RecomputeLease {
  readonly #tier: RedisTier;
  readonly #clock: Clock;
  readonly #instanceId: string;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  /** How long an instance waits for another's recompute before loading itself, in ms. */
  readonly waitMs: number;

  constructor(tier: RedisTier, clock: Clock, instanceId: string, leaseMs: number, waitMs: number, pollMs: number) {
    this.#tier = tier;
    this.#clock = clock;
    this.#instanceId = instanceId;
    this.#leaseMs = leaseMs;
    this.waitMs = waitMs;
    this.#pollMs = pollMs;
  }

  /** The lease's token when this instance got it; `undefined` when another holds it; `''` when Redis failed (load here: no one to wait for). */
  async acquire(key: string): Promise<string | undefined> {
    const token = `${this.#instanceId}:${randomBytes(6).toString('hex')}`;
    const leaseKey = this.#tier.keys.lease(this.#tier.keys.entry(key));
    try {
      const ok = await this.#tier.call('lease', (c) => c.set(leaseKey, token, { NX: true, PX: this.#leaseMs }));
      return ok === 'OK' ? token : undefined;
    } catch (error) {
      this.#tier.report('lease', error);
      return '';
    }
  }

  /** Lets go of a lease this instance holds (a no-op for `''`); a failure is reported, and the lease expires on its own. */
  async release(key: string, token: string): Promise<void> {
    if (token === '') return;
    const tier = this.#tier;
    const leaseKey = tier.keys.lease(tier.keys.entry(key));
    try {
      await tier.call('release', (c) => tier.connection.evalScript(c, RELEASE, [leaseKey], [token]));
    } catch (error) {
      tier.report('release', error);
    }
  }

  /** One pause between looks for the holder's result. Not unref'd: the wait is the caller's work, it must keep the process alive. */
  pause(): Promise<void> {
    return sleep(this.#pollMs, { clock: this.#clock });
  }
}
