import {
  EventEmitter,
  expectBoolean,
  expectClock,
  expectFunction,
  expectName,
  expectOptions,
  invalidOption,
  invalidPolicy,
  knownOptions,
  parseHttpDate,
  parseServerHints,
  quote,
  sleep,
  systemClock,
  toResult,
  type BulwarkError,
  type Clock,
  type Event,
  type EventPayload,
  type ExecuteContext,
  type Policy,
} from '@bulwark/core';
import type { ResultAsync } from 'neverthrow';
import type { HttpAuth, HttpAuthContext, HttpAuthSource, HttpCredential } from './http-auth.js';
import { HttpError } from './http-error.js';
import type { HttpLimiter } from './http-limiter.js';
import type { HttpPolicySource } from './http-request-info.js';
import { InvalidJsonError } from './invalid-json-error.js';
import { checkBaseUrl, requestUrl } from './internal/join-url.js';
import { HTTP_TOKEN, PreparedRequest, copyBody, isIdempotentMethod, isStreamBody, normaliseMethod } from './internal/prepared-request.js';
import { discardBody, readErrorBody } from './internal/read-error-body.js';
import { scrubCredential } from './internal/scrub.js';
import { NetworkError } from './network-error.js';
import { isSensitiveParam } from './redact-url.js';

/** The `fetch` the client calls: the platform's by default, or one you inject (a mock, undici's own `fetch`). */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/** Query parameters: `undefined` and `null` values are left out; others are written with `String()`. */
export type QueryParams = Readonly<Record<string, string | number | boolean | null | undefined>> | URLSearchParams;

/** The options of one request: `RequestInit`, plus `json`, `query` and `idempotencyKey`. Any other key is refused, naming it (never its value). */
export interface HttpRequestInit extends Omit<RequestInit, 'body' | 'headers' | 'method' | 'signal' | 'window' | 'duplex'> {
  /** The method. `get`, `post`, `put`, `patch` and `delete` are upper-cased. @default 'GET' */
  readonly method?: string;
  /** Headers, over the client's `headers`; checked as those are, the request refused before it goes out. */
  readonly headers?: RequestInit['headers'];
  /**
   * The body. A string, bytes, `Blob`, `FormData` or `URLSearchParams` is sent again by a retry
   * (bytes from a copy taken when the call starts); a stream is sent once and makes the request
   * non-retryable.
   */
  readonly body?: RequestInit['body'];
  /** A value sent as a JSON body, with `content-type: application/json` unless you set one. Not with `body`. */
  readonly json?: unknown;
  /** Query parameters appended to the URL. */
  readonly query?: QueryParams;
  /** Cancels the request, its retries and its waits; the call rejects with the signal's reason. */
  readonly signal?: AbortSignal | null;
  /**
   * The `Idempotency-Key` header: a string to send, `true` for a random UUID, `false` to send none
   * even with the client's `idempotencyKeys`. The same key goes with every attempt of the request.
   * @default a UUID for POST, PATCH and other non-idempotent methods when the client's `idempotencyKeys` is true
   */
  readonly idempotencyKey?: string | boolean;
}

/** Options of one request without its method (for `get`, `post`, ...). */
export type HttpMethodInit = Omit<HttpRequestInit, 'method'>;

/** Options for {@link httpClient}. Every one is optional. */
export interface HttpClientOptions {
  /**
   * The URL that relative request paths are joined under, keeping its path: `users/1` and `/users/1`
   * under `https://api.example.com/v1` are both `https://api.example.com/v1/users/1`. No query, no
   * fragment, no user name or password.
   */
  readonly baseUrl?: string | URL;
  /**
   * Headers sent with every request; a request's own headers win. Checked when the client is made:
   * a name must be a token, a value a string without line breaks, NUL or characters above U+00FF.
   * The `TypeError` names the header and what is wrong with it, never the value.
   */
  readonly headers?: RequestInit['headers'];
  /**
   * What runs each request: a `Policy` (such as `pipeline(retry(), timeout(5_000))`) wrapping every
   * attempt, or an {@link HttpPolicySource} choosing one per request, as `standard()` of
   * `@bulwark/http/standard` does. Without one, each request is one attempt.
   */
  readonly policy?: Policy | HttpPolicySource;
  /** The `fetch` to call. Never pass a dispatcher of another undici: inject that undici's `fetch` here. @default globalThis.fetch */
  readonly fetch?: FetchFunction;
  /**
   * Credentials for every attempt: a function returning the header value, or an object with `get`
   * and `refresh` (see {@link secretAuth}). After a 401, `refresh` is asked once and the request sent
   * once more with what it gives.
   */
  readonly auth?: HttpAuth;
  /** A rate limiter (`rateLimiter()` of `@bulwark/ratelimit`): told every response, asked before every attempt. */
  readonly limiter?: HttpLimiter;
  /** The limiter's key for a request. @default (url) => url.host */
  readonly limiterKey?: (url: URL) => string;
  /**
   * Give every POST, PATCH and other non-idempotent request without one an `Idempotency-Key` (a
   * random UUID, the same on every attempt), which makes it retryable. Turn it on only for a server
   * that honours the header: one that ignores it would act on each attempt.
   * @default false
   */
  readonly idempotencyKeys?: boolean;
  /** More query parameters whose values are hidden in errors and events, besides those `isSensitiveParam` picks. */
  readonly redactParam?: (name: string) => boolean;
  /** Time source for `Retry-After` and durations; inject a fake clock in tests. @default systemClock */
  readonly clock?: Clock;
  /** Names the client in events. @default 'httpClient' */
  readonly name?: string;
}

