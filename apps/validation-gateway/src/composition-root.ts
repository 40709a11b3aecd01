import { circuitBreaker, isCircuitFailure, redisCircuitStore } from '@bulwark/breaker';
import { cache, redisCacheStore } from '@bulwark/cache';
import { sleep, systemClock, type Clock } from '@bulwark/core';
import { httpClient, secretAuth } from '@bulwark/http';
import { standard } from '@bulwark/http/standard';
import { createLogger, logPolicyEvents, registerSecretValue, type LineDestination } from '@bulwark/logging';
import { isRateLimitedError, memoryRateLimitStore, rateLimiter, redisRateLimitStore, type RateLimitStore } from '@bulwark/ratelimit';
import { exponentialBackoff, isRetryableError, retry } from '@bulwark/retry';
import { encryptedFileStore, envProvider, secretManager, type SecretProvider } from '@bulwark/secrets';
import { health, policyMetrics, type DependencyCheck } from '@bulwark/telemetry';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { createClient } from 'redis';
import { BatchedLineDestination } from './adapters/batched-line-destination.js';
import { BulwarkValidationCache } from './adapters/bulwark-validation-cache.js';
import { CacheDomainKnowledge } from './adapters/cache-domain-knowledge.js';
import { HeldLogLines } from './adapters/held-log-lines.js';
import { HttpUpstreamValidator } from './adapters/http-upstream-validator.js';
import { OtelGatewayMetrics, requestDurations } from './adapters/otel-gateway-metrics.js';
import { policyEventLogger } from './adapters/policy-event-logger.js';
import { PullMetricReader } from './adapters/pull-metric-reader.js';
import { quietStoreErrors } from './adapters/quiet-store-errors.js';
import { RateLimitCallerLimiter } from './adapters/ratelimit-caller-limiter.js';
import { SecretApiKeyRecords, parseApiKeyRecords } from './adapters/secret-api-key-records.js';
import { TelemetryReadiness } from './adapters/telemetry-readiness.js';
import { timedLimiter } from './adapters/timing-scope.js';
import type { GatewayConfig } from './config.js';
import { container as rootContainer, Lifecycle, type DependencyContainer } from './di.js';
import { errorShape } from './error-shape.js';
import type { AppLogger } from './ports/app-logger.js';
import { Resources } from './resources.js';
import { CacheAdminService } from './services/cache-admin-service.js';
import { CallerAuthenticator } from './services/caller-authenticator.js';
import { OfflineValidator } from './services/offline-validator.js';
import { ValidationService } from './services/validation-service.js';
import { TOKENS } from './tokens.js';

/** What the composition root can be given besides the configuration; each has a production default. */
export interface CompositionOptions {
  /** Where secrets are read from (`UPSTREAM_API_KEY`, `GATEWAY_API_KEYS` and their `_FILE` forms). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default systemClock */
  readonly clock?: Clock;
  /** The `fetch` the upstream client calls. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Where log lines go. @default process.stdout */
  readonly logDestination?: LineDestination;
  /**
   * Registrations made after the defaults: swap any collaborator by its token, e.g.
   * `(c) => c.register(TOKENS.Upstream, { useValue: fakeUpstream })`.
   */
  readonly override?: (container: DependencyContainer) => void;
}

/**
 * The policies' events whose lines differ from their severity here. One failed upstream call is one
 * warning — the retry's give-up, with its error; each retry before it is an `info` line — and the request's access line, which says how it
 * was answered (`source`). The same failure seen by the cache (its loader error, its stale answer), a
 * refusal that the give-up reports again (a call the upstream limiter or the open circuit refused, a
 * caller over its limit, whose access line is a 429) and the rate-limit fields of every upstream
 * response are written only at `debug`. A give-up is not an error of the gateway: its caller is
 * answered from the cache, stale, or offline.
 */
const EVENT_LEVELS = { retry: 'info', giveUp: 'warn', loaderError: 'debug', stale: 'debug', rejected: 'debug', serverHint: 'debug' } as const;

const UPSTREAM_KEY = 'UPSTREAM_API_KEY';
const API_KEYS = 'GATEWAY_API_KEYS';

/**
 * How long a start waits for Redis, in all: the connection, then the caches' invalidation
 * subscriptions. Past it the gateway serves, deciding locally, and uses Redis once it answers.
 */
const REDIS_START_DEADLINE_MS = 2_000;

/** Waits for `work` until `deadline`, whichever comes first; never rejects (the stores fall back meanwhile). */
async function until(work: Promise<unknown>, deadline: Promise<void>): Promise<void> {
  await Promise.race([work.catch(() => {}), deadline]);
}

