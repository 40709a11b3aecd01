export { standard } from './standard.js';
export type {
  BreakerSource,
  StandardBreakerOptions,
  StandardBulkheadOptions,
  StandardOptions,
  StandardPolicy,
  StandardRetryOptions,
} from './standard.js';
