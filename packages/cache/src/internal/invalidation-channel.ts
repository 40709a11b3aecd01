import { isRedisCluster, redisScript, timeout, type Clock, type RedisClient, type TimeoutPolicy } from '@bulwark/core';
import { CacheInvalidationIncompleteError } from '../cache-invalidation-incomplete-error.js';
import type { InvalidationLog, Scope } from './invalidation-log.js';
import { STORE, type RedisTier } from './redis-tier.js';

const SETUP_DEADLINE_MS = 5_000;
const DONE: Promise<void> = Promise.resolve();
// Raises a version counter, drops the entry (a key's own invalidation; same slot as its counter)
// and announces the new version, atomically, so that the announcement order is the version order.
// Versions never repeat, even once a counter has expired and is made again: the new value is at
// least the server's time in microseconds (below 2^53, so exact in Lua and in JavaScript). The
// counter lives at least ARGV[3] ms from now (0: for good).
const INVALIDATE = redisScript(
  "local t = redis.call('TIME') " +
  "local v = math.max((tonumber(redis.call('GET', KEYS[1])) or 0) + 1, t[1] * 1000000 + t[2]) " +
  "local s = string.format('%.0f', v) local keep = tonumber(ARGV[3]) " +
  "if keep > 0 then redis.call('SET', KEYS[1], s, 'PX', math.max(redis.call('PTTL', KEYS[1]), keep)) " +
  "else redis.call('SET', KEYS[1], s) end " +
  "if KEYS[2] then redis.call('UNLINK', KEYS[2]) end " +
  "redis.call('PUBLISH', ARGV[1], s .. '\\n' .. ARGV[2]) return s",
);
/** A key or tag counter lives at least this long after its last invalidation. */
export const COUNTER_MIN_TTL_MS = 86_400_000;
const KIND: Readonly<Record<Scope, string>> = { key: 'k', tag: 't', namespace: 'n' };
const SCOPE: Readonly<Record<string, Scope>> = { k: 'key', t: 'tag', n: 'namespace' };

/**
 * The invalidation channel: every invalidation raises a version counter in Redis and is announced
 * on one pub/sub channel, in version order; every instance hears them, records them in its
 * {@link InvalidationLog} and learns the new versions into the read memo. While the subscription
 * may have missed an announcement (not yet subscribed, an error, a reconnect) the memo is
 * distrusted and versions are read from Redis; when it is back, memory is resynced (everything in
 * it is dropped). A subscription that could not be made at the start is made when its connection
 * comes. A failing subscription is reported once per outage. Connecting, subscribing and closing
 * have a deadline of their own.
 */
export class InvalidationChannel {
  readonly #tier: RedisTier;
  readonly #log: InvalidationLog;
  readonly #instanceId: string;
  /** Bounds connecting, subscribing and closing (not per-command work, which has the store's deadline). */
  readonly #setup: TimeoutPolicy;
  #subscriber: RedisClient | undefined;
  #ownsSubscriber = false;
  #subscribedOnce = false;
  /** The subscription attempt in flight, if any. */
  #subscribing: Promise<void> | undefined;
  /** A failure of the subscription has been reported, and it is not back yet. */
  #failing = false;
  #closed = false;
  /**
   * Resolves once subscribed, or once the first attempt failed (reported); the channel then
   * subscribes when the connection comes. Never rejects.
   */
  readonly ready: Promise<void>;

  constructor(tier: RedisTier, log: InvalidationLog, given: RedisClient | undefined, clock: Clock, instanceId: string) {
    this.#tier = tier;
    this.#log = log;
    this.#instanceId = instanceId;
    this.#setup = timeout(SETUP_DEADLINE_MS, { clock, name: STORE });
    this.ready = this.#subscribe(given);
  }

  /**
   * Raises the counter of an invalidation and announces it; `entryKey`, for a key's own
   * invalidation, is dropped in the same step. Rejects with `CacheInvalidationIncompleteError` when Redis
   * failed (memory has dropped its copy already).
   */
  async announce(scope: Scope, target: string | undefined, counter: string, entryKey: string | undefined): Promise<void> {
    // The namespace counter is one key per cache: it is kept for good. Key and tag counters expire.
    const keepMs = scope === 'namespace' ? '0' : String(COUNTER_MIN_TTL_MS);
    const tier = this.#tier;
    const generation = tier.memo.generation;
    let version: unknown;
    try {
      version = await tier.call('invalidate', (c) =>
        tier.connection.evalScript(c, INVALIDATE, entryKey === undefined ? [counter] : [counter, entryKey], [
          tier.keys.channel,
          `${KIND[scope]}\n${this.#instanceId}\n${target ?? ''}`,
          keepMs,
        ]),
      );
    } catch (error) {
      throw new CacheInvalidationIncompleteError(scope, target, { cause: error });
    }
    // Our own reads must not wait for the announcement to stop trusting the old version.
    if (entryKey !== undefined) tier.memo.learnKey(entryKey, Number(version), generation);
    else tier.memo.learnCounter(counter, Number(version), generation);
  }

