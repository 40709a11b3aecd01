// A stand-in for the third-party validation API, on a loopback port of the test process: the
// faults a test needs, switched at will (answers, 503s, hangs, a per-window quota with 429s, key
// rotation with the current key written to a file), and counts of what it received.
import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type UpstreamMode = 'ok' | 'fail' | 'hang';

export interface UpstreamStandIn {
  readonly url: string;
  mode: UpstreamMode;
  /** Milliseconds before each answer. */
  latencyMs: number;
  readonly received: { total: number; byStatus: Record<string, number>; traceparents: string[]; maxInWindow: number };
  /** A new key, written to the keys file; the old one is refused after `overlapMs`. */
  rotate(overlapMs?: number): void;
  close(): Promise<void>;
}

const DISPOSABLE = new Set(['mailinator.com', 'yopmail.com']);

export async function startUpstreamStandIn(options: { readonly keysFile: string; readonly quota?: number; readonly windowMs?: number }): Promise<UpstreamStandIn> {
  const windowMs = options.windowMs ?? 1_000;
  let current = `up_${randomBytes(18).toString('base64url')}`;
  let previous: { key: string; until: number } | undefined;
  const writeKey = (): void => {
    writeFileSync(`${options.keysFile}.tmp`, `${current}\n`, { mode: 0o600 });
    renameSync(`${options.keysFile}.tmp`, options.keysFile);
  };
  writeKey();
  const received = { total: 0, byStatus: {} as Record<string, number>, traceparents: [] as string[], maxInWindow: 0 };
  const windows = new Map<number, number>();
  const hung = new Set<ServerResponse>();

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    received.byStatus[status] = (received.byStatus[status] ?? 0) + 1;
    res.writeHead(status, { 'content-type': status < 400 ? 'application/json' : 'application/problem+json', ...headers });
    res.end(JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    received.total++;
    if (typeof req.headers.traceparent === 'string') received.traceparents.push(req.headers.traceparent);
    const presented = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const accepted = presented === current || (previous !== undefined && presented === previous.key && Date.now() < previous.until);
    if (!accepted) return send(res, 401, { title: 'Unauthorized' }, { 'www-authenticate': 'Bearer' });
    if (options.quota !== undefined) {
      const window = Math.floor(Date.now() / windowMs);
      const used = (windows.get(window) ?? 0) + 1;
      windows.set(window, used);
      if (used > options.quota) {
        const resetS = Math.max(1, Math.ceil(((window + 1) * windowMs - Date.now()) / 1000));
        return send(res, 429, { title: 'Too Many Requests' }, { 'retry-after': String(resetS), ratelimit: `"default";r=0;t=${resetS}` });
      }
      received.maxInWindow = Math.max(received.maxInWindow, used);
    }
    if (stand.mode === 'hang') {
      hung.add(res);
      return;
    }
    if (stand.mode === 'fail') return send(res, 503, { title: 'Service Unavailable' }, { 'retry-after': '1' });
    const email = String((JSON.parse(body) as { email?: unknown }).email);
    const domain = email.includes('@') ? email.slice(email.lastIndexOf('@') + 1).toLowerCase() : null;
    const disposable = domain !== null && DISPOSABLE.has(domain);
    const valid = domain !== null && !disposable && !domain.endsWith('.invalid');
    send(res, 200, { valid, reason: domain === null ? 'syntax' : disposable ? 'disposable' : valid ? 'accepted' : 'no_mail_server', disposable, domain });
  };

  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      if (stand.latencyMs > 0) setTimeout(() => handle(req, res, body), stand.latencyMs);
      else handle(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  const stand: UpstreamStandIn = {
    url: `http://127.0.0.1:${port}`,
    mode: 'ok',
    latencyMs: 0,
    received,
    rotate(overlapMs = 0) {
      previous = { key: current, until: Date.now() + overlapMs };
      current = `up_${randomBytes(18).toString('base64url')}`;
      writeKey();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return stand;
}