/** Emitted by {@link HttpClient.onResponse} for every response an attempt receives, whatever its status. */
export interface HttpResponseEvent extends EventPayload {
  readonly method: string;
  /** The URL, redacted. */
  readonly url: string;
  readonly status: number;
  /** The attempt, from 1. */
  readonly attempt: number;
  /** From handing the request to `fetch` to the response's headers, in milliseconds. */
  readonly durationMs: number;
}

/** Emitted by {@link HttpClient.onAuthRefresh} when a 401 made the client ask `auth` to refresh. */
export interface HttpAuthRefreshEvent extends EventPayload {
  readonly method: string;
  /** The URL, redacted. */
  readonly url: string;
  /** Whether `refresh` gave another credential (then the request was sent once more). */
  readonly refreshed: boolean;
}

/** An HTTP client. Create one with {@link httpClient}. */
export interface HttpClient {
  /** The client's name, carried by its events. */
  readonly name: string;
  /**
   * `fetch`, as a resilience signal: resolves with the `Response` when its status is below 400,
   * rejects with `HttpError` otherwise, `NetworkError` when no response came, or the signal's reason.
   * The body is yours to read.
   */
  fetch(input: string | URL, init?: HttpRequestInit): Promise<Response>;
  /** The neverthrow twin of `fetch`. */
  fetchResult(input: string | URL, init?: HttpRequestInit): ResultAsync<Response, BulwarkError>;
  /**
   * Sends the request with `accept: application/json` and resolves with the parsed body
   * (`undefined` for an empty body, a 204 or a HEAD). The body is read inside the attempt, so a
   * connection that breaks mid-body is retried like any network failure. `T` is not checked.
   */
  json<T = unknown>(input: string | URL, init?: HttpRequestInit): Promise<T>;
  /** The neverthrow twin of `json`. */
  jsonResult<T = unknown>(input: string | URL, init?: HttpRequestInit): ResultAsync<T, BulwarkError>;
  /** `json(input, { ...init, method: 'GET' })`. */
  get<T = unknown>(input: string | URL, init?: HttpMethodInit): Promise<T>;
  /** `json(input, { ...init, method: 'POST' })`. */
  post<T = unknown>(input: string | URL, init?: HttpMethodInit): Promise<T>;
  /** `json(input, { ...init, method: 'PUT' })`. */
  put<T = unknown>(input: string | URL, init?: HttpMethodInit): Promise<T>;
  /** `json(input, { ...init, method: 'PATCH' })`. */
  patch<T = unknown>(input: string | URL, init?: HttpMethodInit): Promise<T>;
  /** `json(input, { ...init, method: 'DELETE' })`. */
  delete<T = unknown>(input: string | URL, init?: HttpMethodInit): Promise<T>;
  /** Fires for every response an attempt receives. */
  readonly onResponse: Event<HttpResponseEvent>;
  /** Fires when a 401 made the client ask `auth` for a fresh credential. */
  readonly onAuthRefresh: Event<HttpAuthRefreshEvent>;
}

/** Reads the result of an attempt from its response, inside the attempt. */
type Reader<T> = (response: Response, request: PreparedRequest, signal: AbortSignal | undefined, attempt: number) => T | Promise<T>;

const asResponse: Reader<Response> = (response) => response;

const readJson: Reader<unknown> = async (response, request, signal, attempt) => {
  if (response.status === 204 || response.status === 205 || request.method === 'HEAD') {
    discardBody(response);
    return undefined;
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new NetworkError(request.method, request.shown, attempt, error);
  }
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidJsonError(request.method, request.shown, response.status);
  }
};

interface AuthConfig {
  readonly header: string;
  readonly get: (context: HttpAuthContext) => HttpCredential | PromiseLike<HttpCredential>;
  readonly refresh: HttpAuthSource['refresh'];
}

