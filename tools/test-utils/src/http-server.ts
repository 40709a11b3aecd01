import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';

/** A request as the loopback server received it. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The body, as UTF-8 text. */
  readonly body: string;
  /** Its 0-based index among the requests since the last `reset()`. */
  readonly index: number;
}

/**
 * How the server answers one request. `body` is sent as it is when a string, as JSON otherwise;
 * `destroy: true` resets the connection instead of answering (a network failure for the client).
 */
export interface Reply {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: unknown;
  readonly destroy?: boolean;
  /** Send node:http's automatic `Date` header (unless `headers` has one). @default true */
  readonly sendDate?: boolean;
}

/** Answers a request; may wait (on a `deferred()`, say) before it does. */
export type ReplyHandler = (request: ReceivedRequest) => Reply | Promise<Reply>;

/** A node:http server on a free loopback port that records every request and answers from a handler. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Every request since the last `reset()`, in arrival order. */
  readonly requests: readonly ReceivedRequest[];
  /** Replaces the handler. */
  reply(handler: ReplyHandler): void;
  /** Forgets the requests and goes back to the first handler. */
  reset(): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.destroy === true) {
    res.socket?.destroy();
    return;
  }
  res.sendDate = reply.sendDate ?? true;
  const headers: Record<string, string | readonly string[]> = { ...reply.headers };
  let body: string | undefined;
  if (reply.body !== undefined) {
    body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    if (typeof reply.body !== 'string' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
  }
  res.writeHead(reply.status ?? 200, headers as Record<string, string | string[]>);
  res.end(body);
}

/**
 * Starts a real HTTP server on `127.0.0.1` and a free port, answering every request with
 * `handler` (by default a 200 with `{ "ok": true }`). Close it in `afterAll`, or use
 * {@link useLoopbackServer}.
 */
export async function startLoopbackServer(handler: ReplyHandler = () => ({ body: { ok: true } })): Promise<LoopbackServer> {
  const first = handler;
  let current = handler;
  let requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        index: requests.length,
      };
      requests.push(received);
      Promise.resolve()
        .then(() => current(received))
        .then(
          (reply) => send(res, reply),
          (error: unknown) => send(res, { status: 500, body: { error: String(error) } }),
        );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requests() {
      return requests;
    },
    reply(next) {
      current = next;
    },
    reset() {
      requests = [];
      current = first;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A {@link LoopbackServer} for the enclosing suite: started once, `reset()` before each test, closed
 * after the suite. Read its properties inside tests (it is started in `beforeAll`).
 */
export function useLoopbackServer(handler?: ReplyHandler): LoopbackServer {
  let server: LoopbackServer | undefined;
  const live = (): LoopbackServer => {
    if (server === undefined) throw new Error('The loopback server is used outside its suite, or before it started.');
    return server;
  };
  beforeAll(async () => {
    server = await startLoopbackServer(handler);
  });
  beforeEach(() => live().reset());
  afterAll(async () => {
    await server?.close();
  });
  return {
    get url() {
      return live().url;
    },
    get port() {
      return live().port;
    },
    get requests() {
      return live().requests;
    },
    reply: (next) => live().reply(next),
    reset: () => live().reset(),
    close: () => live().close(),
  };
}
