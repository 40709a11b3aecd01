/** The problem types the gateway answers with: a stable slug each, its status and title. */
export const PROBLEM_TYPES = Object.freeze({
  'invalid-json': { status: 400, title: 'The body is not valid JSON', about: 'The request body could not be parsed as JSON. Nothing of it is echoed back.' },
  'invalid-request': {
    status: 400,
    title: 'The body does not have the expected shape',
    about: 'A field is missing, has the wrong type, or is not allowed. `errors` names each field by JSON pointer and says what was expected; values are never echoed.',
  },
  'batch-too-large': { status: 400, title: 'Too many addresses in one batch', about: 'POST /v1/validate/emails takes at most `maxBatch` addresses; split the batch.' },
  'body-too-large': { status: 413, title: 'The body is larger than the limit', about: 'The request body is over `limitBytes`.' },
  'unsupported-media-type': { status: 415, title: 'Send the body as application/json', about: 'The gateway reads JSON bodies only.' },
  unauthenticated: { status: 401, title: 'An API key is required', about: 'Send a valid key: `Authorization: Bearer <key>`, or `X-Api-Key: <key>`.' },
  forbidden: { status: 403, title: 'The API key lacks the scope this route needs', about: 'Validation needs the `validate` scope; admin routes the `admin` scope.' },
  'rate-limited': {
    status: 429,
    title: 'Too many requests for this API key',
    about: 'The key is over its rate limit. Wait for `Retry-After` seconds; the `RateLimit` and `RateLimit-Policy` fields say the quota.',
  },
  'not-found': { status: 404, title: 'No such route', about: 'See the README for the routes.' },
  'method-not-allowed': { status: 405, title: 'This route does not take that method', about: 'The `Allow` header lists the methods it takes.' },
  internal: { status: 500, title: 'The gateway failed', about: 'A defect of the gateway. The request id finds its log lines.' },
} satisfies Record<string, { status: number; title: string; about: string }>);

/** The slug of a problem type. */
export type ProblemType = keyof typeof PROBLEM_TYPES;

/** The `type` URI of a problem: a path of the gateway, which serves its description. */
const problemTypeUri = (type: ProblemType): string => `/problems/${type}`;

/**
 * A failure the HTTP layer answers as RFC 9457 `application/problem+json`. `detail` and `extra`
 * are written by the gateway itself and never quote the request.
 */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly type: ProblemType;
  readonly detail: string;
  readonly extra: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(type: ProblemType, detail: string, options: { readonly extra?: Record<string, unknown>; readonly headers?: Record<string, string> } = {}) {
    super(detail);
    this.type = type;
    this.detail = detail;
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return PROBLEM_TYPES[this.type].status;
  }

  /** The problem document, with the request id. */
  body(requestId: string): Record<string, unknown> {
    const { status, title } = PROBLEM_TYPES[this.type];
    return { type: problemTypeUri(this.type), title, status, detail: this.detail, requestId, ...this.extra };
  }
}

/** The media type of a problem document. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
