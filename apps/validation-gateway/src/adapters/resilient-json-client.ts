import { BulwarkError, parseServerHints, type Policy } from '@bulwark/core';
import type { JsonPoster } from './http-upstream-validator.js';
import type { UpstreamLimiter } from './timing-scope.js';

/** The upstream answered with a status of 400 or more. */
class UpstreamHttpError extends BulwarkError {
  readonly code = 'UPSTREAM_HTTP_ERROR' as const;
  readonly status: number;

  constructor(status: number, retryAfterMs: number | undefined) {
    super(`The upstream answered ${status}.`, {
      transient: status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
    this.status = status;
  }
}

/** A credential that gives its value only through `reveal()`, such as a `Secret`. */
export interface Revealable {
  reveal(): string;
}


/** Options of {@link resilientJsonClient}. */
export interface ResilientJsonClientOptions<S extends Revealable> {
  readonly baseUrl: string;
  /** Runs each call: retries, breaker and timeouts. */
  readonly policy: Policy;
  /** Asked before each attempt, told each response (its 429s and rate-limit fields). */
  readonly limiter: UpstreamLimiter;
  /** Where the upstream credential comes from, and what to try after a 401. */
  readonly credential: { get(): Promise<S>; refresh(refused: S): Promise<S | undefined> };
  /** Told the status of every response. */
  readonly onResponse?: (status: number) => void;
  readonly fetch?: typeof fetch;
}

/**
 * A JSON client over `fetch` whose every call runs through `policy`; each attempt waits its turn at
 * the limiter, sends the credential as a bearer token and, after a 401, once more with the one the
 * credential source offers (a rotated key). A status of 400 or more rejects with {@link UpstreamHttpError}.
 */
export function resilientJsonClient<S extends Revealable>(options: ResilientJsonClientOptions<S>): JsonPoster {
  const { policy, limiter, credential } = options;
  const base = new URL(options.baseUrl);
  const key = base.host;
  const fetchFn = options.fetch ?? fetch;

  const send = async (url: URL, body: string, headers: Readonly<Record<string, string>>, secret: S, signal: AbortSignal): Promise<Response> => {
    await limiter.acquire(key, { signal });
    const response = await fetchFn(url, {
      method: 'POST',
      body,
      signal,
      headers: { ...headers, 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${secret.reveal()}` },
    });
    options.onResponse?.(response.status);
    await limiter.observe(key, response);
    return response;
  };

  return {
    post<T>(input: string, init: { readonly json: unknown; readonly headers?: Readonly<Record<string, string>>; readonly signal?: AbortSignal }): Promise<T> {
      const url = new URL(input.replace(/^\//, ''), base.href.endsWith('/') ? base : `${base.href}/`);
      const body = JSON.stringify(init.json);
      const headers = init.headers ?? {};
      return policy.execute(async ({ signal }) => {
        const secret = await credential.get();
        let response = await send(url, body, headers, secret, signal);
        if (response.status === 401) {
          const next = await credential.refresh(secret);
          if (next !== undefined) {
            await response.body?.cancel();
            response = await send(url, body, headers, next, signal);
          }
        }
        if (response.status >= 400) {
          await response.body?.cancel();
          throw new UpstreamHttpError(response.status, parseServerHints(response).waitMs);
        }
        return (await response.json()) as T;
      }, init.signal);
    },
  };
}