function authConfig(auth: HttpAuth | undefined): AuthConfig | undefined {
  if (auth === undefined) return undefined;
  if (typeof auth === 'function') return { header: 'authorization', get: auth, refresh: undefined };
  if (typeof auth !== 'object' || auth === null || typeof auth.get !== 'function') {
    // A string here is most likely the credential itself (`auth: 'Bearer …'`): say what it is, not what it says.
    throw invalidOption('auth', auth, 'a function returning the header value, or an object with get (and refresh)', { redact: true });
  }
  if (auth.refresh !== undefined) expectFunction('auth.refresh', auth.refresh);
  const header = auth.header ?? 'authorization';
  if (typeof header !== 'string' || !HTTP_TOKEN.test(header)) throw invalidOption('auth.header', header, 'a header name');
  return { header, get: (context) => auth.get(context), refresh: auth.refresh?.bind(auth) };
}

/**
 * What is wrong with a header name that is not a token, in words, with the part of it before the
 * fault: never what follows. A name and value given the wrong way round (`{ 'Bearer abc…':
 * 'authorization' }`) must not put the credential in the message.
 */
function nameFault(name: string): string {
  if (name === '') return '"", which is empty';
  let at = 0;
  while (at < name.length && HTTP_TOKEN.test(name[at]!)) at++;
  const bad = name[at]!;
  const what =
    bad === '\r' || bad === '\n'
      ? 'a line break'
      : bad === ' '
        ? 'a space'
        : bad === ':'
          ? 'a colon (the name goes without it)'
          : bad.charCodeAt(0) > 0x7e
            ? 'a character outside ASCII'
            : JSON.stringify(bad);
  const before = at === 0 ? 'at its start' : `after ${quote(at > 32 ? `${name.slice(0, 32)}…` : name.slice(0, at))}`;
  return `a name that contains ${what} ${before} (the rest is not shown)`;
}

/** Any character a header value may not hold: a line break, NUL, or one above U+00FF. */
const HEADER_VALUE_FAULT = /[\r\n\0\u0100-\uffff]/;
/** The rule {@link HEADER_VALUE_FAULT} checks, as every message about a header value states it. */
const HEADER_VALUE_RULE = 'without line breaks, NUL or characters above U+00FF';

/** What is wrong with a header value, in words that never show it; `undefined` when nothing is. */
function valueFault(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    if (value === null || value === undefined) return String(value);
    return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  }
  // One scan for the usual case, a clean value; the fault is named only when there is one.
  if (!HEADER_VALUE_FAULT.test(value)) return undefined;
  if (/[\r\n]/.test(value)) return 'a string that contains a line break';
  if (value.includes('\0')) return 'a string that contains a NUL character';
  return 'a string that contains a character above U+00FF';
}

/**
 * Headers checked before `Headers` sees them: its own error quotes a bad value, and a header value
 * may be a credential. Names are shown, values never: a message says what is wrong with a value.
 */
function checkHeaders(field: string, headers: RequestInit['headers']): void {
  if (headers === undefined || headers instanceof Headers) return;
  if (typeof headers !== 'object' || headers === null) {
    // A string here may be a whole `authorization: …` line: say what it is, not what it says.
    throw invalidOption(field, headers, 'a record, an array of [name, value] pairs or Headers', { redact: true });
  }
  const iterable = typeof (headers as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function';
  const pairs: unknown[] = iterable ? Array.from(headers as Iterable<unknown>) : Object.entries(headers);
  pairs.forEach((pair, index) => {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw invalidOption(`${field}[${index}]`, pair, 'a [name, value] pair', { redact: !Array.isArray(pair) });
    }
    const [name, value] = pair as [unknown, unknown];
    if (typeof name !== 'string') throw invalidOption(`${field}[${index}][0]`, name, 'a header name (a string)', { redact: true });
    if (!HTTP_TOKEN.test(name)) {
      throw new TypeError(
        `Expected \`${field}\` to have header names made of letters, digits and !#$%&'*+-.^_\`|~, got ${nameFault(name)}.`,
      );
    }
    const fault = valueFault(value);
    if (fault !== undefined) {
      throw new TypeError(
        `Expected \`${field}.${name.length > 60 ? `${name.slice(0, 60)}…` : name}\` to be a header value (a string ${HEADER_VALUE_RULE}), got ${fault} (its value is not shown).`,
      );
    }
  });
}

/** The header value of a credential, checked but never shown. */
function revealCredential(credential: HttpCredential): string {
  const value = typeof credential === 'string' ? credential : typeof credential?.reveal === 'function' ? credential.reveal() : undefined;
  if (typeof value !== 'string') {
    throw new TypeError(`Expected \`auth\` to give a string or an object with reveal(), got ${credential === null ? 'null' : typeof credential}.`);
  }
  const fault = valueFault(value);
  if (fault !== undefined) {
    throw new TypeError(`Expected \`auth\` to give a header value (a string ${HEADER_VALUE_RULE}), got ${fault} (its value is not shown).`);
  }
  return value;
}

/**
 * `json` as the text to send. `JSON.stringify`'s own errors do not say which option failed, and it
 * returns `undefined` for a function or a symbol, which would send no body without a word.
 */
