import { BulwarkError, errorGuard } from './bulwark-error.js';
import { expectInteger } from './validate.js';

/** A bulkhead had no free slot and no room left in its queue (see `bulkhead`). Transient. */
export class BulkheadFullError extends BulwarkError {
  readonly code = 'BULKHEAD_FULL' as const;
  /** The bulkhead's concurrency limit. */
  readonly limit: number;
  /** The bulkhead's queue size. */
  readonly queue: number;

  constructor(limit: number, queue: number) {
    expectInteger('limit', limit, { min: 1 });
    expectInteger('queue', queue, { min: 0 });
    super(`The bulkhead is full: ${limit} calls running and ${queue} queued.`, { transient: true });
    this.limit = limit;
    this.queue = queue;
  }
}

/** True when `value` is a {@link BulkheadFullError}. */
export const isBulkheadFullError = errorGuard<BulkheadFullError>('BULKHEAD_FULL');
