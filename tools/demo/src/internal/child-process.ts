// The demo's servers as child processes: each in a process group of its own (so a Ctrl-C at the
// terminal reaches the demo alone, and the demo stops them in order), everything they write kept
// for the secret scan, stopped by pid and waited for.
import { spawn, type ChildProcess } from 'node:child_process';

export interface Child {
  readonly name: string;
  readonly pid: number;
  /** The URL from its `listening` line. */
  readonly url: string;
  /** Everything it wrote on stdout and stderr so far. */
  output(): string;
  /** The last line it wrote on stderr ('' when none). */
  lastError(): string;
  /** Resolves with the exit code (or the signal's name) when it has exited. */
  readonly exited: Promise<number | string>;
  /** SIGTERM to its group, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

// A last resort if the demo exits without stopping them (an uncaught error): nothing stays behind.
process.once('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});

/**
 * Starts `node script ...args` and resolves once it prints a JSON line with `"event":"listening"`
 * and a `url`; rejects with the last line it wrote on stderr if it exits first.
 */
export function startChild(name: string, script: string, args: readonly string[], env: NodeJS.ProcessEnv, startTimeoutMs = 30_000): Promise<Child> {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  live.add(child);
  const chunks: string[] = [];
  let stderrTail = '';
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    chunks.push(text);
    stderrTail = (stderrTail + text).slice(-2_000);
  });
  const stop = async (graceMs = 5_000): Promise<void> => {
    killGroup(child, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        killGroup(child, 'SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([exited, late]);
    clearTimeout(timer);
    await exited;
  };
  return new Promise<Child>((resolve, reject) => {
    let buffered = '';
    let ready = false;
    const timer = setTimeout(() => {
      void stop(0);
      reject(new Error(`${name} did not start listening within ${startTimeoutMs / 1000} s.`));
    }, startTimeoutMs);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => {
      chunks.push(text);
      if (ready) return;
      buffered += text;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (!line.includes('"listening"')) continue;
        let parsed: { event?: unknown; url?: unknown };
        try {
          parsed = JSON.parse(line) as typeof parsed;
        } catch {
          continue;
        }
        if (parsed.event !== 'listening' || typeof parsed.url !== 'string') continue;
        ready = true;
        clearTimeout(timer);
        resolve({ name, pid: child.pid!, url: parsed.url, output: () => chunks.join(''), lastError: () => lastLineOf(stderrTail), exited, stop });
        return;
      }
    });
    void exited.then((code) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new ChildStartError(name, code, lastLineOf(stderrTail)));
    });
  });
}

const lastLineOf = (text: string): string => text.trim().split('\n').at(-1) ?? '';

/** A server that exited before it listened; `lastLine` is the last thing it wrote on stderr. */
export class ChildStartError extends Error {
  override readonly name = 'ChildStartError';
  constructor(
    readonly child: string,
    readonly code: number | string,
    readonly lastLine: string,
  ) {
    super(`${child} exited (${code}) before it listened${lastLine === '' ? '' : `: ${lastLine}`}`);
  }
}
