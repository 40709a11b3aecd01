import { createFakeClock, parseServerHints } from '@bulwark/core';
import { describeNginx, useNginx } from '@bulwark/test-utils';
import { expect, test } from 'vitest';
import { rateLimiter } from '@bulwark/ratelimit';

// A real HTTP server answering 429 with limit_req: an nginx of the test's own (see test-utils).
const FUTURE = 'Fri, 01 Jan 2100 00:00:00 GMT';

// rate=1r/m: the first request of each location passes, the next is refused at once.
const location = (name: string, headers: string) => `
    location = /${name} {
      limit_req zone=${name};
      limit_req_status 429;
      ${headers}
      try_files /ok =404;
    }`;

describeNginx('against nginx limit_req (a real 429)', () => {
  const nginx = useNginx({
    files: { ok: 'ok\n' },
    http: ({ port, root }) => `
  limit_req_zone $server_name zone=bare:64k rate=1r/m;
  limit_req_zone $server_name zone=seconds:64k rate=1r/m;
  limit_req_zone $server_name zone=date:64k rate=1r/m;
  limit_req_zone $server_name zone=ietf:64k rate=1r/m;
  limit_req_zone $server_name zone=legacy:64k rate=1r/m;
  server {
    listen 127.0.0.1:${port};
    server_name bulwark-test;
    root ${root};
    ${location('bare', '')}
    ${location('seconds', 'add_header Retry-After 7 always;')}
    ${location('date', `add_header Retry-After "${FUTURE}" always;`)}
    ${location('ietf', `add_header RateLimit-Policy '"default";q=1;w=60' always; add_header RateLimit '"default";r=0;t=45' always;`)}
    ${location('legacy', 'add_header X-RateLimit-Limit 1 always; add_header X-RateLimit-Remaining 0 always; add_header X-RateLimit-Reset 30 always;')}
  }`,
  });

  /** The first request passes; returns the second, refused one. */
  async function refused(path: string): Promise<Response> {
    const first = await fetch(`${nginx.url}/${path}`);
    await first.arrayBuffer();
    expect(first.status).toBe(200);
    const second = await fetch(`${nginx.url}/${path}`);
    await second.arrayBuffer();
    expect(second.status).toBe(429);
    return second;
  }

  test('a bare 429 backs off exponentially', async () => {
    const response = await refused('bare');
    const limiter = rateLimiter({ limits: { limit: 10, windowMs: 1_000 }, backoff: { baseMs: 250 } });
    expect(await limiter.observe('nginx', response)).toMatchObject({ holdMs: 250, backoff: true });
    expect(await limiter.observe('nginx', response)).toMatchObject({ holdMs: 500, backoff: true });
    expect((await limiter.tryAcquire('nginx')).allowed).toBe(false);
  });

  test('Retry-After in seconds on a 429 holds the key', async () => {
    const response = await refused('seconds');
    const limiter = rateLimiter({ limits: { limit: 10, windowMs: 1_000 } });
    expect(await limiter.observe('nginx', response)).toMatchObject({ holdMs: 7_000, backoff: false });
    const denied = await limiter.tryAcquire('nginx');
    expect(denied.allowed).toBe(false);
    expect(denied.retryAfterMs).toBeGreaterThan(6_000);
  });

  test('Retry-After as a far HTTP-date is clamped', async () => {
    const response = await refused('date');
    expect(response.headers.get('retry-after')).toBe(FUTURE);
    const limiter = rateLimiter({ limits: { limit: 10, windowMs: 1_000 }, maxHintMs: 120_000, clock: createFakeClock({ now: Date.now() }) });
    expect((await limiter.observe('nginx', response)).holdMs).toBe(120_000);
  });

  test('IETF RateLimit fields on a real response', async () => {
    const response = await refused('ietf');
    expect(parseServerHints(response)).toMatchObject({ status: 429, limit: 1, remaining: 0, resetMs: 45_000, waitMs: 45_000, source: 'ratelimit' });
  });

  test('legacy X-RateLimit-* with a delta reset', async () => {
    const response = await refused('legacy');
    const limiter = rateLimiter({ limits: { limit: 10, windowMs: 1_000 } });
    expect(await limiter.observe('nginx', response)).toMatchObject({ holdMs: 30_000, backoff: false });
  });
});
