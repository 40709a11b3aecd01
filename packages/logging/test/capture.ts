import { setImmediate as turn } from 'node:timers/promises';

/** A destination that keeps every line written to it; `lines()` parses each one as JSON. */
export function capture() {
  const chunks: string[] = [];
  const destination = { write: (chunk: string) => void chunks.push(chunk) };
  const text = async (): Promise<string> => {
    // winston hands lines to its transports through object streams: let them drain.
    await turn();
    await turn();
    return chunks.join('');
  };
  return {
    destination,
    text,
    /** Every line parsed as JSON (a line that is not JSON fails the test). */
    async lines(): Promise<Array<Record<string, unknown>>> {
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
