import type { ProblemDetails } from '../problem-details.js';

/** Error bodies are read up to this size; a larger one is cancelled unread. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const PROBLEM_JSON = /^application\/problem\+json\s*(?:;|$)/i;

/** The body as text if it ends within `max` bytes, else `undefined` (the rest cancelled). Never rejects. */
async function readCapped(body: ReadableStream<Uint8Array>, max: number): Promise<string | undefined> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => {});
        return undefined;
      }
      chunks.push(value);
    }
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/**
 * Reads what an error response's body says, and frees its connection: the RFC 9457 problem details
 * of an `application/problem+json` body (a JSON object of at most 64 KiB), else `undefined`. Other
 * bodies are drained (up to the same size, so the connection can be reused) and dropped: they may
 * quote the request, credentials included.
 */
export async function readErrorBody(response: Response): Promise<ProblemDetails | undefined> {
  const body = response.body;
  if (body === null) return undefined;
  const text = await readCapped(body, MAX_ERROR_BODY_BYTES);
  if (text === undefined || !PROBLEM_JSON.test(response.headers.get('content-type') ?? '')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as ProblemDetails) : undefined;
  } catch {
    return undefined;
  }
}
