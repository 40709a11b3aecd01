// apps/upstream-simulator as a real process on a free loopback port, stopped by its pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../upstream-simulator/dist/main.js', import.meta.url));

/** What `GET /_sim/stats` answers (the part the tests read). */
export interface SimulatorStats {
  readonly requests: { readonly total: number; readonly ok: number; readonly '401': number; readonly '429': number; readonly '5xx': number; readonly hang: number };
  readonly byStatus: Readonly<Record<string, number>>;
  readonly rotations: readonly { readonly atMs: number; readonly keyId: string }[];
  readonly timeline: readonly { readonly second: number; readonly total: number; readonly ok: number; readonly '429': number }[];
}

export interface SimulatorProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  stats(): Promise<SimulatorStats>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Starts the simulator with `args` (its flags), writing its rotating key to `keysFile`; on `port`, or a free one. */
export async function startSimulatorProcess(keysFile: string, args: readonly string[] = [], port = 0): Promise<SimulatorProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm test runs tsc -b).`);
  const { NODE_OPTIONS: _, ...env } = process.env;
  const child = spawn(process.execPath, [MAIN, '--port', String(port), '--keys-file', keysFile, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    live.delete(child);
    resolve();
  }));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const line = buffered.split('\n').find((l) => l.includes('"event":"listening"'));
      if (line !== undefined) resolve((JSON.parse(line) as { url: string }).url);
    });
    void exited.then(() => reject(new Error(`The simulator exited before listening: ${stderr}`)));
  });
  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid!,
    stats: async () => (await (await fetch(`${url}/_sim/stats`)).json()) as SimulatorStats,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
