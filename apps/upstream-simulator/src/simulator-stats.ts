/**
 * How an API request ended, as counted: `ok` (200), `4xx` (a bad request: 400, 404, 405, 413, 415),
 * `401` (no key, an unknown key or one rotated out), `429` (over the rate limit), `5xx` (an injected
 * error or the outage's 503), `hang` (held open), `drop` (connection cut mid-answer).
 */
export type Outcome = 'ok' | '4xx' | '401' | '429' | '5xx' | 'hang' | 'drop';

/** Requests counted by outcome, with their total. */
export type OutcomeCounts = { readonly [K in Outcome | 'total']: number };

/** The requests that arrived in one second of the run. */
export type TimelineSecond = OutcomeCounts & {
  /** Seconds from the start of the run: this entry counts arrivals from `second` to `second + 1`. */
  readonly second: number;
};

/** What the simulator received, as served on `GET /_sim/stats`. The `/_sim` endpoints are not counted. */
export interface SimulatorStats {
  /** The profile's name. */
  readonly profile: string;
  readonly seed: number;
  /** When the run started (at start, or at the last reset), as an ISO 8601 timestamp. */
  readonly startedAt: string;
  /** Milliseconds since then. */
  readonly elapsedMs: number;
  /** Every API request, by outcome. A request is counted when it arrives, under the outcome decided for it then. */
  readonly requests: OutcomeCounts;
  /** By the status answered (a hang's and a drop's are not: they may never be sent). */
  readonly byStatus: Readonly<Record<string, number>>;
  /** By the key presented: its id (`key-1`, …, never its value), `none` without one, `unknown` for one never issued. */
  readonly byKey: Readonly<Record<string, OutcomeCounts>>;
  /** Arrivals per second, one entry for every second of the run so far. */
  readonly timeline: readonly TimelineSecond[];
  /** The outage windows that have begun, in milliseconds from the start of the run. */
  readonly outages: readonly { readonly startMs: number; readonly endMs: number }[];
  /** The key rotations so far. */
  readonly rotations: readonly {
    readonly atMs: number;
    /** The new key's id. */
    readonly keyId: string;
    /** The id of the key it replaced. */
    readonly replacedKeyId: string;
    /** Until when the replaced key was still accepted. */
    readonly overlapEndsMs: number;
  }[];
  /** Why the last write of the keys file failed, if it did. */
  readonly keysFileError: string | null;
}
