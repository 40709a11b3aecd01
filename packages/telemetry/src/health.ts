import {
  expectBoolean,
  expectClock,
  expectFunction,
  expectNumber,
  expectOneOf,
  expectOptions,
  invalidOption,
  knownOptions,
  systemClock,
  type Clock,
  type Disposable,
} from '@bulwark/core';
import { HealthCheckTimeoutError, isHealthCheckTimeoutError } from './health-check-timeout-error.js';
import { redactCredentials, redactStrings } from './internal/redact-credentials.js';
import { eventOf, nameOf, normalizeState, type EventSource } from './internal/source.js';

/** The media type of a {@link HealthReport}: `application/health+json`. */
export const HEALTH_CONTENT_TYPE = 'application/health+json';

/** `pass`, `warn` or `fail`, as the IETF health-check draft defines them. */
export type HealthStatus = 'pass' | 'warn' | 'fail';

/** One measurement in a report's `checks` (draft-inadarei-api-health-check §4). */
export interface HealthCheckEntry {
  readonly componentId?: string;
  /** `component`, `datastore`, `system`, or a URI. */
  readonly componentType?: string;
  readonly observedValue?: unknown;
  readonly observedUnit?: string;
  readonly status: HealthStatus;
  readonly affectedEndpoints?: readonly string[];
  /** ISO 8601 date-time of the observation. */
  readonly time?: string;
  /** What went wrong, for `warn` and `fail`; omitted for `pass`. */
  readonly output?: string;
}

/** An `application/health+json` document (draft-inadarei-api-health-check §3). */
export interface HealthReport {
  readonly status: HealthStatus;
  readonly version?: string;
  readonly releaseId?: string;
  readonly notes?: readonly string[];
  readonly output?: string;
  readonly serviceId?: string;
  readonly description?: string;
  /** Keyed `componentName` or `componentName:measurementName`. */
  readonly checks?: Readonly<Record<string, readonly HealthCheckEntry[]>>;
}

/** What a {@link DependencyCheck}'s function may return; nothing means `pass`, timed. */
export interface CheckOutcome {
  readonly status?: HealthStatus;
  readonly observedValue?: unknown;
  readonly observedUnit?: string;
  readonly output?: string;
}

/** A dependency that readiness depends on: a database, an upstream API, a secret store. */
export interface DependencyCheck {
  /**
   * The key in `checks`: `componentName` or `componentName:measurementName` (such as
   * `redis:responseTime`).
   */
  readonly name: string;
  /** `component`, `datastore`, `system`, or a URI. @default "component" */
  readonly componentType?: string;
  readonly componentId?: string;
  /**
   * Probes the dependency (may be async). Throw or reject to fail; resolve with a
   * {@link CheckOutcome} to say more. Any other value (nothing, `'PONG'`) reports `pass` with the
   * probe's duration as `observedValue` in ms. Honour `signal`: it aborts when the check times out.
   */
  readonly check: (signal: AbortSignal) => unknown;
  /**
   * How long the probe may take before it counts as failed, in ms. This timeout keeps the process
   * alive while a report is awaited, so the report always arrives.
   * @default 2000
   */
  readonly timeoutMs?: number;
  /** Whether a failure of this dependency fails the whole report; when false it only warns. @default true */
  readonly critical?: boolean;
}

/** Options for {@link health}. */
export interface HealthOptions {
  /** `serviceId` of the report. */
  readonly serviceId?: string;
  /** `version` of the report (public version of the service). */
  readonly version?: string;
  /** `releaseId` of the report. */
  readonly releaseId?: string;
  /** `description` of the report. */
  readonly description?: string;
  /** What readiness probes. @default [] */
  readonly checks?: readonly DependencyCheck[];
  /** Extra checks for liveness, besides uptime; keep them free of dependencies. @default [] */
  readonly liveChecks?: readonly DependencyCheck[];
  /**
   * Circuit breakers readiness reflects: any object with a `state` property or the breaker events
   * (`onStateChange`, `onBreak`, `onReset`, `onHalfOpen`). Closed passes, half-open warns, open
   * gives {@link HealthOptions.openCircuit}.
   * @default []
   */
  readonly circuits?: readonly EventSource[];
  /** The status of an open circuit. @default "fail" */
  readonly openCircuit?: 'fail' | 'warn';
  /** Where uptime, timeouts and `time` come from. @default systemClock */
  readonly clock?: Clock;
}

