import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BUILT_IN_PROFILES, type BuiltInProfileName } from '../built-in-profiles.js';
import { ConfigError, isConfigError } from '../config-error.js';
import { loadProfile } from '../load-profile.js';
import { isPortInUseError } from '../port-in-use-error.js';
import { resolveProfile, type Profile } from '../profile.js';
import { startSimulator, type SimulatorOptions } from '../start-simulator.js';

/** Flags that set one profile field each; `null` is spelt by the word beside it. */
const FIELD_FLAGS: Readonly<Record<string, { readonly field: string; readonly none?: string }>> = {
  'latency-p50-ms': { field: 'latency.p50Ms' },
  'latency-p99-ms': { field: 'latency.p99Ms' },
  'latency-max-ms': { field: 'latency.maxMs' },
  'error-rate': { field: 'errors.rate' },
  'hang-rate': { field: 'hangs.rate' },
  'hang-ms': { field: 'hangs.ms', none: 'forever' },
  'drop-rate': { field: 'drops.rate' },
  'rate-limit-quota': { field: 'rateLimit.quota' },
  'rate-limit-window-ms': { field: 'rateLimit.windowMs' },
  'rotate-every-ms': { field: 'keys.rotateEveryMs', none: 'never' },
  'overlap-ms': { field: 'keys.overlapMs' },
};
/** Option and profile fields, and the flag that sets each: an error names what the user typed. */
const FLAG_OF: Readonly<Record<string, string>> = {
  port: '--port',
  seed: '--seed',
  keysFile: '--keys-file',
  outages: '--outage',
  ...Object.fromEntries(Object.entries(FIELD_FLAGS).map(([flag, { field }]) => [field, `--${flag}`])),
};

const USAGE = `Usage: upstream-simulator [--port N] [--profile calm|mild|hard|FILE.json] [--seed N] [--keys-file PATH] [fault flags]

A stand-in third-party email-validation API with fault injection, on 127.0.0.1. Prints one JSON line
{"event":"listening","url":…} on stdout when it listens; stops on SIGTERM or SIGINT.

  --port N                  TCP port; 0 takes a free one (default 0)
  --profile NAME|FILE       a built-in profile or a JSON profile file (default calm)
  --seed N                  seed of every random draw (default: the profile's)
  --keys-file PATH          write the current API key there, at start and at every rotation
Fault flags (each overrides one profile field):
  --latency-p50-ms N  --latency-p99-ms N  --latency-max-ms N
  --error-rate R  --hang-rate R  --hang-ms N|forever  --drop-rate R
  --rate-limit-quota N  --rate-limit-window-ms N  --rotate-every-ms N|never  --overlap-ms N
  --outage AT_MS:FOR_MS     an outage window (repeat for more; replaces the profile's)
  --help`;

function number(flag: string, text: string, none?: string): number | null {
  if (none !== undefined && text === none) return null;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new ConfigError(flag, text, none === undefined ? 'a number' : `a number or "${none}"`);
  return value;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const [section, field] = path.split('.') as [string, string];
  target[section] = { ...(target[section] as object | undefined), [field]: value };
}

const FLAGS = ['help', 'port', 'profile', 'seed', 'keys-file', 'outage', ...Object.keys(FIELD_FLAGS)];

/** Edits (insertions, deletions, substitutions) between two words. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** The closest of `candidates` to a mistyped `word`, when close enough to be what was meant. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { readonly candidate: string; readonly d: number } | undefined;
  for (const candidate of candidates) {
    const d = distance(word, candidate);
    if (d <= Math.max(2, Math.floor(candidate.length / 3)) && (best === undefined || d < best.d)) best = { candidate, d };
  }
  return best?.candidate;
}

/** The profile a `--profile` value names: a built-in, else a JSON file. */
function baseProfile(value: string): Profile | Promise<Profile> {
  if (Object.hasOwn(BUILT_IN_PROFILES, value)) return resolveProfile(value as BuiltInProfileName);
  if (!existsSync(value)) {
    const error = new ConfigError('--profile', value, `one of ${Object.keys(BUILT_IN_PROFILES).join(', ')}, or a JSON file that exists`);
    const meant = closest(value, Object.keys(BUILT_IN_PROFILES));
    throw meant === undefined ? error : new ConfigError('--profile', value, error.expected, { message: `${error.message} Did you mean "${meant}"?` });
  }
  return loadProfile(value);
}

