import {
  expectBoolean,
  expectClock,
  expectInteger,
  expectName,
  expectOneOf,
  expectOptions,
  knownOptions,
  invalidOption,
  systemClock,
  type Clock,
} from '@bulwark/core';
import winston from 'winston';
import { DEFAULT_REDACT_KEYS } from './default-redact-keys.js';
import { contextStorage, type ContextStore } from './internal/context-store.js';
import { canHandOff } from './internal/direct-handoff.js';
import { FloodControl } from './internal/flood-control.js';
import { isError } from './internal/is-error.js';
import { LineTransport, type LineDestination } from './internal/line-transport.js';
import { formatPretty } from './internal/pretty.js';
import { Redactor, type LayerCache } from './internal/redactor.js';
import { activeSpanContext } from './internal/trace-context.js';
import { claimField } from './internal/free-name.js';
import { LOG_LEVELS, LOG_LEVEL_NAMES, type LogLevel } from './levels.js';

/** Structured fields of a line: any JSON-friendly values, errors, `Secret`s (redacted). */
export type LogFields = Readonly<Record<string, unknown>>;

/** A message: a string, an `Error` (its message, and the error as the `error` field), or a function called only when the line is written. */
export type LogMessage = string | Error | (() => string);

/** Options for {@link createLogger}'s flood control. */
export interface FloodControlOptions {
  /** Length of a sampling window, in milliseconds, from the first line of an error. @default 1000 */
  readonly windowMs?: number;
  /** Lines of the same error (same message and code) written per window; the rest are counted. @default 10 */
  readonly maxPerWindow?: number;
}

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** The service's name, written as `service` on every line. */
  readonly service: string;
  /**
   * The most verbose level written. Without it, the `LOG_LEVEL` environment variable (any case);
   * an invalid value in either throws a `TypeError` naming it.
   * @default process.env.LOG_LEVEL ?? 'info'
   */
  readonly level?: LogLevel;
  /** `json`: one JSON object per line. `pretty`: a line for people, stacks below it. @default 'json' */
  readonly format?: 'json' | 'pretty';
  /** Default fields of every line; the weakest layer (see "Field precedence"). @default {} */
  readonly fields?: LogFields;
  /** Where lines go when `transports` is not given. @default process.stdout */
  readonly destination?: LineDestination;
  /**
   * winston transports to write to instead of `destination` (a File transport, say). Each receives
   * the finished line as `info[Symbol.for('message')]`, already redacted.
   * @default [a transport writing to `destination`]
   */
  readonly transports?: readonly winston.transport[];
  /**
   * More field names (redacted at any depth) and dotted paths from the line's root (`req.headers.x-session`,
   * `*` for any one field), added to {@link DEFAULT_REDACT_KEYS}. Case- and `-`/`_`-insensitive.
   * @default []
   */
  readonly redact?: readonly string[];
  /** Redact {@link DEFAULT_REDACT_KEYS}. @default true */
  readonly redactDefaults?: boolean;
  /** What a redacted value is replaced with. @default '[REDACTED]' */
  readonly censor?: string;
  /** Nesting depth of fields written; deeper values become `[Truncated]`. @default 10 */
  readonly maxDepth?: number;
  /** Write errors' stacks. @default true */
  readonly errorStack?: boolean;
  /** Sampling of the same error repeated many times a second, or `false` to write every line. @default { windowMs: 1000, maxPerWindow: 10 } */
  readonly floodControl?: false | FloodControlOptions;
  /** Add `trace_id` and `span_id` of the active OpenTelemetry span (when `@opentelemetry/api` is installed). @default true */
  readonly traceContext?: boolean;
  /** Source of timestamps and of flood-control time. @default systemClock */
  readonly clock?: Clock;
  /** Where `LOG_LEVEL` is read from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A structured logger: one method per level, each taking a message and optional fields. Fields
 * that are not an object of fields (a string or an array, from plain JavaScript) are written as the
 * one field `value`; a log call never throws. A call with no message (`warn()`, `error(e.message)` of
 * a thrown string) writes `[no message: got undefined]`; an object alone is the fields (pino's
 * `info({ userId })`).
 *
 * @example
 * ```ts
 * declare const error: Error;
 * declare function dump(): string;
 * const logger = createLogger({ service: 'checkout' });
 * logger.info('charged', { orderId: 42, amountCents: 1250 });
 * logger.error('upstream failed', error);            // the error as the `error` field
 * logger.debug(() => `cache state ${dump()}`);        // dump() runs only when debug is on
 * ```
 */
