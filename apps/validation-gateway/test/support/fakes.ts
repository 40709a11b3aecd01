// Fakes of the gateway's ports, for unit tests of its services.
import type { Clock } from '@bulwark/core';
import type {
  AnswerSource,
  ApiKeyRecord,
  ApiKeyRecords,
  AppLogger,
  CacheLookup,
  CachedVerdict,
  DomainFact,
  DomainKnowledge,
  EmailVerdict,
  GatewayMetrics,
  InvalidationTarget,
  LogFields,
  RequestContext,
  ServerTimings,
  UpstreamCall,
  UpstreamValidator,
  ValidationCache,
} from '../../src/index.js';

/** Upstream whose answers the test scripts; records each call. */
export class FakeUpstream implements UpstreamValidator {
  readonly calls: { email: string; call: UpstreamCall }[] = [];
  answer: (email: string) => EmailVerdict | Error = (email) => ({ valid: true, reason: 'accepted', disposable: false, domain: email.split('@')[1] ?? null });

  async validate(email: string, call: UpstreamCall): Promise<EmailVerdict> {
    this.calls.push({ email, call });
    const answer = this.answer(email);
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

/** A cache in a map with the port's semantics: fresh within `ttlMs`, stale within `staleMs` when loading fails. */
export class FakeCache implements ValidationCache {
  readonly entries = new Map<string, CachedVerdict>();
  readonly invalidations: InvalidationTarget[] = [];

  constructor(
    readonly ttlMs: number,
    readonly staleMs: number,
    readonly clock: Clock,
  ) {}

  async getOrLoad(email: string, load: () => Promise<EmailVerdict>): Promise<CacheLookup> {
    const held = this.entries.get(email);
    const age = held === undefined ? Infinity : this.clock.now() - held.checkedAt;
    if (held !== undefined && age < this.ttlMs) return { value: held, loaded: false };
    try {
      const value = { verdict: await load(), checkedAt: this.clock.now() };
      this.entries.set(email, value);
      return { value, loaded: true };
    } catch (error) {
      if (held !== undefined && age < this.ttlMs + this.staleMs) return { value: held, loaded: false };
      throw error;
    }
  }

  async invalidate(target: InvalidationTarget): Promise<void> {
    this.invalidations.push(target);
    if (target.kind === 'all') this.entries.clear();
    if (target.kind === 'key') this.entries.delete(target.email);
  }
}

export class FakeDomains implements DomainKnowledge {
  readonly facts = new Map<string, DomainFact>();
  constructor(readonly clock: Clock) {}
  learn(verdict: EmailVerdict): void {
    if (verdict.domain !== null && verdict.reason !== 'syntax' && verdict.reason !== 'unverified') {
      this.facts.set(verdict.domain, { reason: verdict.reason, learnedAt: this.clock.now() });
    }
  }
  async recall(domain: string): Promise<DomainFact | undefined> {
    return this.facts.get(domain);
  }
}

export class FakeMetrics implements GatewayMetrics {
  readonly answers: AnswerSource[] = [];
  readonly upstream: number[] = [];
  answered(source: AnswerSource): void {
    this.answers.push(source);
  }
  request(): void {}
  upstreamResponse(status: number): void {
    this.upstream.push(status);
  }
  async render(): Promise<string> {
    return '';
  }
}

/** A logger keeping its lines, child fields merged in. */
export class FakeLogger implements AppLogger {
  constructor(
    readonly lines: { level: string; message: string; fields: Record<string, unknown> }[] = [],
    readonly fields: LogFields = {},
  ) {}
  #write(level: string, message: string | (() => string), fields?: LogFields | Error): void {
    const text = typeof message === 'function' ? message() : message;
    this.lines.push({ level, message: text, fields: { ...this.fields, ...(fields instanceof Error ? { error: fields } : fields) } });
  }
  error(message: string, fields?: LogFields | Error): void {
    this.#write('error', message, fields);
  }
  warn(message: string, fields?: LogFields | Error): void {
    this.#write('warn', message, fields);
  }
  info(message: string, fields?: LogFields | Error): void {
    this.#write('info', message, fields);
  }
  debug(message: string | (() => string), fields?: LogFields | Error): void {
    this.#write('debug', message, fields);
  }
  child(fields: LogFields): AppLogger {
    return new FakeLogger(this.lines, { ...this.fields, ...fields });
  }
}

export class FakeTimings implements ServerTimings {
  readonly spent: Record<string, number> = {};
  add(name: string, ms: number): void {
    this.spent[name] = (this.spent[name] ?? 0) + ms;
  }
}

export function fakeRequest(overrides: Partial<RequestContext> = {}): RequestContext {
  return {
    requestId: 'req-1',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    signal: new AbortController().signal,
    timings: new FakeTimings(),
    caller: undefined,
    ...overrides,
  };
}

export class FakeApiKeys implements ApiKeyRecords {
  constructor(public records: ApiKeyRecord[]) {}
  async current(): Promise<readonly ApiKeyRecord[]> {
    return this.records;
  }
}
