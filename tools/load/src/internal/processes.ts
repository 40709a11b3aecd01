import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A server the runner started: its URL and pid, stopped by that pid. */
export interface Server {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

const running = new Map<number, ChildProcess>();

/** The pids of the servers still running. */
export const runningPids = (): number[] => [...running.keys()];

/** Kills every server still running by its pid (SIGTERM, then SIGKILL past `graceMs`), and waits for each. */
export async function stopAll(graceMs = 3_000): Promise<void> {
  await Promise.all([...running.values()].map((child) => stopChild(child, graceMs)));
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Thrown when a server cannot be started: the message says what to do. */
export class StartError extends Error {
  override readonly name = 'StartError';
}

/**
 * Starts `node <script> [args]` and resolves once it prints a JSON line with a `url`. Its output is
 * read to the end and dropped (a pipe nobody drains would block its writes); the last lines are kept
 * for the error when it exits before listening.
 */
export function startServer(name: string, script: string, args: readonly string[], env: Record<string, string>, timeoutMs = 30_000): Promise<Server> {
  if (!existsSync(script)) return Promise.reject(new StartError(`${script} is missing: build first (npm run load builds; or npx -y pnpm@10.34.9 exec tsc -b).`));
  const { NODE_OPTIONS: _, ...inherited } = process.env;
  const child = spawn(process.execPath, [script, ...args], { env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.set(child.pid!, child);
  child.once('exit', () => running.delete(child.pid!));
  const tail: string[] = [];
  const keep = (chunk: Buffer): void => {
    tail.push(chunk.toString('utf8'));
    if (tail.length > 20) tail.shift();
  };
  child.stderr!.on('data', keep);
  return new Promise((resolve, reject) => {
    let buffered: string | undefined = '';
    const timer = setTimeout(() => fail(`${name} did not listen within ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string): void => {
      clearTimeout(timer);
      void stopChild(child, 1_000);
      reject(new StartError(`${why}. Its last output: ${tail.join('').trim().split('\n').slice(-3).join(' | ') || '(none)'}`));
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      if (buffered === undefined) return;
      keep(chunk);
      buffered += chunk.toString('utf8');
      const match = /"url":"(http:[^"]+)"/.exec(buffered);
      if (match !== null) {
        buffered = undefined;
        clearTimeout(timer);
        resolve({ name, url: match[1]!, pid: child.pid!, stop: () => stopChild(child, 3_000) });
      }
    });
    child.once('exit', (code, signal) => {
      if (buffered !== undefined) fail(`${name} exited (${signal ?? code}) before listening`);
    });
  });
}