/** Turns the command line into simulator options; throws a ConfigError naming the flag at fault. */
async function optionsFromArgs(argv: readonly string[]): Promise<SimulatorOptions | 'help'> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean' },
      port: { type: 'string' },
      profile: { type: 'string' },
      seed: { type: 'string' },
      'keys-file': { type: 'string' },
      outage: { type: 'string', multiple: true },
      ...Object.fromEntries(Object.keys(FIELD_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
    },
  });
  if (values.help === true) return 'help';
  const text = values as Record<string, string | undefined>;
  const overlay: Record<string, unknown> = {};
  for (const [flag, { field, none }] of Object.entries(FIELD_FLAGS)) {
    const given = text[flag];
    if (given !== undefined) setPath(overlay, field, number(`--${flag}`, given, none));
  }
  if (values.outage !== undefined) {
    overlay.outages = values.outage.map((spec) => {
      const match = /^(\d+):(\d+)$/.exec(spec);
      if (match === null) throw new ConfigError('--outage', spec, 'AT_MS:FOR_MS, such as 20000:10000');
      return { atMs: Number(match[1]), forMs: Number(match[2]) };
    });
  }
  const base = await baseProfile(values.profile ?? 'calm');
  const options: { -readonly [K in keyof SimulatorOptions]: SimulatorOptions[K] } = {};
  if (values.port !== undefined) options.port = number('--port', values.port)!;
  if (values.seed !== undefined) options.seed = number('--seed', values.seed)!;
  if (values['keys-file'] !== undefined) options.keysFile = resolve(values['keys-file']);
  try {
    options.profile = resolveProfile(overlay, { base });
  } catch (error) {
    throw isConfigError(error) ? asFlagError(error) : error;
  }
  return options;
}

/** Renames an error about a field the flags set to the flag the user typed. */
function asFlagError(error: ConfigError): ConfigError {
  const flag = FLAG_OF[error.field.replace(/\[\d+\].*$/, '')];
  if (flag === undefined) return error;
  return new ConfigError(flag, error.value, error.expected, { message: error.message.replace(`\`${error.field}\``, `\`${flag}\` (${error.field})`) });
}

interface Io {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Resolves when the process is asked to stop. */
  readonly stopSignal: Promise<unknown>;
}

/** Runs the simulator from the command line; resolves with the exit code once it has stopped. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const fail = (message: string, code: number): number => {
    io.stderr.write(`upstream-simulator: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    return code;
  };
  try {
    const options = await optionsFromArgs(argv);
    if (options === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const sim = await startSimulator(options).catch((error: unknown) => {
      // What startSimulator checks here came from --port, --seed or --keys-file.
      throw isConfigError(error) && ['port', 'seed', 'keysFile'].includes(error.field) ? asFlagError(error) : error;
    });
    const keysFile = options.keysFile ?? sim.profile.keys.file;
    io.stdout.write(`${JSON.stringify({ event: 'listening', url: sim.url, port: sim.port, profile: sim.profile.name, seed: sim.seed, keysFile, pid: process.pid })}\n`);
    await io.stopSignal;
    await sim.close();
    return 0;
  } catch (error) {
    if (isConfigError(error)) return fail(error.message, 2);
    if (isPortInUseError(error)) return fail(error.message, 1);
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const flag = /'--([^'=]+)'/.exec((error as Error).message)?.[1];
      const meant = flag === undefined ? undefined : closest(flag, FLAGS);
      if (meant !== undefined) return fail(`${(error as Error).message}; did you mean '--${meant}'? (see --help)`, 2);
    }
    if (code?.startsWith('ERR_PARSE_ARGS') === true) return fail(`${(error as Error).message} (see --help)`, 2);
    return fail(`could not start: ${(error as Error).message}`, 1);
  }
}