/**
 * The composition root: the one place that chooses an implementation for every port and registers it
 * behind its token. Memory stores by default; with `config.redisUrl`, one Redis client shared by the
 * cache, both rate limits and the breaker, so that several instances share them. Everything it opens
 * is registered in `TOKENS.Resources`, closed in reverse order at shutdown.
 */
export async function composeGateway(config: GatewayConfig, options: CompositionOptions = {}): Promise<DependencyContainer> {
  const resources = new Resources();
  try {
    return await compose(config, options, resources);
  } catch (error) {
    // A start that failed half-way (a secret missing, say) leaves nothing open behind it.
    await resources.closeAll();
    throw error;
  }
}

async function compose(config: GatewayConfig, options: CompositionOptions, resources: Resources): Promise<DependencyContainer> {
  const container = rootContainer.createChildContainer();
  const clock = options.clock ?? systemClock;
  const env = options.env ?? process.env;

  // Logging: JSON lines with the request's ids (added per request by the HTTP layer), to stdout in
  // one write per turn of the event loop rather than one per line (a system call each on a pipe).
  const destination = options.logDestination ?? new BatchedLineDestination(process.stdout);
  const logger = createLogger({ service: config.serviceName, level: config.logLevel as 'info', env: {}, destination });
  resources.add('logger', async () => {
    await logger.close();
    if (destination instanceof BatchedLineDestination) destination.close();
  });
  const lines = new HeldLogLines();
  if (options.override === undefined) lines.settle(logger);
  // When the start fails before the container is complete, the lines held so far go to this logger.
  else resources.add('held log lines', () => lines.settle(logger));

  // Metrics: OpenTelemetry instruments, collected when /metrics is scraped.
  const durations = requestDurations(config.serviceName, () => clock.now());
  const reader = new PullMetricReader({ metricProducers: [durations] });
  // The service's name on /metrics (`target_info{service_name=…}`); without it the SDK says
  // `unknown_service:<path to node>`.
  const meterProvider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': config.serviceName }), readers: [reader] });
  resources.add('metrics', () => meterProvider.shutdown());
  const meter = meterProvider.getMeter(config.serviceName);
  const metrics = new OtelGatewayMetrics(meter, reader, durations);
  const policyEvents = policyMetrics(meter);

  // Redis, when configured: one client for every store; each has a deadline and decides locally while it is away.
  let redis: ReturnType<typeof createClient> | undefined;
  let redisDeadline: Promise<void> | undefined;
  // Whether Redis is away (warned once): the policies' store errors are then written at debug only.
  let redisAway = false;
  if (config.redisUrl !== undefined) {
    // One deadline for everything the start waits for from Redis (its timer never holds the process open).
    redisDeadline = sleep(REDIS_START_DEADLINE_MS, { clock, unref: true });
    redis = createClient({
      url: config.redisUrl,
      disableOfflineQueue: true,
      socket: { connectTimeout: 2_000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2_000) },
    });
    // One warning when Redis goes away and one line when it is back: node-redis reports every
    // reconnection attempt (every 2 s at most while Redis is down), which are written at debug only.
    redis.on('error', (error: unknown) => {
      if (redisAway) {
        lines.debug('redis still unreachable', { error: errorShape(error) });
        return;
      }
      redisAway = true;
      lines.warn('redis connection failed; deciding locally until it is back', { error: errorShape(error) });
    });
    redis.on('ready', () => {
      lines.info(redisAway ? 'redis connected again' : 'redis connected');
      redisAway = false;
    });
    await until(redis.connect(), redisDeadline);
    const client = redis;
    resources.add('redis', () => (client.isOpen ? client.close() : undefined));
    meter.createObservableGauge('gateway.redis.up', { description: '1 while the shared Redis is connected, else 0 (each instance then decides locally).' }).addCallback((result) => result.observe(client.isReady ? 1 : 0));
  }
  const prefix = config.redisPrefix;
  const limitStore = (name: string): RateLimitStore =>
    redis === undefined ? memoryRateLimitStore({ clock }) : redisRateLimitStore({ client: redis, prefix: `${prefix}ratelimit:${name}:`, timeoutMs: config.redisTimeoutMs, clock });
  const cacheStore = (name: string) =>
    redis === undefined ? {} : { store: redisCacheStore({ client: redis, prefix: `${prefix}${name}:`, timeoutMs: config.redisTimeoutMs, clock }) };

  // Secrets: the environment (or NAME_FILE), then the encrypted store if there is one.
  const providers: SecretProvider[] = [envProvider({ env })];
  if (config.secretsStore !== undefined) {
    const passphrase = env.BULWARK_SECRETS_PASSPHRASE;
    providers.push(
      encryptedFileStore({
        path: config.secretsStore,
        keys: [config.secretsStoreKeyFile !== undefined ? { keyFile: config.secretsStoreKeyFile } : { passphrase: passphrase ?? '' }],
      }),
    );
  }
  const secrets = secretManager({ providers, ttlMs: config.secretsRefreshMs, clock, name: 'secrets' });
  resources.add('secrets', () => secrets.close());
  // At start-up: every secret present and well formed, or one error listing every problem.
  const loaded = await secrets.load({
    upstream: { name: UPSTREAM_KEY, minLength: 8 },
    apiKeys: { name: API_KEYS, parse: parseApiKeyRecords },
  });
  // The upstream key's value is redacted from every log line, and so is each rotated one.
  let redaction = registerSecretValue(loaded.upstream.reveal());
  resources.add('redaction', () => redaction[Symbol.dispose]());
  secrets.onRotated(({ name, version }) => {
    lines.info('secret rotated; using the new version', { secret: name, version });
    if (name === UPSTREAM_KEY) {
      void secrets.get(UPSTREAM_KEY).then((value) => {
        const previous = redaction;
        redaction = registerSecretValue(value.reveal());
        // The previous value stays registered while the upstream may still accept it.
        setTimeout(() => previous[Symbol.dispose](), 10 * 60_000).unref();
      });
    }
  });
  secrets.onRefreshFailed(({ name, failures }) => lines.error('could not read a secret again; the last good value stays in use', { secret: name, failures }));
  policyEvents.instrument(secrets);
  const upstreamSecrets = secrets.scope({ who: 'upstream-client', names: [UPSTREAM_KEY] });
  const callerSecrets = secrets.scope({ who: 'caller-auth', names: [API_KEYS] });

  // Verdicts and domain knowledge: memory, and Redis when shared; invalidations reach every instance.
  const verdicts = cache({
    name: 'verdicts',
    ttlMs: config.cacheTtlMs,
    staleIfErrorMs: config.cacheStaleMs,
    maxEntries: config.cacheMaxEntries,
    isNegative: () => false,
    clock,
    ...cacheStore('verdicts'),
  });
  resources.add('verdict cache', () => verdicts.close());
  const domains = cache({ name: 'domains', ttlMs: 7 * 86_400_000, isNegative: () => false, maxEntries: 100_000, clock, ...cacheStore('domains') });
  resources.add('domain cache', () => domains.close());
  // Each cache subscribes to invalidations on a connection of its own, which may take longer than the
  // start has left (up to the cache's own 5 s, while Redis is away): the start waits no further than
  // the Redis deadline; until a cache is subscribed it checks what it holds against Redis.
  const subscribed = Promise.all([verdicts.ready(), domains.ready()]);
  await (redisDeadline === undefined ? subscribed : until(subscribed, redisDeadline));

  // The upstream, through @bulwark/http's standard pipeline (total timeout, retry honouring
  // Retry-After, the breaker, a timeout per attempt), with its rate limit asked before every attempt
  // and told every response, and its credential read through the secrets (refreshed on a 401).
  // At most UPSTREAM_RATE_PER_SECOND over any second: GCRA's burst plus its rate over one second.
  const burst = Math.max(1, Math.ceil(config.upstreamRatePerSecond / 10));
  const upstreamLimit = rateLimiter({
    name: 'upstream-limit',
    limits: { limit: Math.max(1, config.upstreamRatePerSecond - burst), windowMs: 1_000, burst },
    store: limitStore('upstream'),
    // A call waits for its turn inside its attempt's timeout: waiting longer than half of it would
    // time the attempt out and count against the upstream's circuit, which did nothing wrong. Refused
    // at once instead (RATE_LIMITED, not a circuit failure), the call is answered from the cache,
    // stale or offline.
    maxWaitMs: Math.min(config.upstreamTotalTimeoutMs, Math.ceil(config.upstreamAttemptTimeoutMs / 2)),
    // A 503 without Retry-After holds every call for this long, doubling while they keep coming: a
    // flaky upstream answers some calls so, and a first hold of a whole second (the default) kept
    // the gateway held for most of the demo's run (308 calls of the 1,200 allowed, 29% offline).
    backoff: { initialDelayMs: 100, maxDelayMs: 5_000 },
    clock,
  });
  // One breaker for the one upstream, shared by every instance through Redis when there is one.
  const breaker = circuitBreaker({
    name: 'upstream',
    breaker: { kind: 'time', windowMs: Math.max(30_000, 2 * config.upstreamAttemptTimeoutMs), minimumCalls: config.breakerMinimumCalls, failureRateThreshold: config.breakerFailureRate },
    halfOpenAfterMs: config.breakerHalfOpenAfterMs,
    // A call the gateway's own limiter refused says nothing about the upstream.
    isFailure: (error) => isCircuitFailure(error) && (error as { code?: unknown } | null)?.code !== 'RATE_LIMITED',
    clock,
    ...(redis === undefined ? {} : { store: redisCircuitStore({ client: redis, prefix: `${prefix}breaker:`, quorum: config.breakerQuorum, timeoutMs: config.redisTimeoutMs, clock }) }),
  });
  // The standard retry, made here so that its events reach the logs and metrics.
  const retries = retry({
    name: 'upstream-retry',
    maxAttempts: config.upstreamMaxAttempts,
    backoff: exponentialBackoff({ initialDelayMs: 50 }),
    maxDelayMs: 1_000,
    maxElapsedMs: config.upstreamTotalTimeoutMs,
    // A call the gateway's own limiter refused is not tried again: the limiter has just said the
    // turn is further off than an attempt can wait, so the caller is better served from the
    // cache, stale or offline now than after the whole total timeout.
    shouldRetry: (error) => isRetryableError(error) && !isRateLimitedError(error),
    clock,
  });
  const client = httpClient({
    name: 'upstream',
    baseUrl: config.upstreamUrl,
    policy: standard({
      bulkhead: false,
      totalTimeoutMs: config.upstreamTotalTimeoutMs,
      retry: retries,
      breaker: { get: () => breaker },
      attemptTimeoutMs: config.upstreamAttemptTimeoutMs,
      clock,
    }),
    limiter: timedLimiter(upstreamLimit, () => clock.monotonic()),
    auth: secretAuth(upstreamSecrets, UPSTREAM_KEY),
    // Validating an address changes nothing upstream: sending it again is safe, so it may be retried.
    idempotencyKeys: true,
    clock,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  client.onResponse(({ status }) => metrics.upstreamResponse(status));

  // Callers: a rate limit per key.
  const callerLimit = rateLimiter({
    name: 'caller-limit',
    limits: { limit: config.callerRatePerSecond, windowMs: 1_000, burst: config.callerBurst },
    store: limitStore('callers'),
    clock,
  });

  // Every policy's events become metrics here, and log lines once the logger is known (below): the
  // HTTP client's too, each response and each credential refresh.
  const sources = [retries, upstreamLimit, callerLimit, breaker, verdicts, domains, client];
  const measured = policyEvents.instrument(...sources);
  resources.add('policy events', async () => {
    measured[Symbol.dispose]();
    await policyEvents.close();
  });

  // Readiness: Redis (a warning when it is away: the instance still answers) and the upstream's circuit.
  const checks: DependencyCheck[] = [];
  if (redis !== undefined) {
    const client = redis;
    checks.push({ name: 'redis:responseTime', componentType: 'datastore', critical: false, timeoutMs: 500, check: () => client.ping() });
  }
  const probes = health({ serviceId: config.serviceName, version: '1', checks, circuits: [breaker], openCircuit: 'warn', clock });
  resources.add('health', () => probes.close());

  container.register(TOKENS.Config, { useValue: config });
  container.register(TOKENS.Clock, { useValue: clock });
  container.register(TOKENS.Logger, { useValue: logger });
  container.register(TOKENS.Metrics, { useValue: metrics });
  container.register(TOKENS.Resources, { useValue: resources });
  container.register(TOKENS.Readiness, { useValue: new TelemetryReadiness(probes) });
  container.register(TOKENS.Upstream, { useValue: new HttpUpstreamValidator(client) });
  container.register(TOKENS.Cache, { useValue: new BulwarkValidationCache(verdicts, config.cacheTtlMs, clock) });
  container.register(TOKENS.Domains, {
    useValue: new CacheDomainKnowledge(domains, clock, (error) => lines.debug('could not store a domain fact', { error: errorShape(error) })),
  });
  container.register(TOKENS.CallerLimiter, { useValue: new RateLimitCallerLimiter(callerLimit, config.callerRatePerSecond, 1_000) });
  container.register(TOKENS.ApiKeys, { useValue: new SecretApiKeyRecords(callerSecrets, { name: API_KEYS, now: () => clock.monotonic() }) });
  container.register(TOKENS.OfflineValidator, { useClass: OfflineValidator }, { lifecycle: Lifecycle.Singleton });
  container.register(TOKENS.Authenticator, { useClass: CallerAuthenticator }, { lifecycle: Lifecycle.Singleton });
  // Per request: resolved from each request's child container, with that request's context and logger.
  container.register(TOKENS.ValidationService, { useClass: ValidationService });
  container.register(TOKENS.CacheAdmin, { useClass: CacheAdminService });

  options.override?.(container);

  // The logger is the one the container resolves now, the override's when it swapped it: the
  // policies' events and the lines above are written to it, not to the default made first.
  const root = container.resolve<AppLogger>(TOKENS.Logger);
  const logged = logPolicyEvents(quietStoreErrors(policyEventLogger(root), () => redisAway), sources, { levels: EVENT_LEVELS });
  resources.add('policy event lines', () => logged[Symbol.dispose]());
  lines.settle(root);
  return container;
}