function jsonBody(json: unknown): string {
  const expected = 'JSON data (what JSON.stringify can write)';
  let text: string | undefined;
  try {
    text = JSON.stringify(json);
  } catch (error) {
    // Its own message names property names and a toJSON of the caller's may say anything: both
    // stay in `cause`. The message says which fault it was, never a value.
    const message = error instanceof Error ? error.message : '';
    const fault = message.includes('BigInt') ? 'a BigInt' : message.includes('circular') ? 'a cycle' : 'something JSON.stringify refused';
    throw new TypeError(`Expected \`json\` to be ${expected}, got a value that holds ${fault} (its value is not shown).`, { cause: error });
  }
  if (text === undefined) throw invalidOption('json', json, expected, { redact: true });
  return text;
}

/** A plain object or an array that is not iterable as a stream: data meant for `json`, not a body. */
function isDataLiteral(body: unknown): boolean {
  if (Array.isArray(body)) return true;
  if (typeof body !== 'object' || body === null || isStreamBody(body)) return false;
  const proto: unknown = Object.getPrototypeOf(body);
  return proto === Object.prototype || proto === null;
}

/** A copy of `headers` with one more header. */
function withHeader(headers: Headers, name: string, value: string): Headers {
  const copy = new Headers(headers);
  copy.set(name, value);
  return copy;
}

// Request options of other HTTP clients (axios, ky, got) that fetch ignores: a request that passed
// one would go out without its query, its body or its timeout. Each is named with what to use
// instead; any other key not in REQUEST_OPTIONS is refused there.
const FOREIGN_REQUEST_OPTIONS: Readonly<Record<string, string>> = {
  params: '`query`',
  searchParams: '`query`',
  data: '`json` (or `body`)',
  timeout: "a `timeout(ms)` in the client's `policy`",
  retry: "a `retry()` in the client's `policy`",
  baseURL: "the client's `baseUrl`",
  prefixUrl: "the client's `baseUrl`",
};

// Keys that only one runtime's own `fetch` reads. Elsewhere that fetch would ignore them — axios's
// `proxy: { host, port }` or got's `decompress` on Node would go out as if unwritten — so they are
// passed on only on that runtime and refused on any other.
const RUNTIME_REQUEST_OPTIONS: Readonly<Record<string, { readonly runtime: 'Bun' | 'Deno'; readonly elsewhere: string }>> = {
  verbose: { runtime: 'Bun', elsewhere: 'nothing here: log the request yourself' },
  proxy: { runtime: 'Bun', elsewhere: "a client `fetch` that goes through the proxy (on Node, undici's own `fetch` with a `ProxyAgent` dispatcher)" },
  unix: { runtime: 'Bun', elsewhere: "a client `fetch` that connects to the socket (on Node, undici's own `fetch` with an `Agent({ connect: { socketPath } })`)" },
  tls: { runtime: 'Bun', elsewhere: "a client `fetch` with that TLS configuration (on Node, undici's own `fetch` with an `Agent({ connect: { … } })`)" },
  decompress: { runtime: 'Bun', elsewhere: 'nothing here: fetch always decompresses a compressed response' },
  client: { runtime: 'Deno', elsewhere: "a client `fetch` configured as you need (on Node, undici's own `fetch` with a dispatcher)" },
};

/** The runtime this is, for the keys only its own `fetch` reads. */
function runtimeName(): string {
  const scope = globalThis as { Bun?: unknown; Deno?: unknown; process?: { versions?: { node?: unknown } } };
  return scope.Bun !== undefined ? 'Bun' : scope.Deno !== undefined ? 'Deno' : scope.process?.versions?.node !== undefined ? 'Node.js' : 'this runtime';
}

/** The keys of the Fetch standard's `RequestInit` that the request type leaves out, accepted all the same. */
interface OtherStandardRequestInit {
  readonly duplex?: 'half';
  readonly priority?: 'high' | 'low' | 'auto';
  readonly window?: null;
}

/**
 * Keys that a platform's own `fetch` reads, passed on as given: Next.js's `next`, Cloudflare Workers'
 * `cf`, Bun's `verbose`, `proxy`, `unix`, `tls` and `decompress`, Deno's `client` (a
 * `Deno.createHttpClient()`); Bun's and Deno's only on that runtime (RUNTIME_REQUEST_OPTIONS). Each is
 * in that platform's documentation of its `fetch`.
 */
interface PlatformRequestInit {
  readonly next?: unknown;
  readonly cf?: unknown;
  readonly verbose?: unknown;
  readonly proxy?: unknown;
  readonly unix?: unknown;
  readonly tls?: unknown;
  readonly decompress?: unknown;
  readonly client?: unknown;
}

