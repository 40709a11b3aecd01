/** Options of {@link eventually}. */
export interface EventuallyOptions {
  /** How long to keep asking, in real milliseconds. @default 5_000 */
  readonly timeoutMs?: number;
  /** The pause between two asks, in real milliseconds. @default 10 */
  readonly intervalMs?: number;
  /** What is awaited, for the error: "the subscriber heard the invalidation". @default 'the condition' */
  readonly what?: string;
}

/**
 * Asks `check` until it answers true, in real time: for what a test cannot drive with a fake clock
 * (a Redis server, another process, a pub/sub message). Rejects, naming `what`, when `timeoutMs`
 * passes first.
 *
 * @example
 * ```ts
 * await eventually(async () => (await other.get('k')) === undefined, { what: 'the other instance dropped k' });
 * ```
 */
export async function eventually(check: () => boolean | Promise<boolean>, options: EventuallyOptions = {}): Promise<void> {
  const { timeoutMs = 5_000, intervalMs = 10, what = 'the condition' } = options;
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what}: not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
