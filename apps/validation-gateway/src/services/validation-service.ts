import type { Clock } from '@bulwark/core';
import { inject, injectable } from '../di.js';
import { errorShape } from '../error-shape.js';
import type { AppLogger } from '../ports/app-logger.js';
import type { DomainKnowledge } from '../ports/domain-knowledge.js';
import type { AnswerSource, EmailVerdict, ValidationAnswer } from '../ports/email-verdict.js';
import type { GatewayMetrics } from '../ports/gateway-metrics.js';
import type { RequestContext } from '../ports/request-context.js';
import type { UpstreamValidator } from '../ports/upstream-validator.js';
import type { ValidationCache } from '../ports/validation-cache.js';
import { TOKENS } from '../tokens.js';
import type { OfflineValidator } from './offline-validator.js';

/** Addresses of one batch validated at once. */
const BATCH_CONCURRENCY = 8;

/**
 * The use case: validate addresses. Answers from the cache; else from the upstream (through its
 * resilience pipeline), remembering the verdict and what it says about the domain; else — the
 * upstream down, slow, refusing or rate-limited past the deadline — a stale verdict within the stale
 * window; else offline, from syntax and the domains learnt so far. Every answer says where it came
 * from and how old it is. Resolved from each request's child container, so it carries the request.
 */
@injectable()
export class ValidationService {
  readonly #cache: ValidationCache;
  readonly #upstream: UpstreamValidator;
  readonly #offline: OfflineValidator;
  readonly #domains: DomainKnowledge;
  readonly #metrics: GatewayMetrics;
  readonly #clock: Clock;
  readonly #request: RequestContext;
  readonly #logger: AppLogger;

  constructor(
    @inject(TOKENS.Cache) cache: ValidationCache,
    @inject(TOKENS.Upstream) upstream: UpstreamValidator,
    @inject(TOKENS.OfflineValidator) offline: OfflineValidator,
    @inject(TOKENS.Domains) domains: DomainKnowledge,
    @inject(TOKENS.Metrics) metrics: GatewayMetrics,
    @inject(TOKENS.Clock) clock: Clock,
    @inject(TOKENS.RequestContext) request: RequestContext,
    @inject(TOKENS.Logger) logger: AppLogger,
  ) {
    this.#cache = cache;
    this.#upstream = upstream;
    this.#offline = offline;
    this.#domains = domains;
    this.#metrics = metrics;
    this.#clock = clock;
    this.#request = request;
    this.#logger = logger;
  }

  /** The answer for one address. Rejects only when the caller went away. */
  async validate(email: string): Promise<ValidationAnswer> {
    const { signal, timings, traceparent } = this.#request;
    const started = this.#clock.monotonic();
    let upstreamMs = 0;
    const load = async (): Promise<EmailVerdict> => {
      const from = this.#clock.monotonic();
      try {
        const verdict = await this.#upstream.validate(email, { signal, traceparent, timings });
        this.#domains.learn(verdict);
        return verdict;
      } finally {
        upstreamMs += this.#clock.monotonic() - from;
      }
    };
    let answer: ValidationAnswer;
    try {
      const { value, loaded } = await this.#cache.getOrLoad(email, load, signal);
      const ageMs = loaded ? 0 : Math.max(0, this.#clock.now() - value.checkedAt);
      const source: AnswerSource = loaded ? 'upstream' : ageMs >= this.#cache.ttlMs ? 'stale' : 'cache';
      answer = { email, ...value.verdict, source, ageMs };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      // The failure itself was logged where it happened (the retry's give-up, the breaker); this line
      // says what became of the request. Its access line says `source: offline` too.
      this.#logger.info('the upstream could not answer; answering offline', { error: errorShape(error) });
      const { verdict, ageMs } = await this.#offline.validate(email);
      answer = { email, ...verdict, source: 'offline', ageMs };
    } finally {
      timings.add('upstream', upstreamMs);
      timings.add('cache', Math.max(0, this.#clock.monotonic() - started - upstreamMs));
    }
    this.#metrics.answered(answer.source);
    return answer;
  }

  /** The answers for a batch, in its order, a few addresses at a time. */
  async validateMany(emails: readonly string[]): Promise<ValidationAnswer[]> {
    const answers: ValidationAnswer[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < emails.length) {
        const i = next++;
        answers[i] = await this.validate(emails[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, emails.length) }, worker));
    return answers;
  }
}
