import { BulwarkError, errorGuard } from '@bulwark/core';

/**
 * Raised by {@link renderPrometheus} when the collection reported errors (an observable callback
 * threw, say). `exposition` still holds what was collected, for a caller who prefers to serve it.
 */
export class MetricsCollectionFailedError extends BulwarkError {
  readonly code = 'METRICS_COLLECTION_FAILED' as const;
  /** The exposition of everything that was collected. */
  readonly exposition: string;
  /** The errors the collection reported. */
  readonly errors: readonly unknown[];

  constructor(errors: readonly unknown[], exposition: string) {
    super(`Collecting metrics reported ${errors.length} error(s); the first: ${describe(errors[0])}`, {
      cause: errors[0],
      transient: true,
    });
    this.errors = errors;
    this.exposition = exposition;
  }

  override toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, errors: this.errors.length };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** True for a {@link MetricsCollectionFailedError}. */
export const isMetricsCollectionFailedError = errorGuard<MetricsCollectionFailedError>('METRICS_COLLECTION_FAILED');
