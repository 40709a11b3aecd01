import {
  EVENT_CATALOG,
  EVENT_NAMES,
  eventsOf,
  expectOneOf,
  expectOptions,
  invalidOption,
  knownOptions,
  type Disposable,
  type EventName,
} from '@bulwark/core';
import type { LogFields, Logger } from './create-logger.js';
import { freeName } from './internal/free-name.js';
import { LOG_LEVEL_NAMES, type LogLevel } from './levels.js';

/**
 * What {@link logPolicyEvents} writes through: a logger made by `createLogger`, or any object with its
 * `log` and `isLevelEnabled` (an adapter to another logger).
 */
export type PolicyEventLogger = Pick<Logger, 'log' | 'isLevelEnabled'>;

/** Options of {@link logPolicyEvents} in its `(logger, sources, options)` form. */
export interface PolicyEventLogOptions {
  /**
   * A level of your own for some events, by the `event` field of their lines (`serverHint`,
   * `loaderError`, `rejected`), or `'off'` to write no line for them. Events not named keep their
   * severity. Each name must be an event of one of the sources given.
   */
  readonly levels?: Readonly<Record<string, LogLevel | 'off'>>;
}

const OPTIONS = knownOptions<PolicyEventLogOptions>('logPolicyEvents()', { levels: ['level', 'eventLevels', 'overrides'] });
const LEVEL_CHOICES = [...LOG_LEVEL_NAMES, 'off'] as const;

interface EventLine {
  readonly level: LogLevel;
  readonly message: string;
}

/**
 * The line each event of the toolkit becomes: its level is the event's severity and its message the
 * event's meaning, both from core's `EVENT_CATALOG`, the one list of Bulwark's events. Any other
 * `onXxx` event of a source is logged at `debug` with the message `event onXxx`.
 */
export const POLICY_EVENT_LINES: Readonly<Record<EventName, EventLine>> = Object.freeze(
  Object.fromEntries(EVENT_NAMES.map((name) => [name, { level: EVENT_CATALOG[name].severity, message: EVENT_CATALOG[name].meaning }])) as Record<
    EventName,
    EventLine
  >,
);

type Subscribe = (listener: (payload: unknown) => void) => Disposable;

const EVENT_NAME = /^on[A-Z]/;

/** Every `onXxx` function of `source`, own or inherited (class methods, getters): the catalog's first, in its order. */
function eventsOfSource(source: object): Map<string, Subscribe> {
  const found = new Map<string, Subscribe>();
  const add = (name: string): void => {
    if (found.has(name) || !EVENT_NAME.test(name)) return;
    const value = (source as Record<string, unknown>)[name];
    if (typeof value === 'function') found.set(name, value as Subscribe);
  };
  for (const name of eventsOf(source)) add(name);
  for (let o: object | null = source; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) add(name);
  }
  return found;
}

function nameOf(source: object): string | undefined {
  const { name } = source as { name?: unknown };
  return typeof name === 'string' && name.length > 0 ? name : undefined;
}

/**
 * The fields of one line: `event`, `policy` (the payload's `name`, else the source's) and the
 * payload's other facts. `event` and `policy` are the line's own: a fact by one of those names is
 * written with a `_` prefix (`_event`, more `_` while that name is taken too), as the logger does
 * for `message` and `level`, so that a payload can neither hide nor forge what the line is about.
 */
