import { STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';

export type Headers = Record<string, string>;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** An RFC 9457 problem: `type` defaults to `about:blank`, whose title is the status's reason phrase. */
export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly detail: string;
  readonly [extension: string]: unknown;
}

export function sendProblem(res: ServerResponse, status: number, problem: Problem, headers: Headers = {}): void {
  const { type = 'about:blank', title = STATUS_CODES[status] ?? 'Error', ...rest } = problem;
  const text = JSON.stringify({ type, title, status, ...rest });
  res.writeHead(status, { ...headers, 'Content-Type': 'application/problem+json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The API key a request presents: `Authorization: Bearer <key>`, else `X-Api-Key`. */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(headers.authorization ?? '');
  if (bearer !== null) return bearer[1];
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey !== '' ? apiKey : undefined;
}

export type BodyResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly status: 400 | 413 | 415; readonly detail: string };

/** Reads a JSON body of at most `limit` bytes. Never rejects; a client that goes away leaves it pending. */
export function readJson(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !type.endsWith('+json')) {
    req.resume();
    return Promise.resolve({ ok: false, status: 415, detail: 'Send the body as application/json.' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve({ ok: false, status: 413, detail: `The body is larger than ${limit} bytes.` });
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > limit) return;
      try {
        resolve({ ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      } catch {
        resolve({ ok: false, status: 400, detail: 'The body is not valid JSON.' });
      }
    });
  });
}
