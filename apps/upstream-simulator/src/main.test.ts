import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { startSimulator } from './index.js';

// The command line as a parent process runs it: plain Node on the built file, none of the test runner's flags.
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'upstream-simulator-cli-'));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Cli {
  readonly child: ChildProcess;
  /** Everything written so far. */
  readonly out: () => string;
  readonly err: () => string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

function cli(...args: string[]): Cli {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm test runs tsc -b; or npx -y pnpm@10.34.9 exec tsc -b).`);
  // A plain environment: none of the runner's NODE_OPTIONS, nor colour variables Node would warn about on stderr.
  const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

/** The JSON line the simulator prints once it listens. */
function listening(run: Cli): Promise<{ event: string; url: string; port: number; profile: string; seed: number; keysFile: string | null }> {
  return new Promise((resolve, reject) => {
    const look = (): void => {
      const line = run.out().split('\n')[0];
      if (run.out().includes('\n')) resolve(JSON.parse(line!));
    };
    run.child.stdout!.on('data', look);
    void run.exited.then((code) => reject(new Error(`exited ${code} before listening: ${run.err()}`)));
  });
}

describe('node dist/main.js', () => {
  test('prints one JSON line when listening, writes the keys file, and exits 0 on SIGTERM', async () => {
    const keysFile = join(dir, 'key');
    const run = cli('--port', '0', '--profile', 'hard', '--seed', '5', '--keys-file', keysFile);
    const line = await listening(run);
    expect(line).toMatchObject({ event: 'listening', url: `http://127.0.0.1:${line.port}`, profile: 'hard', seed: 5, keysFile });
    const keys = (await (await fetch(`${line.url}/_sim/keys`)).json()) as { current: { key: string } };
    expect(readFileSync(keysFile, 'utf8')).toBe(`${keys.current.key}\n`);
    const stats = (await (await fetch(`${line.url}/_sim/stats`)).json()) as { profile: string; seed: number };
    expect(stats).toMatchObject({ profile: 'hard', seed: 5 });

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.out().trimEnd().split('\n')).toHaveLength(1);
    expect(run.err()).toBe('');
    expect(run.out()).not.toContain(keys.current.key);
  });

  test('on SIGINT ends hung requests and exits 0', async () => {
    const run = cli('--hang-rate', '1', '--hang-ms', 'forever', '--seed', '2');
    const { url } = await listening(run);
    const keys = (await (await fetch(`${url}/_sim/keys`)).json()) as { current: { key: string } };
    const hung = fetch(`${url}/v1/validate/email`, {
      method: 'POST',
      headers: { 'x-api-key': keys.current.key, 'content-type': 'application/json' },
      body: '{"email":"ada@gmail.com"}',
    }).then(
      () => 'answered',
      (error: unknown) => error,
    );
    for (let hangs = 0; hangs === 0; ) {
      hangs = ((await (await fetch(`${url}/_sim/stats`)).json()) as { requests: { hang: number } }).requests.hang;
    }
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(await hung).toBeInstanceOf(Error);
  });

  test('a port in use: one line on stderr, exit 1', async () => {
    const taken = await startSimulator();
    try {
      const run = cli('--port', String(taken.port));
      expect(await run.exited).toBe(1);
      expect(run.err()).toBe(`upstream-simulator: Port ${taken.port} on 127.0.0.1 is in use; pick another with --port, or --port 0 for any free one.\n`);
      expect(run.out()).toBe('');
    } finally {
      await taken.close();
    }
  });

  test.each<[string, string[], string]>([
    ['a bad profile file', ['--profile', 'FILE'], 'upstream-simulator: FILE: Expected `errors.rate` to be a number from 0 to 1, got 2.\n'],
    ['a profile that is neither a name nor a file', ['--profile', 'stormy'], 'upstream-simulator: Expected `--profile` to be one of calm, mild, hard, or a JSON file that exists, got "stormy".\n'],
    ['a flag out of range', ['--drop-rate', '1.5'], 'upstream-simulator: Expected `--drop-rate` (drops.rate) to be a number from 0 to 1, got 1.5.\n'],
    ['a flag over a profile file, out of range', ['--profile', 'GOOD', '--hang-rate', '0.95'], 'upstream-simulator: Expected `errors.rate + hangs.rate + drops.rate` to be at most 1, got 1.05.\n'],
    ['a flag that is not a number', ['--port', 'eighty'], 'upstream-simulator: Expected `--port` to be a number, got "eighty".\n'],
    ['a port out of range', ['--port', '70000'], 'upstream-simulator: Expected `--port` (port) to be an integer from 0 to 65535, got 70000.\n'],
    ['an unknown flag', ['--colour'], "upstream-simulator: Unknown option '--colour' (see --help)\n"],
    ['a mistyped flag', ['--prot', '0'], "upstream-simulator: Unknown option '--prot'; did you mean '--port'? (see --help)\n"],
    ['a mistyped fault flag', ['--drop-rat', '0.1'], "upstream-simulator: Unknown option '--drop-rat'; did you mean '--drop-rate'? (see --help)\n"],
    ['a mistyped profile name', ['--profile', 'hrad'], 'upstream-simulator: Expected `--profile` to be one of calm, mild, hard, or a JSON file that exists, got "hrad". Did you mean "hard"?\n'],
    ['a flag with no value', ['--seed', '--port', '0'], "upstream-simulator: Option '--seed' argument is ambiguous. Did you forget to specify the option argument for '--seed'? To specify an option argument starting with a dash use '--seed=-XYZ'. (see --help)\n"],
  ])('%s: one line on stderr naming it, exit 2', async (_, args, expected) => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ errors: { rate: 2 } }));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ errors: { rate: 0.1 } }));
    const run = cli(...args.map((a) => (a === 'FILE' ? file : a === 'GOOD' ? good : a)));
    expect(await run.exited).toBe(2);
    expect(run.err()).toBe(expected.replace('FILE', file));
    expect(run.out()).toBe('');
  });

  test('--help prints the usage and exits 0', async () => {
    const run = cli('--help');
    expect(await run.exited).toBe(0);
    expect(run.out()).toMatch(/^Usage: upstream-simulator \[--port N\]/);
  });
});