/** Liveness and readiness reports. Create one with {@link health}. */
export interface Health {
  /** Whether the process is up: uptime and the `liveChecks`; never probes dependencies. */
  live(): Promise<HealthReport>;
  /** Whether the service can take traffic: every dependency check (in parallel) and every circuit. */
  ready(): Promise<HealthReport>;
  /**
   * Stops listening to the circuits' events. Idempotent. Afterwards `ready()` reports `fail` (503)
   * without probing anything — the service is shutting down — and `live()` still answers.
   */
  close(): Promise<void>;
  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The HTTP status to answer a health report with: 200 for `pass` and `warn`, 503 for `fail`, as
 * the draft requires (2xx–3xx for pass and warn, 4xx–5xx for fail).
 */
export function healthStatusCode(report: HealthReport): 200 | 503 {
  return report.status === 'fail' ? 503 : 200;
}

const RANK: Record<HealthStatus, number> = { pass: 0, warn: 1, fail: 2 };
const worst = (a: HealthStatus, b: HealthStatus): HealthStatus => (RANK[b] > RANK[a] ? b : a);

/**
 * A failed check's `output`: the error's name and message, credentials redacted. Not core's
 * `describeError` (name and code only, never the message): the report promises the message, which
 * is what an operator reads to tell "connection refused" from "password rejected".
 */
function failureOutput(error: unknown): string {
  let text: string;
  try {
    text = error instanceof Error ? `${error.name}: ${error.message}` : `thrown: ${String(error)}`;
  } catch {
    text = 'thrown: a value that cannot be shown';
  }
  return redactCredentials(text);
}

interface Circuit {
  readonly name: string;
  readonly source: EventSource;
  state: string | undefined;
}

const DEPENDENCY_CHECK_OPTIONS = knownOptions<DependencyCheck>('health()', {
  name: [],
  componentType: [],
  componentId: [],
  check: [],
  timeoutMs: [],
  critical: [],
});

function checkDependencyCheck(field: string, c: DependencyCheck): void {
  expectOptions(field, c, DEPENDENCY_CHECK_OPTIONS);
  if (typeof c?.name !== 'string' || c.name.length === 0) throw invalidOption(`${field}.name`, c?.name, 'a non-empty string');
  expectFunction(`${field}.check`, c.check);
  if (c.timeoutMs !== undefined) expectNumber(`${field}.timeoutMs`, c.timeoutMs, { min: 1 });
  if (c.critical !== undefined) expectBoolean(`${field}.critical`, c.critical);
  if (c.componentType !== undefined && typeof c.componentType !== 'string') throw invalidOption(`${field}.componentType`, c.componentType, 'a string');
}

class HealthImpl implements Health {
  readonly #options: HealthOptions;
  readonly #clock: Clock;
  readonly #started: number;
  readonly #circuits: Circuit[] = [];
  readonly #subscriptions: Disposable[] = [];
  #readyInFlight: Promise<HealthReport> | undefined;
  #closed = false;

  constructor(options: HealthOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#started = this.#clock.monotonic();
    (options.circuits ?? []).forEach((source, i) => {
      const circuit: Circuit = { name: nameOf(source) ?? `circuit-${i}`, source, state: undefined };
      this.#circuits.push(circuit);
      const change = eventOf(source, 'onStateChange');
      if (change !== undefined) {
        this.#subscriptions.push(change.call(source, (e) => (circuit.state = normalizeState(e?.to) ?? circuit.state)));
      } else {
        for (const [event, state] of [['onBreak', 'open'], ['onReset', 'closed'], ['onHalfOpen', 'half_open']] as const) {
          const on = eventOf(source, event);
          if (on !== undefined) this.#subscriptions.push(on.call(source, () => (circuit.state = state)));
        }
      }
    });
  }

