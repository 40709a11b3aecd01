// A private nginx for tests that need a real HTTP server's behaviour (limit_req answering 429):
// started on a free loopback port with a temporary prefix and config, stopped by its pid.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { freePort } from './redis-server.js';

/** The nginx binary found on this machine, or `undefined` (Debian: apt-get install nginx-light). */
export const nginxBinary: string | undefined =
  ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'].find((p) => existsSync(p)) ??
  (spawnSync('nginx', ['-v']).status === 0 ? 'nginx' : undefined);

/** Marks an nginx test suite in test names. */
export const NGINX_TAG = '[nginx]';

/**
 * `describe` for tests that need nginx: skipped, with a warning, when there is none outside CI;
 * under CI a missing nginx fails the suite.
 */
export const describeNginx = (name: string, fn: () => void): void => {
  const skip = nginxBinary === undefined && !process.env.CI;
  if (skip) console.warn(`${NGINX_TAG} ${name} SKIPPED: no nginx binary (Debian: apt-get install nginx-light); under CI this is a failure.`);
  describe.skipIf(skip)(`${NGINX_TAG} ${name}`, fn);
};

/** What {@link startNginx} serves. */
export interface NginxOptions {
  /**
   * The inside of the `http { }` block: `limit_req_zone`s and `server` blocks. `server` blocks
   * listen on `127.0.0.1:${port}` and serve files from `root`.
   */
  readonly http: (place: { readonly port: number; readonly root: string }) => string;
  /** Files under `root`, by path relative to it: `{ ok: 'ok\n' }`. */
  readonly files?: Readonly<Record<string, string>>;
}

/** An nginx of the test's own. */
export interface PrivateNginx {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Stops nginx (SIGTERM, then SIGKILL) and removes its folder. */
  stop(): Promise<void>;
}

function config(dir: string, inner: string): string {
  return `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${inner}
}
`;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Starts nginx with the given `http` block on a free loopback port and waits until it answers. */
export async function startNginx(options: NginxOptions): Promise<PrivateNginx> {
  if (nginxBinary === undefined) throw new Error('nginx is required for this test: apt-get install nginx-light.');
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-nginx-'));
  const root = join(dir, 'www');
  mkdirSync(root);
  for (const [path, text] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const port = await freePort();
  writeFileSync(join(dir, 'nginx.conf'), config(dir, options.http({ port, root })));
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(nginxBinary, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async (): Promise<void> => {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const probe = await fetch(`${url}/.bulwark-probe`);
      await probe.arrayBuffer();
      return { url, port, stop };
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`nginx did not start: ${stderr.trim()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/**
 * A {@link PrivateNginx} for the enclosing suite (inside {@link describeNginx}): started before it,
 * stopped after it. Read its `url` inside tests.
 */
export function useNginx(options: NginxOptions): Omit<PrivateNginx, 'stop'> {
  let nginx: PrivateNginx | undefined;
  beforeAll(async () => {
    nginx = await startNginx(options);
  });
  afterAll(async () => {
    await nginx?.stop();
  });
  const live = (): PrivateNginx => {
    if (nginx === undefined) throw new Error('nginx is used outside its suite, or before it started.');
    return nginx;
  };
  return {
    get url() {
      return live().url;
    },
    get port() {
      return live().port;
    },
  };
}