// The keys a request takes: the client's own, the Fetch standard's `RequestInit` and the platforms' above, listed so that a
// typo, or data passed where the options go (`post(url, { cents: 1000 })`), is refused rather than
// dropped by fetch and sent without a body. `dispatcher` is refused on its own, before.
const REQUEST_OPTIONS = knownOptions<Omit<HttpRequestInit, 'dispatcher'> & OtherStandardRequestInit & PlatformRequestInit>(
  'a request (fetch would ignore it; data to send goes in `json`)',
  {
    json: ['payload', 'jsonBody'],
    query: ['qs'],
    idempotencyKey: [],
    method: ['verb'],
    headers: ['header'],
    body: [],
    signal: ['abortSignal'],
    cache: [],
    credentials: ['withCredentials'],
    integrity: [],
    keepalive: ['keepAlive'],
    mode: [],
    priority: [],
    redirect: ['followRedirects', 'maxRedirects'],
    referrer: [],
    referrerPolicy: [],
    duplex: [],
    window: [],
    next: [],
    cf: [],
    verbose: [],
    proxy: [],
    unix: [],
    tls: [],
    decompress: [],
    client: [],
  },
);

function appendQuery(url: URL, query: QueryParams): void {
  if (query instanceof URLSearchParams) {
    for (const [name, value] of query) url.searchParams.append(name, value);
    return;
  }
  if (typeof query !== 'object' || query === null || Array.isArray(query)) throw invalidOption('query', query, 'an object or URLSearchParams', { redact: true }); // `'api_key=…'`
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    // String() of an object or array would send `[object Object]` or `1,2` without a word.
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw invalidOption(
        `query.${name}`,
        value,
        'a string, number or boolean (null or undefined to leave it out; a URLSearchParams for a name repeated)',
      );
    }
    url.searchParams.append(name, String(value));
  }
}

const HTTP_CLIENT_OPTIONS = knownOptions<HttpClientOptions>('httpClient()', {
  baseUrl: ['baseURL', 'prefixUrl', 'prefixURL', 'url'],
  headers: [],
  policy: ['retry', 'timeout', 'hooks'],
  fetch: ['fetchFn', 'fetchImplementation'],
  auth: ['authorization', 'credential'],
  limiter: ['rateLimiter', 'rateLimit'],
  limiterKey: [],
  idempotencyKeys: ['idempotencyKey'],
  redactParam: ['redact', 'redactParams'],
  clock: [],
  name: [],
});

// A client's own timeout or retry, as ky and axios take them: here each is a policy, so the message
// gives the policy to write and the package it comes from.
const FOREIGN_CLIENT_OPTIONS: Readonly<Record<string, (value: unknown) => { readonly policy: string; readonly from: string; readonly note?: string }>> = {
  timeout: (value) => ({ policy: `timeout(${isCount(value) ? value : 'ms'})`, from: 'core' }),
  retry: (value) =>
    isCount(value)
      ? { policy: `retry({ maxAttempts: ${value + 1} })`, from: 'retry', note: `\`maxAttempts\` counts the first call: ${value} retries are ${value + 1} attempts` }
      : { policy: 'retry({ maxAttempts })', from: 'retry' },
};

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Refuses a client-level `timeout` or `retry`, naming the policy that does it and its package. */
function refuseForeignClientOptions(options: object): void {
  for (const name of Object.keys(FOREIGN_CLIENT_OPTIONS)) {
    if (!Object.hasOwn(options, name)) continue;
    const { policy, from, note } = FOREIGN_CLIENT_OPTIONS[name]!((options as Record<string, unknown>)[name]);
    throw new TypeError(
      `Unknown option \`${name}\` of httpClient(); did you mean \`policy: ${policy}\`, with \`${name}\` from @bulwark/${from}?${note === undefined ? '' : ` ${note}.`}`,
    );
  }
}

class Client implements HttpClient {
  readonly name: string;
  readonly #fetch: FetchFunction;
  readonly #base: URL | undefined;
  readonly #headers: Headers | undefined;
  readonly #policy: Policy | undefined;
  readonly #policySource: HttpPolicySource | undefined;
  readonly #auth: AuthConfig | undefined;
  readonly #limiter: HttpLimiter | undefined;
  readonly #limiterKey: (url: URL) => string;
  readonly #idempotencyKeys: boolean;
  readonly #redactParam: (name: string) => boolean;
  readonly #clock: Clock;
  readonly #onResponse = new EventEmitter<HttpResponseEvent>();
  readonly #onAuthRefresh = new EventEmitter<HttpAuthRefreshEvent>();
  readonly onResponse = this.#onResponse.event;
  readonly onAuthRefresh = this.#onAuthRefresh.event;

