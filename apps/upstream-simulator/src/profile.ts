import { ConfigError } from './config-error.js';
import { BUILT_IN_PROFILES, type BuiltInProfileName } from './built-in-profiles.js';
import { checkProfileInput, crossCheck } from './internal/profile-rules.js';

/** How long the simulator waits before it answers: a lognormal distribution given by two percentiles. */
export interface LatencyProfile {
  /** The median added latency, in milliseconds. `0` adds none. @default 0 */
  readonly p50Ms: number;
  /** The 99th percentile, in milliseconds, at least `p50Ms`; equal to it gives a constant latency. @default p50Ms */
  readonly p99Ms: number;
  /** No draw waits longer than this, in milliseconds. @default 30_000 */
  readonly maxMs: number;
}

/** Answers that fail with a server error. */
export interface ErrorProfile {
  /** The share of requests answered with an error, 0 to 1. @default 0 */
  readonly rate: number;
  /** The statuses to answer with (500–599) and their relative weights. @default { "500": 1, "502": 1, "503": 1 } */
  readonly statuses: Readonly<Record<string, number>>;
}

/** Requests held open with no answer. */
export interface HangProfile {
  /** The share of requests that hang, 0 to 1. @default 0 */
  readonly rate: number;
  /** How long a hung request is held, in milliseconds, before it is answered after all; `null` holds it until the client gives up. @default null */
  readonly ms: number | null;
}

/** Connections cut in the middle of an answer. */
export interface DropProfile {
  /** The share of requests whose connection is destroyed after the headers and half the body, 0 to 1. @default 0 */
  readonly rate: number;
}

/** A fixed-window rate limit per API key, advertised with the IETF `RateLimit-Policy` and `RateLimit` fields. */
export interface RateLimitProfile {
  /** Requests allowed per window and key. */
  readonly quota: number;
  /** The window, in milliseconds: a whole number of seconds, as the `w` parameter of `RateLimit-Policy` requires. */
  readonly windowMs: number;
}

/** A span of the run in which every API request is answered 503 with `Retry-After`. */
export interface OutageWindow {
  /** When it begins, in milliseconds from the start of the run. */
  readonly atMs: number;
  /** How long it lasts, in milliseconds. */
  readonly forMs: number;
}

/** The API key's rotation. */
export interface KeyProfile {
  /** A new key is issued every this many milliseconds from the start of the run; `null` never rotates. @default null */
  readonly rotateEveryMs: number | null;
  /** How long the replaced key is still accepted after a rotation, in milliseconds; less than `rotateEveryMs`. @default 5_000 */
  readonly overlapMs: number;
  /** A file the current key is written to (alone, with a newline) at the start and at every rotation; `null` writes none. @default null */
  readonly file: string | null;
}

/** A complete fault profile: what {@link resolveProfile} returns and the simulator runs. */
export interface Profile {
  /** A label for reports. @default 'custom' (a built-in's name when extending one, a file's base name when loaded from one) */
  readonly name: string;
  /** Seeds every random draw, so a run can be repeated. @default 1 */
  readonly seed: number;
  readonly latency: LatencyProfile;
  readonly errors: ErrorProfile;
  readonly hangs: HangProfile;
  readonly drops: DropProfile;
  /** `null`: no rate limit and no `RateLimit` fields. @default null */
  readonly rateLimit: RateLimitProfile | null;
  /** @default [] */
  readonly outages: readonly OutageWindow[];
  readonly keys: KeyProfile;
}

type Writable<T> = { -readonly [K in keyof T]?: T[K] };

/**
 * A profile as written in a JSON file or passed in code: every field may be left out, and takes its
 * value from the built-in profile named by `extends`, else from the defaults. Sections merge field by
 * field; `errors.statuses` and `outages` are replaced as a whole.
 */
export interface ProfileInput {
  /** A built-in profile to start from. */
  readonly extends?: BuiltInProfileName;
  readonly name?: string;
  readonly seed?: number;
  readonly latency?: Readonly<Writable<LatencyProfile>>;
  readonly errors?: Readonly<Writable<ErrorProfile>>;
  readonly hangs?: Readonly<Writable<HangProfile>>;
  readonly drops?: Readonly<Writable<DropProfile>>;
  readonly rateLimit?: Readonly<Writable<RateLimitProfile>> | null;
  readonly outages?: readonly OutageWindow[];
  readonly keys?: Readonly<Writable<KeyProfile>>;
}

const DEFAULTS: Profile = {
  name: 'custom',
  seed: 1,
  latency: { p50Ms: 0, p99Ms: 0, maxMs: 30_000 },
  errors: { rate: 0, statuses: { '500': 1, '502': 1, '503': 1 } },
  hangs: { rate: 0, ms: null },
  drops: { rate: 0 },
  rateLimit: null,
  outages: [],
  keys: { rotateEveryMs: null, overlapMs: 5_000, file: null },
};

/** Options for {@link resolveProfile}. */
export interface ResolveProfileOptions {
  /** Named in every error message, such as the profile file's path. */
  readonly source?: string;
  /** The profile to merge onto when the input has no `extends`. @default the defaults */
  readonly base?: Profile;
  /** The name when the input gives none. @default the base's name */
  readonly name?: string;
}

/**
 * Checks a profile and fills in what it leaves out. Throws a {@link ConfigError} naming the field, the
 * value and what was expected, for an unknown field as for a value out of range.
 *
 * @example
 * ```ts
 * const profile = resolveProfile({ extends: 'hard', outages: [] }); // hard, with no outage
 * ```
 */
export function resolveProfile(input: BuiltInProfileName | ProfileInput, options: ResolveProfileOptions = {}): Profile {
  const { source } = options;
  if (typeof input === 'string') {
    if (!Object.hasOwn(BUILT_IN_PROFILES, input)) {
      throw new ConfigError('profile', input, `one of ${Object.keys(BUILT_IN_PROFILES).map((n) => `"${n}"`).join(', ')}`, { source });
    }
    return resolveProfile(BUILT_IN_PROFILES[input as BuiltInProfileName], { name: input });
  }
  checkProfileInput(input, source);
  const base = input.extends === undefined ? (options.base ?? DEFAULTS) : resolveProfile(input.extends);
  const latency = { ...base.latency, ...input.latency };
  if (input.latency?.p50Ms !== undefined && input.latency.p99Ms === undefined) {
    latency.p99Ms = Math.max(base.latency.p99Ms, latency.p50Ms);
  }
  const rateLimit =
    input.rateLimit === null ? null : input.rateLimit === undefined ? base.rateLimit : { ...base.rateLimit, ...input.rateLimit };
  const profile: Profile = {
    name: input.name ?? options.name ?? base.name,
    seed: input.seed ?? base.seed,
    latency,
    errors: { ...base.errors, ...input.errors },
    hangs: { ...base.hangs, ...input.hangs },
    drops: { ...base.drops, ...input.drops },
    rateLimit: rateLimit as RateLimitProfile | null,
    outages: input.outages ?? base.outages,
    keys: { ...base.keys, ...input.keys },
  };
  crossCheck(profile, source);
  return profile;
}
