// Open-loop load: at a fixed rate, the next address of the stream goes to every client at the same
// moment, whether or not earlier requests have been answered (as users arrive, not as a benchmark
// waits). Each request is given the caller's patience, `clientTimeoutMs`.
import type { Client, Outcome } from './clients.js';

/** One request: when it started (ms since the start of the run), how long it took, what it came to. */
export interface RequestRecord extends Outcome {
  readonly startMs: number;
  readonly latencyMs: number;
}

export interface DriveOptions {
  readonly clients: Readonly<Record<string, Client>>;
  readonly next: () => string;
  readonly ratePerSecond: number;
  readonly durationMs: number;
  readonly clientTimeoutMs: number;
  /** Aborts the run: requests in flight are abandoned at once. */
  readonly signal: AbortSignal;
}

export interface Drive {
  /** Every finished request per client, in the order they finished. */
  readonly records: Readonly<Record<string, RequestRecord[]>>;
  inFlight(): number;
  /** Resolves when the last request has finished (or the run was aborted). */
  readonly done: Promise<void>;
  /** `performance.now()` at the start of the run. */
  readonly startedAt: number;
}

export function drive(options: DriveOptions): Drive {
  const names = Object.keys(options.clients);
  const records: Record<string, RequestRecord[]> = Object.fromEntries(names.map((name) => [name, []]));
  const startedAt = performance.now();
  let sent = 0;
  let pending = 0;
  let finishedSending = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const settleIfDone = () => {
    if ((finishedSending && pending === 0) || options.signal.aborted) resolveDone();
  };

  const send = (email: string) => {
    const startMs = performance.now() - startedAt;
    const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.clientTimeoutMs)]);
    for (const name of names) {
      pending++;
      const began = performance.now();
      void options.clients[name]!(email, signal).then((outcome) => {
        pending--;
        if (!options.signal.aborted) records[name]!.push({ ...outcome, startMs, latencyMs: performance.now() - began });
        settleIfDone();
      });
    }
  };

  const total = Math.round((options.durationMs / 1000) * options.ratePerSecond);
  // A timer every 10 ms sends what is due: the count stays exact however the timer drifts.
  const timer = setInterval(() => {
    if (options.signal.aborted) return stopSending();
    const due = Math.min(total, Math.floor(((performance.now() - startedAt) / 1000) * options.ratePerSecond) + 1);
    while (sent < due) {
      sent++;
      send(options.next());
    }
    if (sent >= total) stopSending();
  }, 10);
  function stopSending() {
    clearInterval(timer);
    finishedSending = true;
    settleIfDone();
  }
  options.signal.addEventListener('abort', stopSending, { once: true });

  return { records, inFlight: () => pending, done, startedAt };
}