export interface Logger {
  /** The `service` written on every line. */
  readonly service: string;
  /** The most verbose level written; shared by a logger and all its children. Set it to change it. */
  level: LogLevel;
  /** The winston logger lines are written through (to add or remove transports). */
  readonly winston: winston.Logger;
  error(message: LogMessage, fields?: LogFields | Error): void;
  warn(message: LogMessage, fields?: LogFields | Error): void;
  info(message: LogMessage, fields?: LogFields | Error): void;
  http(message: LogMessage, fields?: LogFields | Error): void;
  verbose(message: LogMessage, fields?: LogFields | Error): void;
  debug(message: LogMessage, fields?: LogFields | Error): void;
  silly(message: LogMessage, fields?: LogFields | Error): void;
  /**
   * Writes at `level`. A `level` that is not one of {@link LOG_LEVELS} (from plain JavaScript, or
   * read at run time: `'fatal'`, `'trace'`, a typo) does not throw and is not dropped: the line is
   * written at `error`, whatever the logger's level, with the field `unknownLevel` holding the level
   * given (as text), so that neither the line nor the mistake goes unseen.
   */
  log(level: LogLevel, message: LogMessage, fields?: LogFields | Error): void;
  /**
   * Whether a line at `level` would be written: guard costly preparations with it. A name that is
   * not one of {@link LOG_LEVELS} is answered as `log` treats it, as `error`: `true` (see `log`).
   */
  isLevelEnabled(level: LogLevel): boolean;
  /** A logger whose lines carry `fields` too (over this logger's own, under each call's). */
  child(fields: LogFields): Logger;
  /**
   * Writes pending flood-control summaries, ends the winston logger and waits for it to finish.
   * Closes the whole family (parent and children). Idempotent. A line logged afterwards is neither
   * dropped nor thrown: it is written at once to `process.stderr`, formatted and redacted as usual,
   * with the field `afterClose: true`.
   */
  close(): Promise<void>;
  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const LEVEL = Symbol.for('level');
const MESSAGE = Symbol.for('message');
const RESERVED = new Set(['timestamp', 'level', 'message', 'service']);
const EMPTY: LogFields = Object.freeze({});

interface Suppressed {
  readonly logger: BulwarkLogger;
  readonly level: LogLevel;
  readonly message: string;
  readonly error: unknown;
  readonly store: ContextStore | undefined;
  readonly unknownLevel: string | undefined;
}

interface Shared {
  threshold: number;
  levelName: LogLevel;
  readonly service: string;
  readonly winston: winston.Logger;
  /** The default transport, which lines are handed to directly while winston would pass them on unchanged. */
  readonly lineTransport: LineTransport | undefined;
  readonly redactor: Redactor;
  readonly flood: FloodControl<Suppressed> | undefined;
  readonly clock: Clock;
  readonly pretty: boolean;
  readonly trace: boolean;
  readonly defaults: LogFields;
  readonly defaultsRedacted: LayerCache;
  /** The family's class: its prototype holds the level methods, a no-op for each level below the threshold. */
  readonly family: new (shared: Shared, bindings: LogFields) => BulwarkLogger;
  lastNow: number;
  lastTimestamp: string;
  closed: boolean;
  closing: Promise<void> | undefined;
}

function checkFields(field: string, value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidOption(field, value, 'an object of fields');
}

/** Objects JSON writes as one value rather than as named fields. */
const VALUE_OBJECTS: ReadonlyArray<abstract new (...args: never[]) => unknown> = [Map, Set, RegExp, ArrayBuffer, String, Number, Boolean];

/**
 * Whether the `fields` of a call are fields: an object of named values. Anything else a plain
 * JavaScript caller may pass there (a string, a number, an array, a `Date`, a `URL`, a `Map`, a
 * `Secret`: anything with `toJSON`) is one value, written as the field `value`.
 */
function isFieldsObject(fields: unknown): fields is LogFields {
  if (typeof fields !== 'object' || fields === null) return false;
  try {
    // The usual case first, and cheapest: an object literal is fields (its keys are copied one by
    // one, so a `toJSON` among them is one more field, never called).
    const prototype: unknown = Object.getPrototypeOf(fields);
    if (prototype === Object.prototype || prototype === null) return true;
    if (typeof (fields as { toJSON?: unknown }).toJSON === 'function') return false;
    return !(Array.isArray(fields) || ArrayBuffer.isView(fields) || VALUE_OBJECTS.some((type) => fields instanceof type));
  } catch {
    return true; // a getter or a proxy that throws: the fields are written as far as they can be read
  }
}

type LevelMethod = (this: BulwarkLogger, message: LogMessage, fields?: LogFields | Error) => void;

const noop = (): void => {};

/** A level's method while the level is below the threshold: it touches nothing, not even its arguments. */
const ignore: LevelMethod = noop;

class BulwarkLogger implements Logger {
  readonly #shared: Shared;
  readonly #bindings: LogFields;
  readonly #bindingsRedacted: LayerCache = {};

