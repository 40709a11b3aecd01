import { EVENT_NAMES, type EventName } from './event-catalog.js';
import type { EventPayloads } from './event-payloads.js';
import type { Disposable, Event } from './event.js';

/** The event `event` of `source`, when it has one (a function property of that name). */
function eventOf<K extends EventName>(source: object, event: K): Event<EventPayloads[K]> | undefined {
  const value = (source as Record<string, unknown>)[event];
  return typeof value === 'function' ? (value as Event<EventPayloads[K]>) : undefined;
}

/**
 * The events of the catalog that `source` has — any object: a policy, a cache, a secret manager —
 * in the catalog's order. What logging and telemetry subscribe to; they know sources by these
 * names alone, never by their types.
 *
 * @example
 * ```ts
 * eventsOf(bulkhead({ limit: 1 })); // ['onRejected']
 * ```
 */
export function eventsOf(source: object): EventName[] {
  return EVENT_NAMES.filter((event) => eventOf(source, event) !== undefined);
}

/**
 * Subscribes `listener` to the event `event` of `source`, typed by the event's contract
 * ({@link EventPayloads}); `undefined` when the source has no such event.
 *
 * @example
 * ```ts
 * declare function count(name: string, reason: string): void;
 * const limiter = bulkhead({ limit: 4 });
 * subscribeEvent(limiter, 'onRejected', ({ name, reason }) => count(name, reason));
 * ```
 */
export function subscribeEvent<K extends EventName>(
  source: object,
  event: K,
  listener: (payload: EventPayloads[K]) => void,
): Disposable | undefined {
  return eventOf(source, event)?.call(source, listener);
}
