// The gateway as a real process: `node dist/main.js`, configured by its environment, on a free
// loopback port; its log lines kept for the test to read.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface GatewayProcess {
  readonly url: string;
  readonly pid: number;
  /** Every line the process wrote on stdout (its JSON logs) and stderr, so far. */
  readonly lines: string[];
  readonly stderr: string[];
  /** Parsed JSON log lines. */
  logs(): Record<string, unknown>[];
  /** Resolves once a log line matching `predicate` has been written (lines arrive after responses). */
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends `signal` (SIGTERM by default) and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function startGatewayProcess(env: Record<string, string>, options: { readonly startTimeoutMs?: number } = {}): Promise<GatewayProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm test runs tsc -b).`);
  const { NODE_OPTIONS: _, ...inherited } = process.env;
  const child = spawn(process.execPath, [MAIN], {
    env: { ...inherited, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const lines: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    live.delete(child);
    resolve(code);
  }));
  let buffered = '';
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The gateway did not listen within ${options.startTimeoutMs ?? 20_000} ms. stderr: ${stderr.join('\n')}`)), options.startTimeoutMs ?? 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        lines.push(line);
        if (line.includes('"event":"listening"')) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { url: string }).url);
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`The gateway exited with ${code} before listening. stderr: ${stderr.join('')}`));
    });
  });
  const url = await listening;
  const logs = (): Record<string, unknown>[] => lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    url,
    pid: child.pid!,
    lines,
    stderr,
    logs,
    waitForLog: async (predicate, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = logs().find(predicate);
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`No log line matched within ${timeoutMs} ms.`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    exited,
  };
}
