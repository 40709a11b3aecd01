export { createHttpClient } from './http-client.js';
export type {
  FetchFunction,
  HttpAuthRefreshEvent,
  HttpClient,
  HttpClientOptions,
  HttpMethodInit,
  HttpRequestInit,
  HttpResponseEvent,
  QueryParams,
} from './http-client.js';
export type { HttpAuth, HttpAuthContext, HttpAuthFunction, HttpAuthSource, HttpCredential } from './http-auth.js';
export { secretAuth } from './secret-auth.js';
export type { RevealableSecret, SecretAuthOptions, SecretSource } from './secret-auth.js';
export type { HttpLimiter } from './http-limiter.js';
export type { HttpPolicySource, HttpRequestInfo } from './http-request-info.js';
export type { ProblemDetails } from './problem-details.js';

export { HttpError, isHttpError } from './http-error.js';
export type { HttpErrorOptions } from './http-error.js';
export { NetworkError, isNetworkError } from './network-error.js';
export { RequestNotReplayableError, isRequestNotReplayableError } from './request-not-replayable-error.js';
export type { NotReplayableReason } from './request-not-replayable-error.js';
export { InvalidJsonError, isInvalidJsonError } from './invalid-json-error.js';

export { isTransientStatus } from './is-transient-status.js';
export { isSensitiveParam, redactUrl } from './redact-url.js';
