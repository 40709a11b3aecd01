import type { EmailVerdict, VerdictReason } from '../ports/email-verdict.js';
import type { UpstreamCall, UpstreamValidator } from '../ports/upstream-validator.js';
import { timingScope } from './timing-scope.js';

/** What the adapter needs of an HTTP client: a JSON POST that rejects on a status of 400 or more. */
export interface JsonPoster {
  post<T>(
    input: string,
    init: { readonly json: unknown; readonly headers?: Readonly<Record<string, string>>; readonly signal?: AbortSignal },
  ): Promise<T>;
}

const REASONS: ReadonlySet<string> = new Set<VerdictReason>(['syntax', 'no_mail_server', 'disposable', 'known_provider', 'accepted']);

/** Thrown when the upstream's 200 is not a verdict: the call failed, and the answer will be offline. */
class UpstreamAnswerError extends Error {
  override readonly name = 'UpstreamAnswerError';
  readonly code = 'UPSTREAM_BAD_ANSWER';
}

function asVerdict(body: unknown): EmailVerdict {
  const b = body as Partial<Record<keyof EmailVerdict, unknown>> | null;
  if (
    typeof b?.valid !== 'boolean' ||
    typeof b.reason !== 'string' ||
    !REASONS.has(b.reason) ||
    typeof b.disposable !== 'boolean' ||
    (b.domain !== null && typeof b.domain !== 'string')
  ) {
    throw new UpstreamAnswerError('The upstream answered 200 with a body that is not a verdict.');
  }
  return { valid: b.valid, reason: b.reason as VerdictReason, disposable: b.disposable, domain: b.domain as string | null };
}

/**
 * Adapter: {@link UpstreamValidator} over an HTTP client whose policy does the resilience work
 * (rate limit, breaker, retries honouring Retry-After, timeouts, credential refresh on 401). It
 * sends the request's `traceparent` and runs each call in the request's timing scope.
 */
export class HttpUpstreamValidator implements UpstreamValidator {
  readonly #client: JsonPoster;
  readonly #path: string;

  constructor(client: JsonPoster, path = '/v1/validate/email') {
    this.#client = client;
    this.#path = path;
  }

  async validate(email: string, call: UpstreamCall): Promise<EmailVerdict> {
    const init = {
      json: { email },
      ...(call.traceparent === undefined ? {} : { headers: { traceparent: call.traceparent } }),
      ...(call.signal === undefined ? {} : { signal: call.signal }),
    };
    const send = () => this.#client.post<unknown>(this.#path, init);
    const body = call.timings === undefined ? await send() : await timingScope.run(call.timings, send);
    return asVerdict(body);
  }
}
