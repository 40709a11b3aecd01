// One gateway process in front of an upstream stand-in, with caller keys of each kind.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '../../src/services/caller-authenticator.js';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import { startSimulatorProcess, type SimulatorProcess } from './simulator-process.js';
import { startUpstreamStandIn, type UpstreamStandIn } from './upstream-stand-in.js';

// Made-up caller keys of the tests.
export const KEYS = {
  validate: 'test-validate-key-0123456789abcdef', // bulwark-allow-secret: test fixture
  admin: 'test-admin-key-0123456789abcdef', // bulwark-allow-secret: test fixture
  limited: 'test-limited-key-0123456789abcdef', // bulwark-allow-secret: test fixture
} as const;

export function keysJson(keys: Record<string, { key: string; scopes: string[] }>): string {
  return JSON.stringify(Object.entries(keys).map(([id, { key, scopes }]) => ({ id, scopes, sha256: hashApiKey(key).toString('hex') })));
}

export const DEFAULT_KEYS = {
  validator: { key: KEYS.validate, scopes: ['validate'] },
  operator: { key: KEYS.admin, scopes: ['validate', 'admin'] },
  limited: { key: KEYS.limited, scopes: ['validate'] },
};

export interface Fixture<U extends UpstreamStandIn | SimulatorProcess = UpstreamStandIn | SimulatorProcess> {
  readonly dir: string;
  /** The upstream: apps/upstream-simulator as a process, or a stand-in in the test process whose faults a test switches. */
  readonly upstream: U;
  readonly upstreamKeyFile: string;
  readonly callerKeysFile: string;
  /** Starts a gateway in front of the upstream; more variables over the fixture's. */
  gateway(env?: Record<string, string>): Promise<GatewayProcess>;
  /** Stops every gateway (by pid) and the upstream, and removes the folder. */
  close(): Promise<void>;
}

/** A gateway fixture in front of apps/upstream-simulator, started with `args` (its flags). */
export function startFixture(options: { readonly simulator: readonly string[] }): Promise<Fixture<SimulatorProcess>>;
/** A gateway fixture in front of a stand-in whose faults the test switches. */
export function startFixture(options: { readonly standIn: { readonly quota?: number } }): Promise<Fixture<UpstreamStandIn>>;
export async function startFixture(options: { readonly simulator?: readonly string[]; readonly standIn?: { readonly quota?: number } }): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-e2e-'));
  const upstreamKeyFile = join(dir, 'upstream.key');
  const callerKeysFile = join(dir, 'callers.json');
  writeFileSync(callerKeysFile, keysJson(DEFAULT_KEYS), { mode: 0o600 });
  const upstream: UpstreamStandIn | SimulatorProcess =
    options.simulator !== undefined
      ? await startSimulatorProcess(upstreamKeyFile, options.simulator)
      : await startUpstreamStandIn({ keysFile: upstreamKeyFile, ...(options.standIn?.quota === undefined ? {} : { quota: options.standIn.quota }) });
  const started: GatewayProcess[] = [];
  return {
    dir,
    upstream,
    upstreamKeyFile,
    callerKeysFile,
    async gateway(env = {}) {
      const gateway = await startGatewayProcess({
        UPSTREAM_URL: upstream.url,
        UPSTREAM_API_KEY_FILE: upstreamKeyFile,
        GATEWAY_API_KEYS_FILE: callerKeysFile,
        SECRETS_REFRESH_MS: '200',
        // Memory stores unless the test gives a Redis of its own.
        REDIS_URL: '',
        ...env,
      });
      started.push(gateway);
      return gateway;
    },
    async close() {
      await Promise.all(started.map((g) => g.stop('SIGKILL')));
      if ('close' in upstream) await upstream.close();
      else await upstream.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** POSTs JSON with a caller key; resolves with status, headers and parsed body. */
/** What {@link post} resolves with. */
export interface PostResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: Record<string, any> | undefined;
}

/** `key` null sends none. */
export async function post(url: string, body: unknown, key: string | null = KEYS.validate, headers: Record<string, string> = {}): Promise<PostResult> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text === '' ? undefined : (JSON.parse(text) as Record<string, any>) };
}
