import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeClock, parseServerHints } from '@bulwark/core';
import { freePort } from '@bulwark/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rateLimiter } from '@bulwark/ratelimit';

// A real HTTP server answering 429 with limit_req: an nginx of the test's own, on a free loopback
// port, with a temporary config, stopped by its pid. Debian: apt-get install nginx-light.
const NGINX = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'].find((p) => existsSync(p)) ??
  (spawnSync('nginx', ['-v']).status === 0 ? 'nginx' : undefined);

const FUTURE = 'Fri, 01 Jan 2100 00:00:00 GMT';

if (NGINX === undefined && !process.env.CI) {
  console.warn('nginx tests SKIPPED: no nginx binary (Debian: apt-get install nginx-light); under CI this is a failure.');
}

function config(dir: string, port: number): string {
  // rate=1r/m: the first request of each location passes, the next is refused at once.
  const location = (name: string, headers: string) => `
    location = /${name} {
      limit_req zone=${name};
      limit_req_status 429;
      ${headers}
      try_files /ok =404;
    }`;
  return `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
events { worker_connections 32; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  limit_req_zone $server_name zone=bare:64k rate=1r/m;
  limit_req_zone $server_name zone=seconds:64k rate=1r/m;
  limit_req_zone $server_name zone=date:64k rate=1r/m;
  limit_req_zone $server_name zone=ietf:64k rate=1r/m;
  limit_req_zone $server_name zone=legacy:64k rate=1r/m;
  server {
    listen 127.0.0.1:${port};
    server_name bulwark-test;
    root ${dir}/www;
    ${location('bare', '')}
    ${location('seconds', 'add_header Retry-After 7 always;')}
    ${location('date', `add_header Retry-After "${FUTURE}" always;`)}
    ${location('ietf', `add_header RateLimit-Policy '"default";q=1;w=60' always; add_header RateLimit '"default";r=0;t=45' always;`)}
    ${location('legacy', 'add_header X-RateLimit-Limit 1 always; add_header X-RateLimit-Remaining 0 always; add_header X-RateLimit-Reset 30 always;')}
  }
}
`;
}

describe.skipIf(NGINX === undefined && !process.env.CI)('against nginx limit_req (a real 429)', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let base: string;
  let stderr = '';

  beforeAll(async () => {
    if (NGINX === undefined) throw new Error('nginx is required under CI: apt-get install nginx-light');
    dir = mkdtempSync(join(tmpdir(), 'bulwark-nginx-'));
    mkdirSync(join(dir, 'www'));
    writeFileSync(join(dir, 'www', 'ok'), 'ok\n');
    const port = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), config(dir, port));
    base = `http://127.0.0.1:${port}`;
    child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await fetch(`${base}/nowhere`);
        return;
      } catch {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start: ${stderr.trim()}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  });

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The first request passes; returns the second, refused one. */
  async function refused(path: string): Promise<Response> {
    const first = await fetch(`${base}/${path}`);
    await first.arrayBuffer();
    expect(first.status).toBe(200);
    const second = await fetch(`${base}/${path}`);
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