  // One method per level, on the family's prototype (see `setLevelMethods`): a writer when the level
  // is enabled, `ignore` when not, so that a call below the level costs what calling an empty
  // function costs, which the JIT inlines to nothing.
  declare error: LevelMethod;
  declare warn: LevelMethod;
  declare info: LevelMethod;
  declare http: LevelMethod;
  declare verbose: LevelMethod;
  declare debug: LevelMethod;
  declare silly: LevelMethod;

  /** The method that writes at `level`. */
  static writer(level: LogLevel): LevelMethod {
    return function write(this: BulwarkLogger, message: LogMessage, fields?: LogFields | Error): void {
      this.#write(level, message, fields);
    };
  }

  constructor(shared: Shared, bindings: LogFields) {
    this.#shared = shared;
    this.#bindings = bindings;
  }

  get service(): string {
    return this.#shared.service;
  }
  get winston(): winston.Logger {
    return this.#shared.winston;
  }
  get level(): LogLevel {
    return this.#shared.levelName;
  }
  set level(level: LogLevel) {
    expectOneOf('level', level, LOG_LEVEL_NAMES);
    this.#shared.levelName = level;
    this.#shared.threshold = LOG_LEVELS[level];
    setLevelMethods(this.#shared.family.prototype, this.#shared.threshold);
  }

  log(level: LogLevel, message: LogMessage, fields?: LogFields | Error): void {
    if (typeof level === 'string' && Object.hasOwn(LOG_LEVELS, level)) {
      if (LOG_LEVELS[level] <= this.#shared.threshold) this.#write(level, message, fields);
    } else this.#write('error', message, fields, describeLevel(level));
  }

  isLevelEnabled(level: LogLevel): boolean {
    // Answered as `log` acts: a name that is not a level is written at `error`, which is always on.
    if (typeof level !== 'string' || !Object.hasOwn(LOG_LEVELS, level)) return true;
    return LOG_LEVELS[level] <= this.#shared.threshold;
  }

  child(fields: LogFields): Logger {
    checkFields('fields', fields);
    return new this.#shared.family(this.#shared, { ...this.#bindings, ...fields });
  }

  close(): Promise<void> {
    const shared = this.#shared;
    if (shared.closing === undefined) {
      shared.flood?.flush();
      shared.closed = true;
      const w = shared.winston;
      shared.closing = new Promise<void>((resolve) => {
        w.once('finish', () => resolve());
        w.end();
      });
    }
    return shared.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #write(level: LogLevel, message: LogMessage, fields: LogFields | Error | undefined, unknownLevel?: string): void {
    let text: string;
    let error: unknown;
    let callFields: LogFields | undefined;
    if (typeof message === 'string') text = message;
    else if (typeof message === 'function') {
      try {
        text = String(message());
      } catch (error) {
        // A log call never throws: the line is still written, saying what went wrong.
        text = `[the message function threw ${isError(error) ? error.name : typeof error}]`;
      }
    }
    else if (typeof fields === 'string' && typeof message === 'object' && message !== null) {
      // pino's order from plain JavaScript — `info({ userId }, 'login')`, `error(err, 'failed')` —
      // read as it was meant: the string is the message, the object the fields or the error.
      text = fields;
      fields = message as LogFields | Error;
    } else if (isError(message)) {
      text = String(message.message);
      error = message;
    } else if (typeof message === 'object' && message !== null && (fields === undefined || fields === null)) {
      // pino's `info({ userId })` from plain JavaScript: the object is the fields, the line has no message.
      text = '';
      fields = message as LogFields;
    } else if (message === undefined || message === null || typeof message === 'object') {
      // `warn()`, or `error(e.message)` of a thrown string: a log call never throws (it is often in a
      // catch block), so the line is written, saying plainly that it had no message.
      text = `[no message: got ${message === null ? 'null' : typeof message}]`;
    } else text = String(message);
    if (fields !== undefined && fields !== null) {
      if (isError(fields)) error = fields;
      else if (isFieldsObject(fields)) {
        callFields = fields;
        let own: unknown;
        try {
          own = fields.error ?? fields.err;
        } catch {
          // A getter that throws is written as `[Unserializable]` with the other fields.
        }
        if (isError(own)) error = own;
      } else callFields = { value: fields };
    }
    const store = contextStorage.getStore();
    const flood = this.#shared.flood;
    if (error !== undefined && flood !== undefined) {
      const { code } = error as { code?: unknown };
      const key = `${level}\u0000${String((error as Error).message)}\u0000${String(code)}`;
      const admitted = flood.admit(key, () => ({ logger: this, level, message: text, error, store, unknownLevel }));
      if (!admitted) return;
    }
    if (callFields === undefined && error !== undefined) callFields = { error };
    else if (callFields !== undefined && error !== undefined && callFields.error === undefined && callFields.err === undefined) {
      callFields = { error, ...callFields };
    }
    this.emit(level, text, callFields ?? EMPTY, store, unknownLevel);
  }

  /** Builds, redacts, serializes and writes one line. @internal */
  emit(level: LogLevel, message: string, fields: LogFields, store: ContextStore | undefined, unknownLevel?: string): void {
    const shared = this.#shared;
    const redactor = shared.redactor;
    const now = shared.clock.now();
    if (now !== shared.lastNow) {
      shared.lastNow = now;
      shared.lastTimestamp = new Date(now).toISOString();
    }
    const record: Record<string | symbol, unknown> = {
      timestamp: shared.lastTimestamp,
      level,
      message: redactor.text(message),
      service: shared.service,
    };
    if (shared.trace) {
      const span = activeSpanContext();
      if (span !== undefined) {
        record.trace_id = span.traceId;
        record.span_id = span.spanId;
      }
    }
    // Weakest first, each layer overwriting the one before: defaults, context, bindings, the call.
    // The first three never change: their redacted fields are kept from line to line.
    if (shared.defaults !== EMPTY) redactor.assignFixed(record, shared.defaults, shared.defaultsRedacted);
    if (store !== undefined) {
      if (store.redacted === undefined) redactor.assign(record, store.fields);
      else redactor.assignFixed(record, store.fields, store.redacted);
    }
    if (this.#bindings !== EMPTY) redactor.assignFixed(record, this.#bindings, this.#bindingsRedacted);
    if (fields !== EMPTY) redactor.assign(record, fields);
    // The line's own word on its level: a field of that name is kept with a `_` prefix.
    if (unknownLevel !== undefined) claimField(record, 'unknownLevel', redactor.text(unknownLevel));
    // winston cannot be written to once ended (it would emit an error that crashes the process), and
    // a line logged during shutdown is often the one that says why: it goes to stderr, marked.
    if (shared.closed) claimField(record, 'afterClose', true);
    redactor.placeRenamed(record);
    let line: string;
    try {
      line = shared.pretty ? formatPretty(record) : JSON.stringify(record);
    } catch {
      line = JSON.stringify({
        timestamp: record.timestamp,
        level,
        message: record.message,
        service: shared.service,
        logError: 'the fields of this line could not be serialized',
      });
    }
    if (shared.closed) {
      process.stderr.write(`${line}\n`);
      return;
    }
    record[LEVEL] = level;
    record[MESSAGE] = line;
    const direct = shared.lineTransport;
    if (direct !== undefined && canHandOff(shared.winston, passThrough, direct as unknown as winston.transport, record)) direct.log(record, noop);
    else shared.winston.write(record as unknown as winston.LogEntry);
  }

  /** Writes the summary of suppressed repeats of one error. @internal */
  static suppressed(windowMs: number, last: Suppressed, dropped: number): void {
    last.logger.emit(
      last.level,
      last.message,
      { error: last.error, suppressed: dropped, suppressedWindowMs: windowMs },
      last.store,
      last.unknownLevel,
    );
  }
}

/** A level `log` was given that is not one of the levels, as text (never throwing). */
function describeLevel(level: unknown): string {
  if (typeof level === 'string') return level;
  try {
    return String(level);
  } catch {
    return `[${typeof level}]`;
  }
}

const WRITERS = Object.fromEntries(LOG_LEVEL_NAMES.map((level) => [level, BulwarkLogger.writer(level)])) as Record<LogLevel, LevelMethod>;

/** Puts on a family's prototype a writer for each level at or above the threshold and `ignore` for the others. */
function setLevelMethods(prototype: BulwarkLogger, threshold: number): void {
  for (const level of LOG_LEVEL_NAMES) prototype[level] = LOG_LEVELS[level] <= threshold ? WRITERS[level] : ignore;
}

const passThrough = winston.format((info) => info)();

function resolveLevel(options: LoggerOptions): LogLevel {
  if (options.level !== undefined) {
    expectOneOf('level', options.level, LOG_LEVEL_NAMES);
    return options.level;
  }
  const env = options.env ?? process.env;
  const fromEnv = env.LOG_LEVEL;
  if (fromEnv === undefined || fromEnv === '') return 'info';
  const lower = fromEnv.toLowerCase();
  expectOneOf('LOG_LEVEL (environment variable)', lower, LOG_LEVEL_NAMES);
  return lower;
}

const LOGGER_OPTIONS = knownOptions<LoggerOptions>('createLogger()', {
  service: ['name', 'serviceName'],
  level: ['logLevel'],
  format: [],
  fields: ['defaultMeta', 'base', 'meta'],
  destination: ['stream', 'dest'],
  transports: ['transport'],
  redact: ['redactPaths', 'paths'],
  redactDefaults: [],
  censor: ['replacement'],
  maxDepth: ['depth'],
  errorStack: ['stack'],
  floodControl: ['rateLimit', 'sampling'],
  traceContext: [],
  clock: [],
  env: [],
});

const FLOOD_CONTROL_OPTIONS = knownOptions<FloodControlOptions>('createLogger()', {
  windowMs: ['window', 'intervalMs'],
  maxPerWindow: ['max', 'limit'],
});

/**
 * Creates a structured logger on winston 3: one JSON object per line with `timestamp`, `level`,
 * `message`, `service`, the active OpenTelemetry `trace_id`/`span_id`, and every field of the
 * current {@link withLogContext} context, of the logger's children and of the call.
 *
 * Field precedence, the same however a method is called: the call's own fields over the child's
 * (the newest child first) over the log context's (innermost first) over the logger's `fields`.
 * `timestamp`, `level`, `message` and `service` are the line's own: a field by one of those names
 * is written with a `_` prefix instead of being lost, and with one more `_` while that name is taken
 * by another field (`{ message: 'a', _message: 'b' }` is written as `"_message":"b","__message":"a"`).
 *
 * Before anything is written, fields named like credentials (see {@link DEFAULT_REDACT_KEYS} and
 * `redact`), Bulwark `Secret`s and registered secret values ({@link registerSecretValue}) are
 * replaced by `[REDACTED]`; errors become objects with their cause chain. Repeats of the same error
 * beyond `floodControl.maxPerWindow` a window are counted and summed up in one line.
 *
 * @example
 * ```ts
 * const logger = createLogger({ service: 'checkout', level: 'info' });
 * await withLogContext({ requestId: 'r-1' }, async () => {
 *   logger.child({ component: 'payments' }).info('charged', { amountCents: 1250 });
 * });
 * // {"timestamp":"…","level":"info","message":"charged","service":"checkout","requestId":"r-1","component":"payments","amountCents":1250}
 * ```
 */
export function createLogger(options: LoggerOptions): Logger {
  expectOptions('options', options, LOGGER_OPTIONS);
  if (options === undefined) throw invalidOption('options', options, 'an options object with a `service`');
  expectName(options.service, 'service');
  const level = resolveLevel(options);
  if (options.format !== undefined) expectOneOf('format', options.format, ['json', 'pretty'] as const);
  if (options.fields !== undefined) checkFields('fields', options.fields);
  if (options.destination !== undefined && typeof options.destination?.write !== 'function') {
    throw invalidOption('destination', options.destination, 'a writable stream (an object with write)');
  }
  if (options.transports !== undefined && (!Array.isArray(options.transports) || options.transports.length === 0)) {
    throw invalidOption('transports', options.transports, 'a non-empty array of winston transports');
  }
  if (options.redact !== undefined) {
    if (!Array.isArray(options.redact)) throw invalidOption('redact', options.redact, 'an array of field names or paths');
    options.redact.forEach((rule: unknown, i: number) => {
      if (typeof rule !== 'string' || rule.length === 0 || rule.split('.').includes('')) {
        throw invalidOption(`redact[${i}]`, rule, 'a field name or a dotted path such as "req.headers.cookie"');
      }
    });
  }
  if (options.redactDefaults !== undefined) expectBoolean('redactDefaults', options.redactDefaults);
  if (options.censor !== undefined && typeof options.censor !== 'string') throw invalidOption('censor', options.censor, 'a string');
  if (options.maxDepth !== undefined) expectInteger('maxDepth', options.maxDepth, { min: 1, max: 100 });
  if (options.errorStack !== undefined) expectBoolean('errorStack', options.errorStack);
  if (options.traceContext !== undefined) expectBoolean('traceContext', options.traceContext);
  expectClock('clock', options.clock);
  const floodOptions = options.floodControl ?? {};
  if (floodOptions !== false) {
    expectOptions('floodControl', floodOptions, FLOOD_CONTROL_OPTIONS);
    if (floodOptions.windowMs !== undefined) expectInteger('floodControl.windowMs', floodOptions.windowMs, { min: 1 });
    if (floodOptions.maxPerWindow !== undefined) expectInteger('floodControl.maxPerWindow', floodOptions.maxPerWindow, { min: 1 });
  }

  const clock = options.clock ?? systemClock;
  const lineTransport = options.transports === undefined ? new LineTransport(options.destination ?? process.stdout) : undefined;
  const transports = options.transports ?? [lineTransport as unknown as winston.transport];
  const instance = winston.createLogger({
    // This logger filters by level itself, before any work; winston passes every line it is given.
    level: 'silly',
    levels: { ...LOG_LEVELS },
    format: passThrough,
    transports: [...transports],
    exitOnError: false,
  });
  const redactor = new Redactor({
    rules: [...(options.redactDefaults === false ? [] : DEFAULT_REDACT_KEYS), ...(options.redact ?? [])],
    censor: options.censor ?? '[REDACTED]',
    maxDepth: options.maxDepth ?? 10,
    errorStack: options.errorStack ?? true,
    reserved: RESERVED,
  });
  const windowMs = floodOptions === false ? 0 : (floodOptions.windowMs ?? 1_000);
  // Each logger family gets a class of its own, so that setting the level of one family changes the
  // level methods of its loggers only.
  const family = class FamilyLogger extends BulwarkLogger {};
  setLevelMethods(family.prototype, LOG_LEVELS[level]);
  const shared: Shared = {
    threshold: LOG_LEVELS[level],
    levelName: level,
    service: options.service,
    winston: instance,
    lineTransport,
    redactor,
    flood:
      floodOptions === false
        ? undefined
        : new FloodControl<Suppressed>(clock, windowMs, floodOptions.maxPerWindow ?? 10, (last, dropped) =>
            BulwarkLogger.suppressed(windowMs, last, dropped),
          ),
    clock,
    pretty: options.format === 'pretty',
    trace: options.traceContext ?? true,
    defaults: options.fields === undefined || Object.keys(options.fields).length === 0 ? EMPTY : { ...options.fields },
    defaultsRedacted: {},
    family,
    lastNow: Number.NaN,
    lastTimestamp: '',
    closed: false,
    closing: undefined,
  };
  return new family(shared, EMPTY);
}
