/**
 * A credential as `auth` hands it over: the header value itself (`'Bearer abc'`), or an object that
 * gives it up only through `reveal()` (a `Secret` of `@bulwark/secrets`), revealed at the moment the
 * header is set and never kept.
 */
export type HttpCredential = string | { reveal(): string };

/** What `auth` is told for each attempt. */
export interface HttpAuthContext {
  /** The request's method. */
  readonly method: string;
  /** The request's URL (not redacted: it is your own code that reads it). */
  readonly url: URL;
  /** The attempt number, from 1. */
  readonly attempt: number;
  /** The attempt's signal, when it has one: stop a slow credential fetch with it. */
  readonly signal: AbortSignal | undefined;
}

/** The function form of `auth`: the header value for one attempt. It has no refresh. */
export type HttpAuthFunction = (context: HttpAuthContext) => HttpCredential | PromiseLike<HttpCredential>;

/**
 * The object form of `auth`: a source of credentials, asked before each attempt, and asked once to
 * `refresh` when the server answers 401.
 *
 * {@link secretAuth} builds one from a `@bulwark/secrets` manager.
 */
export interface HttpAuthSource<C extends HttpCredential = HttpCredential> {
  /** The header the credential goes in. @default 'authorization' */
  readonly header?: string;
  /** The credential for this attempt. Asked every attempt, so a rotated key is picked up at once. */
  get(context: HttpAuthContext): C | PromiseLike<C>;
  /**
   * The server refused `refused` with a 401: another credential to try once, or `undefined` when
   * there is none (then the 401 reaches the caller as an `HttpError`). Called at most once per request.
   */
  refresh?(refused: C, context: HttpAuthContext): C | undefined | PromiseLike<C | undefined>;
}

/** The `auth` option: a function returning the header value, or an {@link HttpAuthSource}. */
export type HttpAuth = HttpAuthFunction | HttpAuthSource;
