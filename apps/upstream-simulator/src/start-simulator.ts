import { createServer, type Server } from 'node:http';
import type { BuiltInProfileName } from './built-in-profiles.js';
import { systemClock, type Clock } from './clock.js';
import { ConfigError } from './config-error.js';
import { ADMIN_PREFIX, handleAdmin, keysOf } from './internal/admin-route.js';
import { handleApi } from './internal/api-route.js';
import { sendProblem } from './internal/http.js';
import { KeyRing, newKey } from './internal/key-ring.js';
import { checkSeed } from './internal/profile-rules.js';
import { Run } from './internal/run.js';
import { PortInUseError } from './port-in-use-error.js';
import { resolveProfile, type Profile, type ProfileInput } from './profile.js';
import type { SimulatorStats } from './simulator-stats.js';

/** The loopback address the simulator listens on, and the only one. */
const HOST = '127.0.0.1';

/** Options for {@link startSimulator}. */
export interface SimulatorOptions {
  /** The TCP port on 127.0.0.1; `0` takes a free one (read it from `port` or `url`). @default 0 */
  readonly port?: number;
  /** A built-in profile's name, or a profile (checked, with what it leaves out filled in). @default 'calm' */
  readonly profile?: BuiltInProfileName | ProfileInput | Profile;
  /** Seeds the fault draws, overriding the profile's seed. @default the profile's seed */
  readonly seed?: number;
  /** The first API key: 8 to 256 visible ASCII characters. @default a fresh random key */
  readonly apiKey?: string;
  /** Where to write the current key, overriding the profile's `keys.file`. @default the profile's */
  readonly keysFile?: string;
  /** The source of time and timers; pass a fake clock to drive the schedule in tests. @default the system clock */
  readonly clock?: Clock;
}

/** The keys as `GET /_sim/keys` serves them. */
export interface SimulatorKeys {
  /** The key to use now. `issuedAtMs` is in milliseconds from the start of the run. */
  readonly current: { readonly id: string; readonly key: string; readonly issuedAtMs: number };
  /** The key it replaced, accepted until `acceptedUntilMs`; `null` before the first rotation of the run. */
  readonly previous: { readonly id: string; readonly key: string; readonly issuedAtMs: number; readonly acceptedUntilMs: number } | null;
}

/** A running simulator. */
export interface Simulator extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** The profile it runs, complete. */
  readonly profile: Profile;
  readonly seed: number;
  /** What it has received in this run, as `GET /_sim/stats` serves it. */
  stats(): SimulatorStats;
  /** The current key and the one it replaced, as `GET /_sim/keys` serves them. */
  keys(): SimulatorKeys;
  /** Starts a new run, as `POST /_sim/reset` does: counts, rate-limit windows, fault sequence and schedule start again; the current key stays. */
  reset(): void;
  /** Stops listening and ends every open connection, hung ones included. Safe to call more than once. */
  close(): Promise<void>;
}

function checkOptions(options: SimulatorOptions): void {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', options, 'an object');
  const { port, seed, apiKey, keysFile, clock } = options;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) throw new ConfigError('port', port, 'an integer from 0 to 65535');
  if (seed !== undefined) checkSeed('seed', seed);
  if (apiKey !== undefined && (typeof apiKey !== 'string' || !/^[\x21-\x7e]{8,256}$/.test(apiKey))) {
    // The value is never echoed: it is a credential.
    throw new ConfigError('apiKey', '<hidden>', '8 to 256 visible ASCII characters', {
      message: 'Expected `apiKey` to be 8 to 256 visible ASCII characters (no spaces), got something else (not shown: it is a credential).',
    });
  }
  if (keysFile !== undefined && (typeof keysFile !== 'string' || keysFile === '')) throw new ConfigError('keysFile', keysFile, 'a file path');
  if (clock !== undefined && (typeof clock?.monotonic !== 'function' || typeof clock.now !== 'function' || typeof clock.setTimeout !== 'function')) {
    throw new ConfigError('clock', clock, 'a Clock with now(), monotonic() and setTimeout()');
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, HOST, { cause: error }) : error);
    });
    server.listen({ port, host: HOST }, () => resolve((server.address() as { port: number }).port));
  });
}

/**
 * Starts the simulated email-validation API on a loopback port, with the faults of a profile.
 * Resolves once it listens. Rejects with a {@link ConfigError} for a bad option or profile (naming the
 * field, the value and what was expected) and a {@link PortInUseError} when the port is taken.
 *
 * @example
 * ```ts
 * const sim = await startSimulator({ profile: 'hard', seed: 7 });
 * const { key } = sim.keys().current;
 * const res = await fetch(`${sim.url}/v1/validate/email`, {
 *   method: 'POST',
 *   headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
 *   body: JSON.stringify({ email: 'ada@example.org' }),
 * });
 * console.log(res.status, sim.stats().requests);
 * await sim.close();
 * ```
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  checkOptions(options);
  const profile = resolveProfile(options.profile ?? 'calm');
  const seed = options.seed ?? profile.seed;
  const keysFile = options.keysFile ?? profile.keys.file;
  const run = new Run(profile, seed, options.clock ?? systemClock, new KeyRing(options.apiKey ?? newKey()), keysFile);
  const failure = run.writeKeysFile();
  if (failure !== null) {
    run.stop();
    throw new ConfigError(options.keysFile === undefined ? 'keys.file' : 'keysFile', keysFile, 'a path the simulator can write', {
      message: `Expected \`${options.keysFile === undefined ? 'keys.file' : 'keysFile'}\` to be a path the simulator can write: ${failure}.`,
    });
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    try {
      if (path.startsWith(ADMIN_PREFIX)) handleAdmin(run, req, res, path);
      else handleApi(run, req, res, path);
    } catch (error) {
      // A defect of the simulator, not an injected fault: say so rather than hang the client.
      if (!res.headersSent) sendProblem(res, 500, { detail: `The simulator failed: ${(error as Error).message}` });
    }
  });
  let port: number;
  try {
    port = await listen(server, options.port ?? 0);
  } catch (error) {
    run.stop();
    throw error;
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= new Promise<void>((resolve) => {
      run.stop();
      server.close(() => resolve());
      server.closeAllConnections();
    }));
  return {
    url: `http://${HOST}:${port}`,
    port,
    profile,
    seed,
    stats: () => run.stats(),
    keys: () => keysOf(run),
    reset: () => run.reset(),
    close,
    [Symbol.asyncDispose]: close,
  };
}
