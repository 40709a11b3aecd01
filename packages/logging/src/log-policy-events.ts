import { invalidOption, type Disposable } from '@bulwark/core';
import type { LogFields, Logger } from './create-logger.js';
import type { LogLevel } from './levels.js';

interface EventLine {
  readonly level: LogLevel;
  readonly message: string;
}

/**
 * The events of every Bulwark package, with the level and message of the line each becomes. Any
 * other `onXxx` event of a source is logged at `debug` with the message `event onXxx`.
 */
export const POLICY_EVENT_LINES: Readonly<Record<string, EventLine>> = Object.freeze({
  // retry
  onRetry: { level: 'warn', message: 'retrying after a failed attempt' },
  onGiveUp: { level: 'error', message: 'gave up retrying' },
  onSuccess: { level: 'debug', message: 'call succeeded' },
  onHedge: { level: 'debug', message: 'hedged attempt started' },
  // breaker
  onBreak: { level: 'error', message: 'circuit opened' },
  onReset: { level: 'info', message: 'circuit closed' },
  onHalfOpen: { level: 'info', message: 'circuit half-open, trying a call' },
  onStateChange: { level: 'info', message: 'circuit state changed' },
  onCallRejected: { level: 'warn', message: 'call rejected by the circuit breaker' },
  onSharedStateError: { level: 'warn', message: 'circuit breaker shared state failed, deciding locally' },
  // ratelimit
  onRateLimited: { level: 'warn', message: 'rate limited' },
  onServerHint: { level: 'info', message: 'rate-limit hint from the server' },
  onStoreFallback: { level: 'warn', message: 'rate-limit store failed, using the local fallback' },
  // cache
  onHit: { level: 'debug', message: 'cache hit' },
  onMiss: { level: 'debug', message: 'cache miss' },
  onRefresh: { level: 'debug', message: 'cache entry refreshed' },
  onStale: { level: 'info', message: 'served a stale cache entry' },
  onEvict: { level: 'debug', message: 'cache entry evicted' },
  onLoaderError: { level: 'warn', message: 'cache loader failed' },
  onL2Error: { level: 'warn', message: 'second-tier cache failed' },
  // secrets
  onRotated: { level: 'info', message: 'secret rotated' },
  onRefreshFailed: { level: 'error', message: 'secret refresh failed' },
  onAudit: { level: 'info', message: 'secret audit' },
  // core
  onTimeout: { level: 'warn', message: 'call timed out' },
  onFallback: { level: 'warn', message: 'fallback answered for a failed call' },
  onRejected: { level: 'warn', message: 'bulkhead full, call rejected' },
  onChaos: { level: 'debug', message: 'chaos injected' },
});

type Subscribe = (listener: (payload: unknown) => void) => Disposable;

const EVENT_NAME = /^on[A-Z]/;

/** Every `onXxx` function of `source`, own or inherited (class methods, getters), known ones first. */
function eventsOf(source: object): Map<string, Subscribe> {
  const found = new Map<string, Subscribe>();
  const add = (name: string): void => {
    if (found.has(name) || !EVENT_NAME.test(name)) return;
    const value = (source as Record<string, unknown>)[name];
    if (typeof value === 'function') found.set(name, value as Subscribe);
  };
  for (const name of Object.keys(POLICY_EVENT_LINES)) add(name);
  for (let o: object | null = source; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) add(name);
  }
  return found;
}

function nameOf(source: object): string | undefined {
  const { name } = source as { name?: unknown };
  return typeof name === 'string' && name.length > 0 ? name : undefined;
}

/** `onRateLimited` → `rateLimited`. */
const eventField = (name: string): string => name.charAt(2).toLowerCase() + name.slice(3);

/**
 * Writes a line for every event of each source: a retry, a breaker, a rate limiter, a cache, a
 * secret store, core's timeout, bulkhead, fallback and chaos — any object whose `onXxx` properties
 * are Bulwark events (a function taking a listener and returning a disposable). Known events get a
 * fitting level ({@link POLICY_EVENT_LINES}: `onRetry` warn, `onBreak` error, `onHit` debug, …);
 * other `onXxx` events are written at `debug`.
 *
 * Each line carries `event` (`retry`, `break`, …), `policy` (the source's `name`, when it has one)
 * and the event's facts as fields (`attempt`, `delayMs`, `state`, `key`, `error` serialized with its
 * cause chain), all through the logger's redaction. Sources are duck-typed, so this package
 * depends on no other Bulwark package. Dispose the handle to unsubscribe from everything.
 *
 * @example
 * ```ts
 * const logging = logPolicyEvents(logger, retryPolicy, breaker, limiter, cache, secrets);
 * // {"level":"warn","message":"retrying after a failed attempt","event":"retry","policy":"upstream","attempt":1,"delayMs":200,"error":{…}}
 * logging.dispose();
 * ```
 */
export function logPolicyEvents(logger: Logger, ...sources: readonly object[]): Disposable {
  if (typeof logger !== 'object' || logger === null || typeof (logger as Partial<Logger>).log !== 'function') {
    throw invalidOption('logger', logger, 'a logger made by createLogger');
  }
  const plans = sources.map((source, i) => {
    const events = typeof source === 'object' && source !== null ? eventsOf(source) : new Map<string, Subscribe>();
    if (events.size === 0) {
      throw invalidOption(`sources[${i}]`, source, 'an object with at least one onXxx event (onRetry, onBreak, onHit, …)');
    }
    return { source, events };
  });
  const subscriptions: Disposable[] = [];
  try {
    for (const { source, events } of plans) {
      const policy = nameOf(source);
      for (const [eventName, subscribe] of events) {
        const line = POLICY_EVENT_LINES[eventName] ?? { level: 'debug', message: `event ${eventName}` };
        const event = eventField(eventName);
        const head: LogFields = policy === undefined ? { event } : { event, policy };
        subscriptions.push(
          subscribe.call(source, (payload: unknown) => {
            if (!logger.isLevelEnabled(line.level)) return;
            const facts =
              typeof payload === 'object' && payload !== null ? payload : payload === undefined ? undefined : { value: payload };
            logger.log(line.level, line.message, facts === undefined ? head : { ...head, ...facts });
          }),
        );
      }
    }
  } catch (error) {
    for (const s of subscriptions) s.dispose();
    throw error;
  }
  let active = true;
  const dispose = (): void => {
    if (!active) return;
    active = false;
    for (const s of subscriptions) s.dispose();
  };
  return { dispose, [Symbol.dispose]: dispose };
}
