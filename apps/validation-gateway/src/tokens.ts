/**
 * The tokens of the composition root: one symbol per collaborator. Every constructor parameter of a
 * service says `@inject(TOKENS.X)`, so nothing relies on emitted type metadata, and swapping an
 * implementation is one registration in `composition-root.ts`.
 */
export const TOKENS = Object.freeze({
  /** `GatewayConfig`: the settings read from the environment. */
  Config: Symbol('Config'),
  /** `Clock` of `@bulwark/core`: time for every part. */
  Clock: Symbol('Clock'),
  /** `AppLogger`: the root logger; in a request's container, a child carrying the request's ids. */
  Logger: Symbol('Logger'),
  /** `GatewayMetrics`: counters and histograms, rendered at /metrics. */
  Metrics: Symbol('Metrics'),
  /** `UpstreamValidator`: the third-party validation API. */
  Upstream: Symbol('Upstream'),
  /** `ValidationCache`: verdicts already known. */
  Cache: Symbol('Cache'),
  /** `DomainKnowledge`: what earlier answers taught about each domain, for offline answers. */
  Domains: Symbol('Domains'),
  /** `CallerLimiter`: the rate limit of each caller's key. */
  CallerLimiter: Symbol('CallerLimiter'),
  /** `ApiKeyRecords`: the callers' keys, hashed. */
  ApiKeys: Symbol('ApiKeys'),
  /** `Readiness`: liveness and readiness reports. */
  Readiness: Symbol('Readiness'),
  /** `OfflineValidator`: answers from syntax and domain knowledge when the upstream cannot. */
  OfflineValidator: Symbol('OfflineValidator'),
  /** `CallerAuthenticator`: who is calling, from the request's key. */
  Authenticator: Symbol('Authenticator'),
  /** `ValidationService`: the use case; resolved from each request's child container. */
  ValidationService: Symbol('ValidationService'),
  /** `CacheAdminService`: invalidation for the admin route. */
  CacheAdmin: Symbol('CacheAdmin'),
  /** `RequestContext`: registered in each request's child container only. */
  RequestContext: Symbol('RequestContext'),
  /** `Lifecycle`: what to close at shutdown, in order. */
  Resources: Symbol('Resources'),
});