  constructor(options: HttpClientOptions) {
    if (typeof options === 'object' && options !== null) refuseForeignClientOptions(options);
    expectOptions('options', options, HTTP_CLIENT_OPTIONS);
    this.name = options.name ?? 'httpClient';
    expectName(this.name);
    this.#base = checkBaseUrl(options.baseUrl);
    checkHeaders('headers', options.headers);
    this.#headers = options.headers === undefined ? undefined : new Headers(options.headers);
    const { policy } = options;
    if (policy !== undefined) {
      if (typeof (policy as Policy | null)?.execute === 'function') this.#policy = policy as Policy;
      else if (typeof (policy as HttpPolicySource | null)?.policyFor === 'function') this.#policySource = policy as HttpPolicySource;
      else throw invalidPolicy('policy', policy, 'a Policy (with execute) or a policy source (with policyFor)');
    }
    const fetchFn = options.fetch ?? (globalThis.fetch as FetchFunction | undefined);
    if (typeof fetchFn !== 'function') throw invalidOption('fetch', options.fetch, 'a fetch function (the platform has none)');
    // The platform's fetch is looked up per call, so a test that stubs globalThis.fetch is heard.
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#auth = authConfig(options.auth);
    if (options.limiter !== undefined) {
      const limiter = options.limiter;
      if (typeof limiter?.observe !== 'function') throw invalidOption('limiter', limiter, 'a rate limiter (an object with observe)');
      if (limiter.acquire !== undefined) expectFunction('limiter.acquire', limiter.acquire);
      this.#limiter = limiter;
    }
    if (options.limiterKey !== undefined) expectFunction('limiterKey', options.limiterKey);
    this.#limiterKey = options.limiterKey ?? ((url) => url.host);
    this.#idempotencyKeys = options.idempotencyKeys ?? false;
    expectBoolean('idempotencyKeys', this.#idempotencyKeys);
    const { redactParam } = options;
    if (redactParam !== undefined) expectFunction('redactParam', redactParam);
    this.#redactParam = redactParam === undefined ? isSensitiveParam : (name) => isSensitiveParam(name) || redactParam(name);
    expectClock('clock', options.clock);
    this.#clock = options.clock ?? systemClock;
  }

  fetch(input: string | URL, init: HttpRequestInit = {}): Promise<Response> {
    return this.#run(input, init, asResponse, false);
  }

  fetchResult(input: string | URL, init?: HttpRequestInit): ResultAsync<Response, BulwarkError> {
    return toResult(this.fetch(input, init));
  }

  json<T = unknown>(input: string | URL, init: HttpRequestInit = {}): Promise<T> {
    return this.#run(input, init, readJson, true) as Promise<T>;
  }

  jsonResult<T = unknown>(input: string | URL, init?: HttpRequestInit): ResultAsync<T, BulwarkError> {
    return toResult(this.json<T>(input, init));
  }

  get<T = unknown>(input: string | URL, init: HttpMethodInit = {}): Promise<T> {
    return this.#withMethod<T>(input, init, 'GET');
  }

  post<T = unknown>(input: string | URL, init: HttpMethodInit = {}): Promise<T> {
    return this.#withMethod<T>(input, init, 'POST');
  }

  put<T = unknown>(input: string | URL, init: HttpMethodInit = {}): Promise<T> {
    return this.#withMethod<T>(input, init, 'PUT');
  }

  patch<T = unknown>(input: string | URL, init: HttpMethodInit = {}): Promise<T> {
    return this.#withMethod<T>(input, init, 'PATCH');
  }

  delete<T = unknown>(input: string | URL, init: HttpMethodInit = {}): Promise<T> {
    return this.#withMethod<T>(input, init, 'DELETE');
  }

  /** `json` with `method` set. A non-object `init` goes as it is, to be refused: spread, `'GET'` would become `{ 0: 'G', … }`. */
  #withMethod<T>(input: string | URL, init: HttpMethodInit, method: string): Promise<T> {
    if (typeof init !== 'object' || init === null) return this.json<T>(input, init as HttpRequestInit);
    return this.json<T>(input, { ...init, method });
  }

  #run<T>(input: string | URL, init: HttpRequestInit, read: Reader<T>, acceptJson: boolean): Promise<T> {
    let request: PreparedRequest;
    let policy: Policy | undefined;
    try {
      request = this.#prepare(input, init, acceptJson);
      policy = this.#policy ?? this.#policySource?.policyFor(request);
    } catch (error) {
      return Promise.reject(error);
    }
    if (policy === undefined) return this.#attempt(request, undefined, read);
    return policy.execute((context) => this.#attempt(request, context, read), request.signal);
  }