function fieldsOf(event: string, sourceName: string | undefined, payload: unknown): LogFields {
  if (typeof payload !== 'object' || payload === null) {
    const head: LogFields = sourceName === undefined ? { event } : { event, policy: sourceName };
    return payload === undefined ? head : { ...head, value: payload };
  }
  // Read fact by fact: a getter that throws becomes `[Unserializable]`, as in any other line, rather
  // than losing the line (the emitter swallows what a listener throws).
  const facts: Record<string, unknown> = {};
  let name: unknown;
  try {
    for (const key of Object.keys(payload)) {
      let value: unknown;
      try {
        value = (payload as Record<string, unknown>)[key];
      } catch {
        value = UNSERIALIZABLE;
      }
      if (key === 'name') name = value;
      else facts[key] = value;
    }
  } catch {
    facts.payload = UNSERIALIZABLE; // a proxy whose keys cannot be listed
  }
  const policy = typeof name === 'string' && name.length > 0 ? name : sourceName;
  // A `name` that names no policy (not a non-empty string) is a fact like any other.
  if (name !== undefined && name !== '' && policy !== name) facts.name = name;
  const fields: Record<string, unknown> = policy === undefined ? { event } : { event, policy };
  for (const key of Object.keys(facts)) {
    fields[freeName(key, (name) => Object.hasOwn(fields, name) || (name !== key && Object.hasOwn(facts, name)))] = facts[key];
  }
  return fields;
}

const UNSERIALIZABLE = '[Unserializable]';

/** `onRejected` → `rejected`. */
const eventField = (name: string): string => name.charAt(2).toLowerCase() + name.slice(3);

/**
 * Writes a line for every event of each source: a retry, a breaker or registry, a rate limiter, a
 * cache, a secret manager or provider, core's timeout, bulkhead, fallback and chaos, telemetry's
 * detectors — any object whose `onXxx` properties are Bulwark events (a function taking a listener
 * and returning a disposable). Each event of core's `EVENT_CATALOG` is written at its severity with
 * its meaning as the message (`onRetry` warn "retrying after a failed attempt", `onBreak` error,
 * `onHit` debug, …); other `onXxx` events are written at `debug`.
 *
 * Each line carries `event` (`retry`, `break`, `rejected`, …), `policy` (the payload's `name`: the
 * primitive that emitted it; else the source's `name`) and the rest of the payload as fields
 * (`attempt`, `delayMs`, `state`, `key`, `secretName`, `error` serialized with its cause chain), all
 * through the logger's redaction. A payload fact named `event` or `policy` is written as `_event` or
 * `_policy` (the line's own fields win). Sources are known by their events alone, so this package depends
 * on no other Bulwark package. Dispose the handle to unsubscribe from everything. At least one source
 * is required: with none (`logPolicyEvents(logger)`, an empty array) it throws a `TypeError` rather
 * than return a handle that logs nothing.
 *
 * @example
 * ```ts
 * import { circuitBreaker } from '@bulwark/breaker';
 * import { retry } from '@bulwark/retry';
 * const logger = createLogger({ service: 'gateway' });
 * const retryPolicy = retry({ name: 'upstream' });
 * const breaker = circuitBreaker({ name: 'upstream' });
 * const logging = logPolicyEvents(logger, retryPolicy, breaker); // a rate limiter, a cache, a secret manager too
 * // {"level":"warn","message":"retrying after a failed attempt","event":"retry","policy":"upstream","attempt":1,"delayMs":200,"error":{…}}
 * logging.dispose();
 * ```
 *
 * Given the sources as an array, it takes options: `levels` gives some events a level of their own,
 * or `'off'`, by the `event` field of their lines. One failed call seen by a retry and by the cache
 * it loads for is two lines at their severities; one of them can go to `debug`:
 *
 * @example
 * ```ts
 * import { cache } from '@bulwark/cache';
 * import { retry } from '@bulwark/retry';
 * const logger = createLogger({ service: 'gateway' });
 * const verdicts = cache({ name: 'verdicts', ttlMs: 60_000 });
 * const retryPolicy = retry({ name: 'upstream' });
 * const logging = logPolicyEvents(logger, [retryPolicy, verdicts], { levels: { loaderError: 'debug', giveUp: 'warn' } });
 * logging.dispose();
 * await verdicts.close();
 * ```
 */
