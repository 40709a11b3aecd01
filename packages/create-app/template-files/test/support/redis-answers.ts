// Before the Redis tests start two instances: is a Redis answering at REDIS_URL? The service falls
// back to memory while Redis is away (by design), so without this check a Redis that is down shows
// up as assertions about the cache and the rate limit rather than as the cause.
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

/** `url` as it may be shown: its password (and user name) replaced by `***`. */
export function shownRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    if (parsed.username !== '') parsed.username = '***';
    return parsed.href;
  } catch {
    return '(not a URL)';
  }
}

/**
 * Resolves when a Redis server answers `PING` at `url` within `timeoutMs` (an answer asking for a
 * password counts: a server is there). Otherwise rejects with an error naming `REDIS_URL` (without its
 * password), what happened and what to do.
 */
export async function assertRedisAnswers(url: string, timeoutMs = 2_000): Promise<void> {
  const fail = (what: string): Error =>
    new Error(`Expected a Redis server at \`REDIS_URL\` ${shownRedisUrl(url)}, but ${what}. Start Redis there (e.g. \`redis-server\`), or unset REDIS_URL to skip these tests.`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw fail('it is not a URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw fail(`its scheme is ${parsed.protocol} (expected redis: or rediss:)`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(parsed.port || 6379);
  await new Promise<void>((resolve, reject) => {
    const socket: Socket =
      parsed.protocol === 'rediss:' ? connectTls({ host, port, servername: host }, () => socket.write('PING\r\n')) : connect({ host, port }, () => socket.write('PING\r\n'));
    const done = (error?: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (error === undefined) resolve();
      else reject(error);
    };
    const timer = setTimeout(() => done(fail(`nothing answered within ${timeoutMs} ms`)), timeoutMs);
    socket.once('data', (chunk: Buffer) => {
      const reply = chunk.toString('utf8');
      done(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH') ? undefined : fail(`the server there did not answer PING like Redis (${JSON.stringify(reply.slice(0, 40).trim())})`));
    });
    socket.once('error', (error: NodeJS.ErrnoException) => done(fail(`connecting failed (${error.code ?? error.name})`)));
  });
}