  #prepare(input: string | URL, init: HttpRequestInit, acceptJson: boolean): PreparedRequest {
    // `post(url, JSON.stringify(data))`, axios's order: a string here may be a body, so it is not quoted.
    if (typeof init !== 'object' || init === null) {
      throw invalidOption('init', init, 'an options object (a body goes in its `json` or `body`)', { redact: true });
    }
    expectOptions('init', init);
    const { method: rawMethod, headers: rawHeaders, body: rawBody, json, query, signal, idempotencyKey, ...rest } = init;
    if ((rest as { dispatcher?: unknown }).dispatcher !== undefined) {
      throw invalidOption(
        'dispatcher',
        (rest as { dispatcher?: unknown }).dispatcher,
        "undefined: a dispatcher from another undici fails inside Node's fetch; pass that undici's own fetch as the client's `fetch` option",
      );
    }
    for (const name in FOREIGN_REQUEST_OPTIONS) {
      if ((rest as Record<string, unknown>)[name] !== undefined) {
        throw new TypeError(`Unknown option \`${name}\` of a request (fetch would ignore it); did you mean ${FOREIGN_REQUEST_OPTIONS[name]}?`);
      }
    }
    for (const name in RUNTIME_REQUEST_OPTIONS) {
      if ((rest as Record<string, unknown>)[name] === undefined) continue;
      const { runtime, elsewhere } = RUNTIME_REQUEST_OPTIONS[name]!;
      const here = runtimeName();
      if (here !== runtime) {
        throw new TypeError(`Option \`${name}\` of a request is read only by ${runtime}'s fetch; on ${here} fetch would ignore it. Use ${elsewhere}.`);
      }
    }
    expectOptions('options', init, REQUEST_OPTIONS); // names a key only, never its value
    const method = normaliseMethod(rawMethod);
    const url = requestUrl(input, this.#base);
    if (query !== undefined) appendQuery(url, query);
    const headers = new Headers(this.#headers);
    if (rawHeaders !== undefined) {
      checkHeaders('headers', rawHeaders);
      for (const [name, value] of new Headers(rawHeaders)) headers.set(name, value);
    }
    // fetch would send a record or an array as `[object Object]` or `1,2`, without a word.
    if (isDataLiteral(rawBody)) {
      throw invalidOption('body', rawBody, 'a string, bytes, a Blob, FormData, URLSearchParams or a stream (pass an object or an array as `json`)', { redact: true });
    }
    let body = copyBody(rawBody);
    if (json !== undefined) {
      // A body, JSON or not, may carry credentials (a token request's form): never quoted.
      if (rawBody !== undefined && rawBody !== null) throw invalidOption('json', json, 'undefined when `body` is given', { redact: true });
      body = jsonBody(json);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    }
    if (body !== undefined && body !== null && (method === 'GET' || method === 'HEAD')) {
      throw invalidOption('body', body, `undefined for a ${method} request`, { redact: true });
    }
    if (acceptJson && !headers.has('accept')) headers.set('accept', 'application/json');
    if (typeof idempotencyKey === 'string') {
      const fault = idempotencyKey === '' ? 'an empty string' : valueFault(idempotencyKey);
      if (fault !== undefined) {
        throw new TypeError(
          `Expected \`idempotencyKey\` to be a boolean or a header value (a non-empty string ${HEADER_VALUE_RULE}), got ${fault} (its value is not shown).`,
        );
      }
      headers.set('idempotency-key', idempotencyKey);
    } else if (idempotencyKey !== undefined && typeof idempotencyKey !== 'boolean') {
      throw invalidOption('idempotencyKey', idempotencyKey, 'a string or a boolean');
    } else if (!headers.has('idempotency-key')) {
      if (idempotencyKey ?? (this.#idempotencyKeys && !isIdempotentMethod(method))) headers.set('idempotency-key', crypto.randomUUID());
    }
    if (signal !== undefined && signal !== null && !(signal instanceof AbortSignal)) throw invalidOption('signal', signal, 'an AbortSignal');
    const requestInit: RequestInit = { ...rest, method, body: body ?? null };
    if (isStreamBody(body)) (requestInit as { duplex?: string }).duplex = 'half';
    return new PreparedRequest(method, url, headers, requestInit, signal ?? undefined, this.#redactParam);
  }

  async #attempt<T>(request: PreparedRequest, context: ExecuteContext | undefined, read: Reader<T>): Promise<T> {
    const attempt = ++request.attempts;
    if (attempt > 1) request.checkRepeatable();
    try {
      const signal = context === undefined ? request.signal : context.signal;
      // Never send before the latest Retry-After has passed, whatever the policy's own wait was.
      // A loop, because a timer may fire a fraction of a millisecond early against the monotonic clock.
      for (let wait = request.notBefore - this.#clock.monotonic(); wait > 0; wait = request.notBefore - this.#clock.monotonic()) {
        await sleep(Math.ceil(wait), signal === undefined ? { clock: this.#clock } : { clock: this.#clock, signal });
      }
      const { response, credential } = await this.#authorised(request, signal, attempt);
      if (response.status >= 400) throw await this.#failure(request, response, attempt, credential, signal);
      return await read(response, request, signal, attempt);
    } catch (error) {
      request.lastError = error;
      throw error;
    }
  }

  /** Sends the request with its credential; after a 401, once more with a refreshed one. */
  async #authorised(
    request: PreparedRequest,
    signal: AbortSignal | undefined,
    attempt: number,
  ): Promise<{ response: Response; credential: string | undefined }> {
    const auth = this.#auth;
    if (auth === undefined) return { response: await this.#exchange(request, signal, attempt, undefined), credential: undefined };
    const context: HttpAuthContext = { method: request.method, url: request.url, attempt, signal };
    const first = await auth.get(context);
    let credential = revealCredential(first);
    let response = await this.#exchange(request, signal, attempt, withHeader(request.headers, auth.header, credential));
    // A 401 means the server did not act on the request: sending it again is safe for any method.
    if (response.status === 401 && auth.refresh !== undefined && !request.refreshed && request.replayable) {
      request.refreshed = true;
      const next = await auth.refresh(first, context);
      if (this.#onAuthRefresh.hasListeners) {
        this.#onAuthRefresh.emit({ name: this.name, method: request.method, url: request.shown, refreshed: next !== undefined });
      }
      if (next !== undefined) {
        discardBody(response);
        credential = revealCredential(next);
        response = await this.#exchange(request, signal, attempt, withHeader(request.headers, auth.header, credential));
      }
    }
    return { response, credential };
  }

  /** One request to the server: the limiter's turn, `fetch`, and the response told to the limiter. */
  async #exchange(request: PreparedRequest, signal: AbortSignal | undefined, attempt: number, headers: Headers | undefined): Promise<Response> {
    const limiter = this.#limiter;
    const key = limiter === undefined ? '' : this.#limiterKey(request.url);
    if (limiter?.acquire !== undefined) await limiter.acquire(key, signal === undefined ? {} : { signal });
    const init: RequestInit = { ...request.init, headers: headers ?? request.headers, signal: signal ?? null };
    const sentBefore = request.sent;
    request.sent = true;
    const started = this.#clock.monotonic();
    let response: Response;
    try {
      response = await this.#fetch(request.href, init);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const failure = new NetworkError(request.method, request.shown, attempt, error);
      // A connection that was never made leaves a buffered request unsent: it may go again, whatever
      // its method. A stream body is spent the moment fetch takes it.
      if (!failure.requestSent && request.replayable) request.sent = sentBefore;
      throw failure;
    }
    request.receivedAt = this.#clock.monotonic();
    if (this.#onResponse.hasListeners) {
      this.#onResponse.emit({
        name: this.name,
        method: request.method,
        url: request.shown,
        status: response.status,
        attempt,
        durationMs: request.receivedAt - started,
      });
    }
    if (limiter !== undefined) await limiter.observe(key, response);
    return response;
  }

  /** The error a response of 400 or more becomes; its server hints also hold back the next attempt. */
  async #failure(
    request: PreparedRequest,
    response: Response,
    attempt: number,
    credential: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<HttpError> {
    // An HTTP-date is measured against the response's own Date (the server's clock, rounded down to
    // the second), so neither clock skew nor rounding makes a wait end early.
    const now = parseHttpDate(response.headers.get('date') ?? '') ?? this.#clock.now();
    const retryAfterMs = parseServerHints(response, { now }).waitMs;
    const problem = scrubCredential(await readErrorBody(response, { clock: this.#clock, signal }), credential);
    // An abort while the body was read is the call's outcome, as it is everywhere else.
    if (signal?.aborted) throw signal.reason;
    if (retryAfterMs !== undefined) request.notBefore = Math.max(request.notBefore, request.receivedAt + retryAfterMs);
    return new HttpError({
      status: response.status,
      statusText: response.statusText,
      method: request.method,
      url: request.shown,
      attempt,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(problem === undefined ? {} : { problem }),
    });
  }
}

/**
 * Creates an HTTP client over `fetch` whose responses are resilience signals: a status of 400 or
 * more rejects with `HttpError` (`status`, `transient`, `retryAfterMs` from `Retry-After` and the
 * rate-limit fields, the problem+json body, the URL with credentials removed), a failed connection
 * with `NetworkError`, so that a retry policy, a breaker and a rate limiter act on them.
 *
 * Every option is optional: with none it is a thin typed `fetch` with JSON helpers. With a `policy`,
 * every attempt is a fresh request built from the same parts (a buffered body sent again, the same
 * `Idempotency-Key`); POST and PATCH are sent again only with an `Idempotency-Key`, a stream body
 * never; no attempt goes out before the latest `Retry-After` has passed.
 *
 * @example
 * ```ts
 * import { pipeline, timeout } from '@bulwark/core';
 * import { retry } from '@bulwark/retry';
 * const api = httpClient({ baseUrl: 'https://api.example.com/v1', policy: pipeline(retry(), timeout(5_000)) });
 * const user = await api.get<{ name: string }>('users/1');
 * ```
 */
export function httpClient(options: HttpClientOptions = {}): HttpClient {
  return new Client(options);
}
