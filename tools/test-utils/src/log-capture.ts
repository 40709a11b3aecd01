import { setImmediate as turn } from 'node:timers/promises';

/** What {@link captureLog} returns. */
export interface LogCapture {
  /** The logger's `destination`: keeps every chunk written to it. */
  readonly destination: { write(chunk: string): void };
  /** Every chunk written so far, as written. */
  readonly written: readonly string[];
  /** Everything written, once the logger's streams have drained. */
  text(): Promise<string>;
  /** Every line, once the streams have drained, parsed as JSON (a line that is not JSON fails the test). */
  lines(): Promise<Array<Record<string, unknown>>>;
}

/**
 * A log destination in memory, for tests of what a logger writes: pass `destination` to
 * `createLogger` of `@bulwark/logging`, then read `lines()` (or `text()` for a pretty format).
 *
 * @example
 * ```ts
 * const log = captureLog();
 * const logger = createLogger({ service: 'gateway', destination: log.destination });
 * logger.info('up');
 * expect(await log.lines()).toEqual([expect.objectContaining({ message: 'up' })]);
 * ```
 */
export function captureLog(): LogCapture {
  const written: string[] = [];
  const text = async (): Promise<string> => {
    // winston hands lines to its transports through object streams: let them drain.
    await turn();
    await turn();
    return written.join('');
  };
  return {
    destination: { write: (chunk: string) => void written.push(chunk) },
    written,
    text,
    async lines() {
      const all = await text();
      if (all === '') return [];
      if (!all.endsWith('\n')) throw new Error(`output does not end with a newline: ${JSON.stringify(all.slice(-80))}`);
      return all
        .slice(0, -1)
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
  };
}
