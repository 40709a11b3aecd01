/** The runner's settings, from its flags. */
export interface LoadOptions {
  /** Requests per second of each step, ascending. */
  readonly rates: readonly number[];
  readonly stepSeconds: number;
  readonly connections: number;
  /** A cache-hit step whose p99 passes this (ms) is the last. */
  readonly p99BoundMs: number;
  /** A cache-miss step whose p99 passes this (ms) is the last. */
  readonly missP99BoundMs: number;
  /** The gateway's UPSTREAM_RATE_PER_SECOND (the simulator's `mild` profile allows 50 per second per key). */
  readonly upstreamRate: number;
  /** Seconds of each round of the overhead measurement against bare Fastify; 0 skips it. */
  readonly ratioSeconds: number;
  readonly scenarios: readonly ('hit' | 'miss')[];
  /** The simulator's built-in profile for the misses. */
  readonly profile: 'calm' | 'mild' | 'hard';
  /** Where the results go; `latest.json` beside it receives the overhead case. */
  readonly out: string;
}

export const USAGE = `Usage: npm run load -- [flags]
  --rates LIST          requests/s of each step (default 50,100,200,400,800,1600,3200,6400)
  --step-seconds N      length of each step (default 5)
  --connections N       connections of the load generator (default 50)
  --p99-bound MS        cache hit: stop at the step whose p99 passes this (default 50)
  --miss-p99-bound MS   cache miss: stop at the step whose p99 passes this (default 2000)
  --upstream-rate N     the gateway's upstream calls per second (default 50, the simulator's mild quota)
  --ratio-seconds N     each round of the cache-hit overhead against bare Fastify; 0 skips it (default 5)
  --scenarios LIST      hit, miss or both (default hit,miss)
  --profile NAME        the simulator's profile: calm, mild or hard (default mild)
  --out FILE            results (default bench/results/load.json; latest.json beside it gets the overhead case)`;

/** Thrown for a bad flag: the message names the flag, the value and what was expected. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function positive(flag: string, value: string | undefined, { integer = true, zero = false } = {}): number {
  const n = Number(value);
  const ok = value !== undefined && value !== '' && Number.isFinite(n) && (zero ? n >= 0 : n > 0) && (!integer || Number.isInteger(n));
  if (!ok) throw new UsageError(`Expected \`${flag}\` to be a ${zero ? 'non-negative' : 'positive'} ${integer ? 'integer' : 'number'}, got ${JSON.stringify(value ?? null)}.`);
  return n;
}

/** Reads the flags; throws a {@link UsageError} for an unknown flag or a bad value. */
export function parseOptions(argv: readonly string[], defaultOut: string): LoadOptions {
  const options = {
    rates: [50, 100, 200, 400, 800, 1600, 3200, 6400] as readonly number[],
    stepSeconds: 5,
    connections: 50,
    p99BoundMs: 50,
    missP99BoundMs: 2_000,
    upstreamRate: 50,
    ratioSeconds: 5,
    scenarios: ['hit', 'miss'] as readonly ('hit' | 'miss')[],
    profile: 'mild' as 'calm' | 'mild' | 'hard',
    out: defaultOut,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const value = (): string | undefined => (eq < 0 ? argv[++i] : arg.slice(eq + 1));
    switch (flag) {
      case '--rates': {
        const v = value();
        const rates = (v ?? '').split(',').map((r) => positive('--rates', r.trim()));
        if (rates.some((r, j) => j > 0 && r <= rates[j - 1]!)) throw new UsageError(`Expected \`--rates\` to be ascending requests per second, got ${JSON.stringify(v)}.`);
        options.rates = rates;
        break;
      }
      case '--step-seconds':
        options.stepSeconds = positive(flag, value());
        break;
      case '--connections':
        options.connections = positive(flag, value());
        break;
      case '--p99-bound':
        options.p99BoundMs = positive(flag, value(), { integer: false });
        break;
      case '--miss-p99-bound':
        options.missP99BoundMs = positive(flag, value(), { integer: false });
        break;
      case '--upstream-rate':
        options.upstreamRate = positive(flag, value());
        break;
      case '--ratio-seconds':
        options.ratioSeconds = positive(flag, value(), { zero: true });
        break;
      case '--scenarios': {
        const v = value();
        const list = (v ?? '').split(',').map((s) => s.trim());
        if (list.length === 0 || !list.every((s) => s === 'hit' || s === 'miss')) throw new UsageError(`Expected \`--scenarios\` to be hit, miss or hit,miss, got ${JSON.stringify(v ?? null)}.`);
        options.scenarios = [...new Set(list)] as ('hit' | 'miss')[];
        break;
      }
      case '--profile': {
        const v = value();
        if (v !== 'calm' && v !== 'mild' && v !== 'hard') throw new UsageError(`Expected \`--profile\` to be calm, mild or hard, got ${JSON.stringify(v ?? null)}.`);
        options.profile = v;
        break;
      }
      case '--out': {
        const v = value();
        if (v === undefined || v === '') throw new UsageError('Expected `--out` to be a file path, got nothing.');
        options.out = v;
        break;
      }
      default:
        throw new UsageError(`Unknown flag ${JSON.stringify(arg)}.\n${USAGE}`);
    }
  }
  return options;
}
