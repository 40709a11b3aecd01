import { EVENT_NAMES, isEventName, type EventName } from './event-catalog.js';
import type { EventPayloads } from './event-payloads.js';
import type { Disposable, Event } from './event.js';
import { closest } from './internal/closest.js';
import { expectFunction, invalidOption } from './validate.js';

/** The event `event` of `source`, when it has one (a function property of that name). */
function eventOf<K extends EventName>(source: object, event: K): Event<EventPayloads[K]> | undefined {
  const value = (source as Record<string, unknown>)[event];
  return typeof value === 'function' ? (value as Event<EventPayloads[K]>) : undefined;
}

function expectSource(source: unknown): asserts source is object {
  if ((typeof source !== 'object' && typeof source !== 'function') || source === null) {
    throw invalidOption('source', source, 'an object with events (a policy, a cache, a secret manager, …)');
  }
}

const CATALOG_NAMES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(EVENT_NAMES.map((name) => [name, []]));

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
  expectSource(source);
  return EVENT_NAMES.filter((event) => eventOf(source, event) !== undefined);
}

/**
 * Subscribes `listener` to the event `event` of `source`, typed by the event's contract
 * ({@link EventPayloads}); `undefined` when the source has no such event. A name not in the
 * catalog (a typo) and a listener that is not a function are refused with a `TypeError`.
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
  expectSource(source);
  // A mistyped name would subscribe to nothing, unseen: `undefined` is for a source without the event.
  if (!isEventName(event)) {
    const guess = typeof event === 'string' ? closest(event, CATALOG_NAMES) : undefined;
    throw invalidOption('event', event, guess === undefined ? 'the name of an event of EVENT_CATALOG' : `the name of an event of EVENT_CATALOG (\`${guess}\`?)`);
  }
  expectFunction('listener', listener);
  return eventOf(source, event)?.call(source, listener);
}
