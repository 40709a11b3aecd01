// The command line of `npm run demo`: every flag checked, a bad one named with what was expected.

export interface DemoOptions {
  /** Seconds of load. The hard profile's schedule (outage at 20 s for 10 s, rotation at 40 s) is scaled by `durationS / 60`. */
  readonly durationS: number;
  /** Requests per second offered to each client. */
  readonly ratePerSecond: number;
  /** Seeds the request stream and both simulators. */
  readonly seed: number;
  /** Gateways sharing Redis (`REDIS_URL`); the load is spread over them. */
  readonly instances: number;
  /** Where to write the JSON report (and the HTML beside it). */
  readonly report: string | undefined;
  /** Port of the (first) gateway; 0 takes a free one. */
  readonly port: number;
  /** Port of the gateway's simulator; 0 takes a free one. */
  readonly upstreamPort: number;
  /** How long the calling code waits for any one answer, whichever client it asks. */
  readonly clientTimeoutMs: number;
  /** A folder to keep what every process wrote, one file each. */
  readonly logs: string | undefined;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: npm run demo -- [flags]

  --duration S          seconds of load (default 60); the hard profile's outage and rotation keep
                        their place in the run (at 1/3 and 2/3 of it)
  --rate N              requests per second offered to each client (default 40; the upstream allows 20)
  --seed N              seed of the request stream and of the simulators (default 1)
  --instances N         gateways sharing Redis, load spread over them (default 1; above 1 needs REDIS_URL)
  --report FILE         write the results as JSON to FILE and as HTML beside it
  --port N              port of the gateway on 127.0.0.1 (default 0: any free one)
  --upstream-port N     port of the gateway's upstream simulator (default 0: any free one)
  --client-timeout-ms N how long the calling code waits for one answer, either client (default 5000)
  --logs DIR            keep what every process wrote (the simulators, the gateways), one file each
  --help                this text

Exit code: 0 when every goal is met, 1 when one is missed, 2 for a bad flag, 130/143 when interrupted.`;

function integer(flag: string, text: string | undefined, min: number, max: number): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`Expected \`${flag}\` to be an integer from ${min} to ${max}, got ${text === undefined ? 'nothing' : JSON.stringify(text)}.`);
  }
  return value;
}

function path(flag: string, text: string | undefined): string {
  if (text === undefined || text.trim() === '' || text.startsWith('--')) throw new UsageError(`Expected \`${flag}\` to be a path, got ${text === undefined ? 'nothing' : JSON.stringify(text)}.`);
  return text;
}

/** Reads the flags; `--flag value` and `--flag=value` both work. Returns `'help'` for `--help`. */
export function parseArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): DemoOptions | 'help' {
  let durationS = 60;
  let ratePerSecond = 40;
  let seed = 1;
  let instances = 1;
  let report: string | undefined;
  let port = 0;
  let upstreamPort = 0;
  let clientTimeoutMs = 5_000;
  let logs: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string | undefined => (eq > 0 ? arg.slice(eq + 1) : argv[++i]);
    switch (flag) {
      case '--duration':
        durationS = integer(flag, value(), 3, 3_600);
        break;
      case '--rate':
        ratePerSecond = integer(flag, value(), 1, 2_000);
        break;
      case '--seed':
        seed = integer(flag, value(), 0, 4_294_967_295);
        break;
      case '--instances':
        instances = integer(flag, value(), 1, 16);
        break;
      case '--report':
        report = path(flag, value());
        break;
      case '--logs':
        logs = path(flag, value());
        break;
      case '--port':
        port = integer(flag, value(), 0, 65_535);
        break;
      case '--upstream-port':
        upstreamPort = integer(flag, value(), 0, 65_535);
        break;
      case '--client-timeout-ms':
        clientTimeoutMs = integer(flag, value(), 100, 120_000);
        break;
      default:
        throw new UsageError(`Unknown flag ${JSON.stringify(arg)}; \`npm run demo -- --help\` lists them.`);
    }
  }
  if (instances > 1 && (env['REDIS_URL'] ?? '') === '') {
    throw new UsageError(`\`--instances ${instances}\` needs REDIS_URL (the gateways share the upstream's rate limit through Redis), e.g. REDIS_URL=redis://127.0.0.1:6379.`);
  }
  if (port !== 0 && instances > 1 && port + instances - 1 > 65_535) {
    throw new UsageError(`Expected \`--port\` to leave room for ${instances} gateways (ports ${port} to ${port + instances - 1}), got ${port}.`);
  }
  return { durationS, ratePerSecond, seed, instances, report, port, upstreamPort, clientTimeoutMs, logs };
}
