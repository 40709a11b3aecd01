import { ConfigError } from './config-error.js';

/** The gateway's settings, read from the environment by {@link loadConfig}. */
export interface GatewayConfig {
  readonly serviceName: string;
  readonly host: string;
  /** `0` takes a free port. */
  readonly port: number;
  readonly upstreamUrl: string;
  /** Calls per second the upstream allows this gateway (all instances together when Redis is shared). */
  readonly upstreamRatePerSecond: number;
  readonly upstreamAttemptTimeoutMs: number;
  readonly upstreamTotalTimeoutMs: number;
  readonly upstreamMaxAttempts: number;
  readonly breakerHalfOpenAfterMs: number;
  readonly breakerMinimumCalls: number;
  readonly breakerFailureRate: number;
  readonly cacheTtlMs: number;
  readonly cacheStaleMs: number;
  readonly cacheMaxEntries: number;
  readonly callerRatePerSecond: number;
  readonly callerBurst: number;
  readonly maxBatch: number;
  readonly bodyLimitBytes: number;
  readonly secretsRefreshMs: number;
  /** The encrypted secret store, when one is used. */
  readonly secretsStore: string | undefined;
  readonly secretsStoreKeyFile: string | undefined;
  readonly redisUrl: string | undefined;
  readonly redisPrefix: string;
  readonly redisTimeoutMs: number;
  readonly breakerQuorum: number;
  readonly shutdownTimeoutMs: number;
  readonly logLevel: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** One environment variable: its name, its default (as written in the table), its meaning, its reader. */
export interface ConfigVariable {
  readonly name: string;
  readonly default: string;
  readonly meaning: string;
}

// Decimal digits only: `Number()` alone would take `0x10` as 16 and `1e5` as 100000.
const integer = (min: number, max: number) => (name: string, text: string): number => {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || value < min || value > max) {
    throw new ConfigError(name, text, `an integer from ${min} to ${max}`);
  }
  return value;
};
const ratio = (name: string, text: string): number => {
  const value = Number(text);
  if (!/^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(text) || !(value > 0 && value <= 1)) throw new ConfigError(name, text, 'a number above 0 and at most 1');
  return value;
};
const url = (protocols: readonly string[]) => (name: string, text: string): string => {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new ConfigError(name, redactUrl(text), `a URL (${protocols.join(' or ')})`);
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(name, redactUrl(text), `a URL (${protocols.join(' or ')})`);
  return text;
};
const text = (_name: string, value: string): string => value;
// The name is also the realm of a 401's `WWW-Authenticate`, a quoted string in a header: `"` and `\`
// would need escaping there, and a control character or anything past ASCII has no place in it.
const serviceName = (name: string, value: string): string => {
  if (!/^[\x20-\x7e]+$/.test(value) || /["\\]/.test(value)) throw new ConfigError(name, value, 'printable ASCII without `"` or `\\`');
  return value;
};
const level = (name: string, value: string): string => {
  const levels = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];
  if (!levels.includes(value)) throw new ConfigError(name, value, `one of ${levels.join(', ')}`);
  return value;
};

/** A URL with its password hidden, for messages. */
function redactUrl(value: string): string {
  return value.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}

const MINUTE = 60_000;
const MAX_MS = 2 ** 31 - 1;

// The table of the README, in its order. `read` turns the text into the setting. A default may name
// a variable above it, `${NAME}`: that variable's value, given or its own default.
const VARIABLES = [
  { name: 'PORT', default: '8080', meaning: 'TCP port to listen on; `0` takes a free one (the `listening` log line says which)', key: 'port', read: integer(0, 65_535) },
  { name: 'HOST', default: '127.0.0.1', meaning: 'address to listen on (`0.0.0.0` in a container)', key: 'host', read: text },
  { name: 'SERVICE_NAME', default: 'validation-gateway', meaning: '`service` on every log line, `serviceId` in health reports, the `realm` of a 401\'s `WWW-Authenticate` and the default `REDIS_PREFIX`; printable ASCII without `"` or `\\`', key: 'serviceName', read: serviceName },
  { name: 'LOG_LEVEL', default: 'info', meaning: 'most verbose log level written (`error` … `debug`)', key: 'logLevel', read: level },
  { name: 'UPSTREAM_URL', default: 'http://127.0.0.1:4010', meaning: 'base URL of the validation API (`POST <url>/v1/validate/email`)', key: 'upstreamUrl', read: url(['http:', 'https:']) },
  { name: 'UPSTREAM_API_KEY', default: '—', meaning: 'the upstream credential (secret); or `UPSTREAM_API_KEY_FILE`, a file holding it, re-read on the upstream\'s 401; or the encrypted store', key: undefined, read: undefined },
  { name: 'UPSTREAM_RATE_PER_SECOND', default: '20', meaning: 'calls per second the upstream allows; shared by every instance on one Redis', key: 'upstreamRatePerSecond', read: integer(1, 1_000_000) },
  { name: 'UPSTREAM_ATTEMPT_TIMEOUT_MS', default: '2000', meaning: 'limit on one attempt', key: 'upstreamAttemptTimeoutMs', read: integer(1, MAX_MS) },
  { name: 'UPSTREAM_TOTAL_TIMEOUT_MS', default: '5000', meaning: 'limit on one upstream call, retries and their waits included; then the answer is offline', key: 'upstreamTotalTimeoutMs', read: integer(1, MAX_MS) },
  { name: 'UPSTREAM_MAX_ATTEMPTS', default: '3', meaning: 'attempts per upstream call, the first included', key: 'upstreamMaxAttempts', read: integer(1, 10) },
  { name: 'BREAKER_HALF_OPEN_AFTER_MS', default: '5000', meaning: 'how long the upstream\'s circuit stays open before a probe', key: 'breakerHalfOpenAfterMs', read: integer(1, MAX_MS) },
  { name: 'BREAKER_MINIMUM_CALLS', default: '20', meaning: 'calls in the 30 s window before the circuit may open', key: 'breakerMinimumCalls', read: integer(1, 1_000_000) },
  { name: 'BREAKER_FAILURE_RATE', default: '0.5', meaning: 'share of failed calls in the window that opens the circuit', key: 'breakerFailureRate', read: ratio },
  { name: 'BREAKER_QUORUM', default: '2', meaning: 'with Redis: instances that must see the upstream failing before the circuit opens for all', key: 'breakerQuorum', read: integer(1, 1_000) },
  { name: 'CACHE_TTL_MS', default: '3600000', meaning: 'how long a verdict is fresh', key: 'cacheTtlMs', read: integer(1, MAX_MS) },
  { name: 'CACHE_STALE_MS', default: '86400000', meaning: 'how long after that a verdict is still served (`stale`) while the upstream fails', key: 'cacheStaleMs', read: integer(0, MAX_MS) },
  { name: 'CACHE_MAX_ENTRIES', default: '100000', meaning: 'verdicts kept in memory per instance', key: 'cacheMaxEntries', read: integer(1, 100_000_000) },
  { name: 'CALLER_RATE_PER_SECOND', default: '100', meaning: 'requests per second each caller key may make', key: 'callerRatePerSecond', read: integer(1, 1_000_000) },
  { name: 'CALLER_BURST', default: '200', meaning: 'requests a caller key may make at once', key: 'callerBurst', read: integer(1, 1_000_000) },
  { name: 'GATEWAY_API_KEYS', default: '—', meaning: 'the callers\' keys (secret), hashed: a JSON array of at least one `{ "id", "scopes", "sha256" }`, no other field; or `GATEWAY_API_KEYS_FILE`; re-read every `SECRETS_REFRESH_MS`', key: undefined, read: undefined },
  { name: 'SECRETS_REFRESH_MS', default: '5000', meaning: 'how often secrets are read again (a rotated key is picked up within this; under 1250 they are read when next needed rather than ahead of time)', key: 'secretsRefreshMs', read: integer(100, MAX_MS) },
  { name: 'SECRETS_STORE', default: '(none)', meaning: 'an encrypted store (`bulwark-secrets`) consulted after the environment', key: 'secretsStore', read: text },
  { name: 'SECRETS_STORE_KEY_FILE', default: '(none)', meaning: 'the store\'s key file; else the passphrase in `BULWARK_SECRETS_PASSPHRASE`', key: 'secretsStoreKeyFile', read: text },
  { name: 'MAX_BATCH', default: '100', meaning: 'most addresses in one `POST /v1/validate/emails`', key: 'maxBatch', read: integer(1, 10_000) },
  { name: 'BODY_LIMIT_BYTES', default: '65536', meaning: 'largest request body; larger ones get 413', key: 'bodyLimitBytes', read: integer(64, 100 * 1024 * 1024) },
  { name: 'REDIS_URL', default: '(none: memory)', meaning: 'Redis for the cache, both rate limits, the breaker and invalidations, shared by every instance; a start waits for it at most 2 s, then serves, deciding locally until it answers', key: 'redisUrl', read: url(['redis:', 'rediss:']) },
  { name: 'REDIS_PREFIX', default: '${SERVICE_NAME}:', meaning: 'prefix of every Redis key and channel: the instances of one service share its keys, services of different names on one Redis keep theirs apart', key: 'redisPrefix', read: text },
  { name: 'REDIS_TIMEOUT_MS', default: '250', meaning: 'deadline of each Redis operation; past it the instance decides locally', key: 'redisTimeoutMs', read: integer(1, 60_000) },
  { name: 'SHUTDOWN_TIMEOUT_MS', default: '10000', meaning: 'on SIGTERM, how long in-flight requests may take before connections are cut', key: 'shutdownTimeoutMs', read: integer(0, 10 * MINUTE) },
] as const;

/** Every environment variable the gateway reads, with its default and meaning (the README's table). */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = VARIABLES.map(({ name, default: d, meaning }) => ({ name, default: d, meaning }));

const DEFAULTS: Readonly<Record<string, string | undefined>> = Object.fromEntries(
  VARIABLES.map((v) => [v.name, v.default === '—' || v.default.startsWith('(') ? undefined : v.default]),
);

/**
 * Reads the settings from `env`, each checked: an unset or empty variable takes its default, a bad
 * one throws a {@link ConfigError} naming it.
 */
export function loadConfig(env: Env = process.env): GatewayConfig {
  const config: Record<string, unknown> = {};
  const values: Record<string, string | undefined> = {};
  for (const variable of VARIABLES) {
    if (variable.key === undefined) continue;
    const given = env[variable.name];
    const value = given === undefined || given === '' ? DEFAULTS[variable.name]?.replace(/\$\{(\w+)\}/g, (_, name: string) => values[name] ?? '') : given;
    values[variable.name] = value;
    config[variable.key] = value === undefined ? undefined : variable.read(variable.name, value);
  }
  const result = config as unknown as GatewayConfig;
  if (result.upstreamAttemptTimeoutMs > result.upstreamTotalTimeoutMs) {
    throw new ConfigError('UPSTREAM_ATTEMPT_TIMEOUT_MS', String(result.upstreamAttemptTimeoutMs), `at most UPSTREAM_TOTAL_TIMEOUT_MS (${result.upstreamTotalTimeoutMs})`);
  }
  if (result.callerBurst < 1) throw new ConfigError('CALLER_BURST', String(result.callerBurst), 'at least 1');
  // The store is opened with its key file, else the passphrase: with neither it could never be read.
  if (result.secretsStore !== undefined && result.secretsStoreKeyFile === undefined && (env.BULWARK_SECRETS_PASSPHRASE ?? '') === '') {
    throw new ConfigError('SECRETS_STORE_KEY_FILE', undefined, 'the store\'s key file (or `BULWARK_SECRETS_PASSPHRASE` its passphrase) when `SECRETS_STORE` is set');
  }
  return Object.freeze(result);
}
