import { invalidOption } from '@bulwark/core';
import type { HttpRequestInfo } from '../http-request-info.js';
import { RequestNotReplayableError } from '../request-not-replayable-error.js';
import { redactUrl } from '../redact-url.js';

/** RFC 9110 §9.2.2: repeating one of these has the same effect as sending it once. */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
/** Methods written upper-case whatever the caller wrote (fetch leaves `patch` as it is; servers refuse it). */
const KNOWN_METHODS: ReadonlySet<string> = new Set([...IDEMPOTENT_METHODS, 'POST', 'PATCH']);
/** An RFC 9110 token: what a method or a header name may be made of. */
export const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Whether repeating a request with this method has the effect of sending it once (RFC 9110). */
export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method);
}

/** The request method, checked, with the standard ones upper-cased. */
export function normaliseMethod(value: unknown): string {
  if (value === undefined) return 'GET';
  if (typeof value !== 'string' || !HTTP_TOKEN.test(value)) throw invalidOption('method', value, 'an HTTP method such as "GET" or "POST"');
  const upper = value.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : value;
}

/** A body that can be read only once: a `ReadableStream`, a Node stream or any async iterable. */
export function isStreamBody(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) return true;
  return typeof (body as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

/** A private copy of a byte body, so that the bytes sent again are the bytes the caller gave. */
export function copyBody(body: RequestInit['body']): RequestInit['body'] {
  if (body instanceof ArrayBuffer) return new Uint8Array(body.slice(0));
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
  return body;
}

/** Everything about one logical request that every attempt of it shares. */
export class PreparedRequest implements HttpRequestInfo {
  readonly method: string;
  readonly url: URL;
  readonly href: string;
  readonly origin: string;
  readonly headers: Headers;
  readonly idempotent: boolean;
  readonly replayable: boolean;
  /** The caller's signal, for a call that runs without a policy. */
  readonly signal: AbortSignal | undefined;
  /** The `RequestInit` of every attempt, but for `headers` and `signal`. */
  readonly init: RequestInit;
  readonly #redactParam: (name: string) => boolean;
  #shown: string | undefined = undefined;

  /** Attempts started. */
  attempts = 0;
  /** Whether an attempt has handed the request to `fetch` (so the server may have acted on it). */
  sent = false;
  /** The latest attempt's failure. */
  lastError: unknown = undefined;
  /** No attempt may be sent before this monotonic time: the end of the latest `Retry-After`. */
  notBefore = 0;
  /** When the latest response arrived, in monotonic time. */
  receivedAt = 0;
  /** Whether the one refresh after a 401 has been spent. */
  refreshed = false;

  constructor(
    method: string,
    url: URL,
    headers: Headers,
    init: RequestInit,
    signal: AbortSignal | undefined,
    redactParam: (name: string) => boolean,
  ) {
    this.method = method;
    this.url = url;
    this.href = url.href;
    this.origin = url.origin;
    this.headers = headers;
    this.init = init;
    this.signal = signal;
    this.replayable = !isStreamBody(init.body);
    this.idempotent = isIdempotentMethod(method) || headers.has('idempotency-key');
    this.#redactParam = redactParam;
  }

  /** The URL as errors and events show it. */
  get shown(): string {
    return (this.#shown ??= redactUrl(this.url, this.#redactParam));
  }

  /** Throws when another attempt must not be sent: the request reached the server and cannot be repeated. */
  checkRepeatable(): void {
    if (!this.sent) return;
    if (!this.replayable) throw new RequestNotReplayableError(this.method, this.shown, 'stream-body', this.lastError);
    if (!this.idempotent) throw new RequestNotReplayableError(this.method, this.shown, 'not-idempotent', this.lastError);
  }
}
