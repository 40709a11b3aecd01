import type { AbortSource } from '@bulwark/core';
import type { IBackoff, IRetryBackoffContext } from 'cockatiel';

/** What one `execute` has been through, once it needs more than one attempt. */
export class RunState {
  attempts = 0;
  readonly errors: unknown[] = [];
  previousDelayMs = 0;
  cockatiel: IBackoff<IRetryBackoffContext<unknown>> | undefined = undefined;
  readonly start: number;
  readonly signal: AbortSource | undefined;
  constructor(start: number, signal: AbortSource | undefined) {
    this.start = start;
    this.signal = signal;
  }
}
