export { retry } from './retry.js';
export type {
  CockatielBackoff,
  GiveUpEvent,
  GiveUpReason,
  HedgeEvent,
  HedgeOptions,
  RetryEvent,
  RetryOptions,
  RetryPolicy,
  ShouldRetryContext,
  SuccessEvent,
} from './retry.js';
export type { Backoff, BackoffContext } from './backoff.js';
export { exponentialBackoff } from './exponential-backoff.js';
export type { ExponentialBackoffOptions } from './exponential-backoff.js';
export { decorrelatedJitterBackoff } from './decorrelated-jitter-backoff.js';
export type { DecorrelatedJitterBackoffOptions } from './decorrelated-jitter-backoff.js';
export { constantBackoff } from './constant-backoff.js';
export { retryBudget } from './retry-budget.js';
export type { RetryBudget, RetryBudgetOptions } from './retry-budget.js';
export { isRetryableError } from './is-retryable-error.js';
export { requestMayHaveBeenSent } from './request-may-have-been-sent.js';
export { RetriesExhaustedError, isRetriesExhaustedError } from './retries-exhausted-error.js';
export type { ExhaustedReason, RetriesExhaustedErrorOptions } from './retries-exhausted-error.js';
export { RetryBudgetExhaustedError, isRetryBudgetExhaustedError } from './retry-budget-exhausted-error.js';
