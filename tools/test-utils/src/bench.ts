/**
 * The shape of a benchmark file: `packages/<name>/bench/<topic>.bench.ts` default-exports an array
 * of suites (or a function returning one, possibly async, for set-up such as connecting to Redis).
 * `npm run bench` runs every file in a process of its own and writes `bench/results/latest.json`;
 * with `--runs N`, N times, each case then reported as the median of the runs and its spread.
 */
export interface BenchCase {
  /** What is measured, such as `@bulwark/core timeout` or `cockatiel timeout`. */
  readonly name: string;
  /** `null` for our own case (exactly one per suite); otherwise the library measured, or `baseline`. */
  readonly peer: string | null;
  /** One iteration. Runs `batch` operations, so that sub-microsecond operations are measurable. */
  readonly fn?: () => unknown;
  /**
   * Instead of `fn`: a case that measures itself once per round (a load generator driving a server)
   * and returns its figures, per operation.
   */
  readonly measure?: (context: { readonly round: number }) => Promise<{ readonly meanNs: number; readonly p99Ns: number }>;
  /** Operations per call of `fn`. @default 1 */
  readonly batch?: number;
}

/** Cases that do the same work, so that ours reads as a ratio against each of the others. */
export interface BenchSuite {
  readonly suite: string;
  readonly cases: readonly BenchCase[];
  /** Runs after the suite, to close connections. */
  readonly teardown?: () => unknown;
}

/** What a bench file default-exports. */
export type BenchFile = readonly BenchSuite[] | (() => readonly BenchSuite[] | Promise<readonly BenchSuite[]>);