export function logPolicyEvents(logger: PolicyEventLogger, sources: readonly object[], options?: PolicyEventLogOptions): Disposable;
/** {@link logPolicyEvents} with the sources listed after the logger, each event at its severity. */
export function logPolicyEvents(logger: PolicyEventLogger, ...sources: readonly object[]): Disposable;
export function logPolicyEvents(logger: PolicyEventLogger, ...args: readonly unknown[]): Disposable {
  // `log` alone would admit `console` or another library's logger, which then throws at the first event.
  const candidate = logger as Partial<PolicyEventLogger> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.log !== 'function' || typeof candidate.isLevelEnabled !== 'function') {
    throw invalidOption('logger', logger, 'a logger made by createLogger (or an object with its log and isLevelEnabled)');
  }
  const listed = Array.isArray(args[0]);
  if (listed && args.length > 2) {
    throw invalidOption('arguments', args.length + 1, 'at most 3 (the logger, an array of sources, options) when the sources are given as an array');
  }
  const sources = (listed ? args[0] : args) as readonly unknown[];
  if (sources.length === 0) {
    // Nothing to subscribe to is a mistake (a list built empty, a spread of nothing), not a handle to keep.
    throw invalidOption(
      'sources',
      sources,
      'at least one source of events (a retry, a breaker, a cache, …): logPolicyEvents(logger, retryPolicy, breaker) or logPolicyEvents(logger, [retryPolicy, breaker], options)',
    );
  }
  const options = (listed ? args[1] : undefined) as PolicyEventLogOptions | undefined;
  if (options !== null && typeof options === 'object' && eventsOfSource(options).size > 0) {
    throw invalidOption('options', options, 'an options object ({ levels }); a source goes in the array of sources');
  }
  expectOptions('options', options, OPTIONS);
  const plans = sources.map((source, i) => {
    const events = typeof source === 'object' && source !== null ? eventsOfSource(source) : new Map<string, Subscribe>();
    if (events.size === 0) {
      // `logPolicyEvents(logger, retry, { levels })`: options are read only after an array of sources.
      const looksLikeOptions =
        !listed && i === sources.length - 1 && i > 0 && typeof source === 'object' && source !== null && Object.hasOwn(source, 'levels');
      throw invalidOption(
        `sources[${i}]`,
        source,
        looksLikeOptions
          ? 'an object with at least one onXxx event; to pass options ({ levels }), give the sources as an array: logPolicyEvents(logger, [a, b], { levels })'
          : 'an object with at least one onXxx event (onRetry, onBreak, onHit, …)',
      );
    }
    return { source: source as object, events };
  });
  const levels = checkedLevels(options?.levels, plans);
  const subscriptions: Disposable[] = [];
  try {
    for (const { source, events } of plans) {
      const sourceName = nameOf(source);
      for (const [eventName, subscribe] of events) {
        const event = eventField(eventName);
        const known = (POLICY_EVENT_LINES as Readonly<Record<string, EventLine>>)[eventName] ?? { level: 'debug', message: `event ${eventName}` };
        const chosen = levels?.[event];
        if (chosen === 'off') continue;
        const line = chosen === undefined ? known : { level: chosen, message: known.message };
        subscriptions.push(
          subscribe.call(source, (payload: unknown) => {
            if (!logger.isLevelEnabled(line.level)) return;
            logger.log(line.level, line.message, fieldsOf(event, sourceName, payload));
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

/** `levels` checked against the events the sources have: a name none of them emits is a mistake. */
function checkedLevels(
  levels: unknown,
  plans: readonly { readonly events: ReadonlyMap<string, Subscribe> }[],
): Readonly<Record<string, LogLevel | 'off'>> | undefined {
  if (levels === undefined) return undefined;
  const known = knownOptions<Record<string, unknown>>(
    'logPolicyEvents() for these sources',
    Object.fromEntries(plans.flatMap(({ events }) => [...events.keys()].map((name) => [eventField(name), [name]]))),
  );
  expectOptions('levels', levels, known);
  for (const [event, level] of Object.entries(levels)) expectOneOf(`levels.${event}`, level, LEVEL_CHOICES);
  return levels as Readonly<Record<string, LogLevel | 'off'>>;
}
