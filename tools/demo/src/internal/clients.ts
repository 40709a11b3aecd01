// The two ways of asking: through the gateway, and straight at the upstream with plain `fetch` and
// nothing else (no retry, no cache, no rate limit, the key read once at start as from a config file).

/** What one request came to. */
export interface Outcome {
  /** An answer with a verdict (HTTP 200 and `valid` a boolean). */
  readonly ok: boolean;
  /** The HTTP status, or `timeout` (the caller gave up) or `error` (the connection failed). */
  readonly status: number | 'timeout' | 'error';
  /** The gateway's `source` (`upstream`, `cache`, `stale`, `offline`); `upstream` for the naive client. */
  readonly source: string | undefined;
}

export type Client = (email: string, signal: AbortSignal) => Promise<Outcome>;

async function ask(url: string, key: string, email: string, signal: AbortSignal): Promise<Outcome> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
      signal,
    });
    text = await response.text();
  } catch (error) {
    return { ok: false, status: signal.aborted || (error as Error).name === 'TimeoutError' ? 'timeout' : 'error', source: undefined };
  }
  if (response.status !== 200) return { ok: false, status: response.status, source: undefined };
  try {
    const body = JSON.parse(text) as { valid?: unknown; source?: unknown };
    if (typeof body.valid !== 'boolean') return { ok: false, status: 'error', source: undefined };
    return { ok: true, status: 200, source: typeof body.source === 'string' ? body.source : 'upstream' };
  } catch {
    return { ok: false, status: 'error', source: undefined };
  }
}

/** Calls the gateway instances in turn with the demo's caller key. */
export function gatewayClient(urls: readonly string[], callerKey: string): Client {
  let next = 0;
  return (email, signal) => ask(`${urls[next++ % urls.length]}/v1/validate/email`, callerKey, email, signal);
}

/** Calls the upstream directly with the key it was given once. */
export function naiveClient(upstreamUrl: string, apiKey: string): Client {
  return (email, signal) => ask(`${upstreamUrl}/v1/validate/email`, apiKey, email, signal);
}
