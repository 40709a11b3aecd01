import { mergeSignals, timeoutSignal, type Clock } from '@bulwark/core';
import type { ProblemDetails } from '../problem-details.js';

/** Error bodies are read up to this size; a larger one is cancelled unread. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/**
 * Error bodies are read for at most this long after the headers; a body still coming is cancelled.
 * A server's problem details arrive with its headers; a body that stalls must not hold the error back.
 */
const MAX_ERROR_BODY_MS = 1_000;
const PROBLEM_JSON = /^application\/problem\+json\s*(?:;|$)/i;

/**
 * Lets go of a body nobody will read, without waiting: cancelling closes the connection, and a
 * stream whose `cancel` never settles must not hold up the call.
 */
export function discardBody(response: Response): void {
  if (response.body === null || response.bodyUsed) return;
  response.body.cancel().catch(() => {});
}

/** Resolves with `undefined` when `signal` aborts. */
function whenAborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(undefined);
    else signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
}

/**
 * The body as text if it ends within `max` bytes before `stop` aborts, else `undefined`, the rest
 * cancelled without waiting. Never rejects.
 */
async function readCapped(body: ReadableStream<Uint8Array>, max: number, stop: AbortSignal): Promise<string | undefined> {
  const reader = body.getReader();
  const stopped = whenAborted(stop);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const chunk = await Promise.race([reader.read(), stopped]);
      if (chunk === undefined) break; // out of time (or aborted): the rest is cancelled below
      if (chunk.done) {
        const bytes = new Uint8Array(size);
        let offset = 0;
        for (const part of chunks) {
          bytes.set(part, offset);
          offset += part.byteLength;
        }
        return new TextDecoder().decode(bytes);
      }
      size += chunk.value.byteLength;
      if (size > max) break;
      chunks.push(chunk.value);
    }
  } catch {
    // The body failed mid-way: nothing to read, nothing left to free.
    return undefined;
  }
  reader.cancel().catch(() => {});
  return undefined;
}

/** Bounds on reading an error body. */
interface ErrorBodyLimits {
  readonly clock: Clock;
  /** The attempt's signal: an abort stops the reading at once. */
  readonly signal: AbortSignal | undefined;
}

/**
 * Reads what an error response's body says, and frees its connection: the RFC 9457 problem details
 * of an `application/problem+json` body (a JSON object of at most 64 KiB), else `undefined`. Other
 * bodies are drained (up to the same size, so the connection can be reused) and dropped: they may
 * quote the request, credentials included. A body that is not whole within
 * {@link MAX_ERROR_BODY_MS} of the headers, or when the attempt's signal aborts, is cancelled and
 * counts as none: the error never waits on a server that stalls.
 */
export async function readErrorBody(response: Response, { clock, signal }: ErrorBodyLimits): Promise<ProblemDetails | undefined> {
  const body = response.body;
  if (body === null) return undefined;
  const deadline = timeoutSignal(MAX_ERROR_BODY_MS, { clock });
  const stop = mergeSignals(deadline.signal, signal);
  let text: string | undefined;
  try {
    text = await readCapped(body, MAX_ERROR_BODY_BYTES, stop.signal);
  } finally {
    stop.dispose();
    deadline.dispose();
  }
  if (text === undefined || !PROBLEM_JSON.test(response.headers.get('content-type') ?? '')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as ProblemDetails) : undefined;
  } catch {
    return undefined;
  }
}