  #onMessage = (message: string): void => {
    // `<version>\n<kind>\n<origin>\n<target>`; the target may itself hold newlines.
    const a = message.indexOf('\n');
    const b = message.indexOf('\n', a + 1);
    const c = message.indexOf('\n', b + 1);
    if (a < 0 || b < 0 || c < 0) return;
    const version = Number(message.slice(0, a));
    const kind = message.slice(a + 1, b);
    const target = message.slice(c + 1);
    if (!Number.isFinite(version)) return;
    const scope = Object.hasOwn(SCOPE, kind) ? SCOPE[kind] : undefined;
    if (scope === undefined) return;
    const { memo, keys } = this.#tier;
    if (scope === 'key') memo.learnKey(keys.entry(target), version, memo.generation);
    else memo.learnCounter(scope === 'tag' ? keys.tag(target) : keys.namespace, version, memo.generation);
    this.#log.record(scope, target, version);
  };

  async #subscribe(given: RedisClient | undefined): Promise<void> {
    let sub: RedisClient;
    try {
      sub = given ?? this.#tier.connection.client.duplicate();
    } catch (error) {
      this.#failed(error);
      return;
    }
    this.#subscriber = sub;
    // Listened to before connecting: a connection that comes only after the first attempt gave up
    // still subscribes (on `ready`), and every later reconnect is heard.
    sub.on('ready', this.#onSubscriberReady);
    sub.on('end', this.#onSubscriberDown);
    sub.on('reconnecting', this.#onSubscriberDown);
    // A Cluster client reports its nodes' reconnects only, not its pub/sub node's own.
    sub.on('node-ready', this.#onSubscriberReady);
    if (given === undefined) {
      this.#ownsSubscriber = true;
      sub.on('error', this.#failed);
      try {
        // node-redis keeps trying to connect past this deadline; `ready` says when it has.
        await this.#withDeadline('subscribe', () => sub.connect());
      } catch (error) {
        this.#failed(error);
        return;
      }
    }
    await this.#subscribeOnce();
  }

  /** Subscribes unless it is (or is being) done; a failure is reported, and the next `ready` tries again. */
  #subscribeOnce(): Promise<void> {
    const sub = this.#subscriber;
    if (sub === undefined || this.#subscribedOnce || this.#closed) return DONE;
    this.#subscribing ??= this.#withDeadline('subscribe', () => sub.subscribe(this.#tier.keys.channel, this.#onMessage))
      .then(
        () => this.#subscribed(sub),
        (error: unknown) => this.#failed(error),
      )
      .finally(() => {
        this.#subscribing = undefined;
      });
    return this.#subscribing;
  }

  #subscribed(sub: RedisClient): void {
    this.#subscribedOnce = true;
    const missed = this.#failing;
    this.#failing = false;
    if (this.#closed) return;
    // Subscribed only after a failure: what memory took in meanwhile may have missed announcements.
    if (missed) this.#log.record('namespace', '', Infinity);
    if (sub.isReady && !isRedisCluster(sub)) this.#tier.memo.trust();
  }

  /**
   * The subscription failed or its connection dropped: versions are read from Redis until it is
   * back. Reported once per outage — node-redis reports every reconnection attempt (every 2 s at
   * most) for as long as Redis is away — and never once closed.
   */
  #failed = (error: unknown): void => {
    this.#tier.memo.distrust();
    if (this.#failing || this.#closed) return;
    this.#failing = true;
    this.#tier.report('subscribe', error);
  };

  #onSubscriberDown = (): void => {
    this.#tier.memo.distrust();
  };

  #onSubscriberReady = (): void => {
    if (this.#closed) return;
    if (!this.#subscribedOnce) {
      void this.#subscribeOnce();
      return;
    }
    this.#failing = false;
    this.#log.record('namespace', '', Infinity);
    // node-redis has subscribed again by the time a client reports ready. A Cluster client says
    // nothing when its pub/sub node drops, so what it heard is never trusted: versions are read.
    if (!isRedisCluster(this.#subscriber!)) this.#tier.memo.trust();
  };

  /** Connecting, subscribing and closing, under their own deadline (core's timeout, `SETUP_DEADLINE_MS`). */
  #withDeadline<T>(operation: string, start: () => Promise<T>): Promise<T> {
    return this.#setup.execute(start).catch((error: unknown) => {
      throw this.#tier.connection.failure(operation, error);
    });
  }

  /**
   * Unsubscribes, and closes the connection when it made it; the caller's client stays open. A
   * connection it made that is not (or no longer) connected is dropped at once: it stops trying.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const sub = this.#subscriber;
    if (sub === undefined) return;
    this.#tier.memo.distrust();
    sub.off('ready', this.#onSubscriberReady);
    sub.off('end', this.#onSubscriberDown);
    sub.off('reconnecting', this.#onSubscriberDown);
    sub.off('node-ready', this.#onSubscriberReady);
    try {
      if (this.#ownsSubscriber) {
        if (sub.isReady) await this.#withDeadline('close', () => sub.close());
        else sub.destroy();
      } else if (sub.isReady) {
        await this.#withDeadline('close', () => sub.unsubscribe(this.#tier.keys.channel, this.#onMessage));
      }
    } catch (error) {
      if (this.#ownsSubscriber) sub.destroy();
      this.#tier.report('close', error);
    }
  }
}