  live(): Promise<HealthReport> {
    const uptime: HealthCheckEntry = {
      componentType: 'system',
      observedValue: Math.round(this.#clock.monotonic() - this.#started) / 1000,
      observedUnit: 's',
      status: 'pass',
      time: new Date(this.#clock.now()).toISOString(),
    };
    return this.#report({ uptime: [uptime] }, this.#options.liveChecks ?? []);
  }

  ready(): Promise<HealthReport> {
    // Closed, the circuits are no longer followed and their last state seen may be stale; and
    // closing the probes is part of shutting down, when a load balancer should stop sending traffic.
    if (this.#closed) {
      return Promise.resolve({
        status: 'fail',
        ...this.#identity(),
        output: 'The health probes were closed: ready() was called after close(), so the service is shutting down and takes no traffic.',
      });
    }
    // Probes arriving while one is running share it, so a burst of probes is one round of checks.
    this.#readyInFlight ??= this.#report(this.#circuitEntries(), this.#options.checks ?? []).finally(() => {
      this.#readyInFlight = undefined;
    });
    return this.#readyInFlight;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const s of this.#subscriptions) s.dispose();
    this.#subscriptions.length = 0;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #circuitEntries(): Record<string, HealthCheckEntry[]> {
    const entries: Record<string, HealthCheckEntry[]> = {};
    const time = new Date(this.#clock.now()).toISOString();
    for (const circuit of this.#circuits) {
      const state = normalizeState((circuit.source as { state?: unknown }).state) ?? circuit.state;
      let status: HealthStatus = 'pass';
      let output: string | undefined;
      if (state === 'open' || state === 'isolated') {
        status = this.#options.openCircuit ?? 'fail';
        output = `circuit ${circuit.name} is ${state}: calls to it are rejected`;
      } else if (state === 'half_open') {
        status = 'warn';
        output = `circuit ${circuit.name} is half-open: trial calls only`;
      }
      const entry: HealthCheckEntry = {
        componentId: circuit.name,
        componentType: 'component',
        observedValue: state ?? 'unknown',
        status,
        time,
        ...(output === undefined ? {} : { output }),
      };
      (entries[`${circuit.name}:circuit`] ??= []).push(entry);
    }
    return entries;
  }

  async #report(base: Record<string, HealthCheckEntry[]>, checks: readonly DependencyCheck[]): Promise<HealthReport> {
    const results = await Promise.all(checks.map((c) => this.#run(c)));
    const all: Record<string, HealthCheckEntry[]> = { ...base };
    let status: HealthStatus = 'pass';
    for (const entries of Object.values(base)) for (const e of entries) status = worst(status, e.status);
    checks.forEach((c, i) => {
      const entry = results[i]!;
      (all[c.name] ??= []).push(entry);
      const effect = entry.status === 'fail' && c.critical === false ? 'warn' : entry.status;
      status = worst(status, effect);
    });
    return { status, ...this.#identity(), checks: all };
  }

  /** The report fields naming the service, as given. */
  #identity(): Pick<HealthReport, 'version' | 'releaseId' | 'serviceId' | 'description'> {
    const o = this.#options;
    return {
      ...(o.version === undefined ? {} : { version: o.version }),
      ...(o.releaseId === undefined ? {} : { releaseId: o.releaseId }),
      ...(o.serviceId === undefined ? {} : { serviceId: o.serviceId }),
      ...(o.description === undefined ? {} : { description: o.description }),
    };
  }

  async #run(c: DependencyCheck): Promise<HealthCheckEntry> {
    const timeoutMs = c.timeoutMs ?? 2000;
    const controller = new AbortController();
    const started = this.#clock.monotonic();
    let timer: { clear(): void } | undefined;
    // Not unref'd: the caller awaits this report, and a check whose own I/O does not hold the
    // process open would otherwise leave that await unsettled when the process exits.
    const timedOut = new Promise<never>((_, reject) => {
      timer = this.#clock.setTimeout(() => {
        const reason = new HealthCheckTimeoutError(c.name, timeoutMs);
        controller.abort(reason);
        reject(reason);
      }, timeoutMs);
    });
    const base = {
      componentType: c.componentType ?? 'component',
      ...(c.componentId === undefined ? {} : { componentId: c.componentId }),
    };
    try {
      const outcome = await Promise.race([Promise.resolve().then(() => c.check(controller.signal)), timedOut]);
      const elapsed = this.#clock.monotonic() - started;
      const o: CheckOutcome = typeof outcome === 'object' && outcome !== null ? (outcome as CheckOutcome) : {};
      const status = o.status ?? 'pass';
      if (o.status !== undefined) expectOneOf(`${c.name} status`, o.status, ['pass', 'warn', 'fail'] as const);
      const entry: HealthCheckEntry = {
        ...base,
        observedValue: 'observedValue' in o ? o.observedValue : elapsed,
        observedUnit: 'observedValue' in o ? o.observedUnit ?? '' : 'ms',
        status,
        time: new Date(this.#clock.now()).toISOString(),
        ...(status !== 'pass' && o.output !== undefined ? { output: o.output } : {}),
      };
      if (entry.observedUnit === '') delete (entry as { observedUnit?: string }).observedUnit;
      // What a check returns is written into JSON as it is: its strings may quote a credential too.
      return redactStrings(entry);
    } catch (error) {
      return {
        ...base,
        observedValue: this.#clock.monotonic() - started,
        observedUnit: 'ms',
        status: 'fail',
        time: new Date(this.#clock.now()).toISOString(),
        output: isHealthCheckTimeoutError(error) ? error.message : failureOutput(error),
      };
    } finally {
      timer?.clear();
    }
  }
}

const HEALTH_OPTIONS = knownOptions<HealthOptions>('health()', {
  serviceId: [],
  version: [],
  releaseId: [],
  description: [],
  checks: [],
  liveChecks: [],
  circuits: [],
  openCircuit: [],
  clock: [],
});

/**
 * Liveness and readiness reports in the `application/health+json` format of the IETF draft
 * "Health Check Response Format for HTTP APIs" (draft-inadarei-api-health-check): `status`
 * pass/warn/fail, `checks` keyed `componentName:measurementName`, `serviceId`, `version`, ...
 *
 * Readiness runs every dependency check in parallel, each under its own timeout (a check that
 * hangs is reported as failed, never hangs the probe), and reports every circuit: open fails
 * (or warns, with `openCircuit: 'warn'`), half-open warns. Serve with {@link healthStatusCode} and
 * {@link HEALTH_CONTENT_TYPE}.
 *
 * Failure output is the error's name and message. Every string of a check's entry (that output, or
 * the `output` and `observedValue` a check returns) has the common shapes of credentials replaced by
 * `[REDACTED]`: URL user information, `Bearer …` and other authorization schemes, and `name=value`,
 * `name: value` and query parameters whose name is secret-like (`password`, `token`, `api_key`,
 * `secret`, `auth`, `key`, …). Keep secrets out of your errors' messages all the same.
 *
 * @example
 * ```ts
 * import type { ServerResponse } from 'node:http';
 * import { circuitBreaker } from '@bulwark/breaker';
 * declare const redis: { ping(): Promise<string> };
 * declare const res: ServerResponse;
 * const upstreamBreaker = circuitBreaker({ name: 'upstream' });
 * const probes = health({
 *   serviceId: 'validation-gateway', version: '1',
 *   checks: [{ name: 'redis:responseTime', componentType: 'datastore', check: () => redis.ping() }],
 *   circuits: [upstreamBreaker],
 * });
 * const report = await probes.ready();
 * res.writeHead(healthStatusCode(report), { 'content-type': HEALTH_CONTENT_TYPE }).end(JSON.stringify(report));
 * ```
 */
export function health(options: HealthOptions = {}): Health {
  expectOptions('options', options, HEALTH_OPTIONS);
  for (const field of ['serviceId', 'version', 'releaseId', 'description'] as const) {
    if (options[field] !== undefined && typeof options[field] !== 'string') throw invalidOption(field, options[field], 'a string');
  }
  for (const field of ['checks', 'liveChecks'] as const) {
    const list = options[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw invalidOption(field, list, 'an array of checks');
    const names = new Set<string>();
    list.forEach((c: DependencyCheck, i: number) => {
      checkDependencyCheck(`${field}[${i}]`, c);
      if (names.has(c.name)) throw invalidOption(`${field}[${i}].name`, c.name, 'a name no other check has');
      names.add(c.name);
    });
  }
  if (options.circuits !== undefined) {
    if (!Array.isArray(options.circuits)) throw invalidOption('circuits', options.circuits, 'an array of circuit breakers');
    options.circuits.forEach((source: unknown, i: number) => {
      const ok =
        typeof source === 'object' &&
        source !== null &&
        ('state' in source || ['onStateChange', 'onBreak', 'onReset', 'onHalfOpen'].some((e) => eventOf(source, e) !== undefined));
      if (!ok) throw invalidOption(`circuits[${i}]`, source, 'a circuit breaker (a `state` property or onStateChange/onBreak/onReset/onHalfOpen events)');
    });
  }
  if (options.openCircuit !== undefined) expectOneOf('openCircuit', options.openCircuit, ['fail', 'warn'] as const);
  expectClock('clock', options.clock);
  return new HealthImpl(options);
}
