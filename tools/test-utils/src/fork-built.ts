import { fork, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Options for {@link forkBuiltWorker}. */
export interface ForkBuiltWorkerOptions {
  /**
   * The built file the worker imports, such as `new URL('../dist/index.js', import.meta.url)`: checked
   * before forking, so a missing build fails at once with what to run.
   */
  readonly built: string | URL;
  /** Arguments of the worker script. */
  readonly args?: readonly string[];
  /** Variables added to the test's environment (NODE_OPTIONS is never passed on). */
  readonly env?: NodeJS.ProcessEnv;
  /** @default ['ignore', 'inherit', 'inherit', 'ipc'] */
  readonly stdio?: StdioOptions;
}

const toPath = (p: string | URL): string => (p instanceof URL ? fileURLToPath(p) : p);

/**
 * Forks a worker script as a user's process would run it: plain Node, with neither the test runner's
 * `execArgv` nor its `NODE_OPTIONS`. Both would carry the `@bulwark/source` condition into the child,
 * which would then load the packages' TypeScript sources instead of their built `dist/`.
 */
export function forkBuiltWorker(worker: string | URL, options: ForkBuiltWorkerOptions): ChildProcess {
  const built = toPath(options.built);
  if (!existsSync(built)) {
    throw new Error(`${built} is missing: build first (npm test runs tsc -b; or npx -y pnpm@10.34.9 exec tsc -b).`);
  }
  const { NODE_OPTIONS: _, ...inherited } = process.env;
  return fork(toPath(worker), [...(options.args ?? [])], {
    execArgv: [],
    env: { ...inherited, ...options.env },
    stdio: options.stdio ?? ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/**
 * The next IPC message of type `type` (`{ type, ... }`) from a forked worker. Rejects when the
 * worker exits first, or when none comes within `ms` milliseconds, saying which worker and what.
 */
export function nextMessage<T>(child: ChildProcess, type: string, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type?: unknown }) => {
      if (m?.type !== type) return;
      done();
      resolve(m as T);
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`worker ${child.pid} exited with ${code} before sending ${type}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`worker ${child.pid} sent no ${type} within ${ms} ms`));
    }, ms);
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** What {@link runBuiltWorker} saw of a worker, from its start to its exit. */
export interface WorkerRun {
  /** Its exit code, or `'held open'` when it was still running after `timeoutMs` (it is then killed). */
  readonly code: number | null | 'held open';
  readonly stdout: string;
  readonly stderr: string;
  /** Every IPC message it sent. */
  readonly messages: readonly unknown[];
}

/**
 * Runs a worker script as {@link forkBuiltWorker} does, to its exit, and resolves with what it wrote
 * and its exit code: for tests of what a user's plain script sees, such as whether a pending timer
 * holds the process open. One still running after `timeoutMs` is killed and reported `'held open'`.
 */
export function runBuiltWorker(worker: string | URL, options: Omit<ForkBuiltWorkerOptions, 'stdio'> & { readonly timeoutMs?: number }): Promise<WorkerRun> {
  const child = forkBuiltWorker(worker, { ...options, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let stdout = '';
  let stderr = '';
  const messages: unknown[] = [];
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.on('message', (message) => messages.push(message));
  return new Promise((resolve) => {
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: 'held open', stdout, stderr, messages });
    }, options.timeoutMs ?? 15_000);
    child.once('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, messages });
    });
  });
}
