import { DEFAULT_MAX_HINT_MS, expectHintOptions, retryAfterMs as parseRetryAfterMs } from './parse-retry-after.js';
import { invalidOption, knownOptions } from './validate.js';
import { arrayBufferToBase64, isInnerList, parseList, Token, type BareItem, type InnerList, type Item } from 'structured-headers';

/** Anything with `get(name)` that answers case-insensitively, such as the Fetch `Headers`. */
export interface HeadersLike {
  get(name: string): string | null | undefined;
}

/** A plain record of headers, as Node's `IncomingHttpHeaders` or a test fixture; names in any case. */
export type HeaderRecord = Readonly<Record<string, string | readonly string[] | number | undefined>>;

/**
 * A Fetch `Response`, or anything shaped like one: a status and headers (a `Headers`-like object, or a
 * plain record as undici's `request`, got or axios give).
 */
export interface ResponseLike {
  readonly status: number;
  readonly headers: HeadersLike | HeaderRecord;
}

/** What {@link parseServerHints} reads. */
export type ServerHintsInput = ResponseLike | HeadersLike | HeaderRecord;

/** Options for {@link parseServerHints}. */
export interface ParseServerHintsOptions {
  /** Wall-clock time, milliseconds since the Unix epoch, that dates and epoch resets are measured against. @default Date.now() */
  readonly now?: number;
  /** Any wait or reset longer than this is clamped to it, in milliseconds. @default 86_400_000 (one day) */
  readonly maxHintMs?: number;
}

/** One quota policy from the IETF `RateLimit-Policy` field: `"burst";q=100;w=60`. */
export interface RateLimitPolicyHint {
  /** The policy's identifier (`burst`); for old-draft numeric items (`10;w=1`), `""`. */
  readonly name: string;
  /** The quota (`q`). */
  readonly quota: number;
  /** The window (`w`), in milliseconds, when given. */
  readonly windowMs: number | undefined;
  /** The quota unit (`qu`), such as `requests` or `content-bytes`, when given. */
  readonly quotaUnit: string | undefined;
  /** The partition key (`pk`) as canonical base64, when given. */
  readonly partitionKey: string | undefined;
}

/** The live state of one quota from the IETF `RateLimit` field: `"default";r=50;t=30`. */
export interface RateLimitHint {
  /** The policy's identifier. */
  readonly name: string;
  /** Quota units left (`r`). */
  readonly remaining: number;
  /** Milliseconds until the quota resets (`t`), when given. */
  readonly resetMs: number | undefined;
  /** The partition key (`pk`) as canonical base64, when given. */
  readonly partitionKey: string | undefined;
}

/** Which header decided {@link ServerHints.retryAfterMs}, {@link ServerHints.remaining} and the rest. */
export type ServerHintSource = 'retry-after' | 'ratelimit' | 'x-ratelimit' | 'none';

/**
 * What a response said about rate limits, as plain data. Every duration is in milliseconds from
 * `now`, never an absolute time, so it can be handed to a shared store whose clock differs.
 */
export interface ServerHints {
  /** The response status, when a response (not bare headers) was given. */
  readonly status: number | undefined;
  /** How long to wait before the next request: `Retry-After` when valid and present. */
  readonly retryAfterMs: number | undefined;
  /** Requests (quota units) left, from the most constrained quota the server reported. */
  readonly remaining: number | undefined;
  /** The quota of that same limit, when known. */
  readonly limit: number | undefined;
  /** Milliseconds until that limit resets, when known. */
  readonly resetMs: number | undefined;
  /**
   * The earliest time to send again, in milliseconds: `retryAfterMs` when given (it takes precedence),
   * else `resetMs` when nothing is `remaining`, else `undefined` (no reason to wait).
   */
  readonly waitMs: number | undefined;
  /** Every policy in `RateLimit-Policy`. */
  readonly policies: readonly RateLimitPolicyHint[];
  /** Every quota in `RateLimit`. */
  readonly limits: readonly RateLimitHint[];
  /** Which header `waitMs` (or, without one, `remaining`) came from. */
  readonly source: ServerHintSource;
}

const isHeadersLike = (value: unknown): value is HeadersLike =>
  typeof (value as { get?: unknown }).get === 'function';

function reader(input: ServerHintsInput): { get: (name: string) => string | undefined; status: number | undefined } {
  if (typeof input !== 'object' || input === null) {
    // A string here may be a header's value (a token): described, never shown.
    throw invalidOption('input', input, 'a Response, Headers or a record of headers', { redact: typeof input === 'string' });
  }
  const maybeResponse = input as Partial<ResponseLike>;
  if (typeof maybeResponse.status === 'number' && typeof maybeResponse.headers === 'object' && maybeResponse.headers !== null) {
    return { get: reader(maybeResponse.headers).get, status: maybeResponse.status };
  }
  if (isHeadersLike(input)) return { get: (n) => input.get(n) ?? undefined, status: undefined };
  const lower = new Map<string, string>();
  for (const [name, value] of Object.entries(input as HeaderRecord)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    const key = name.toLowerCase();
    const prior = lower.get(key);
    lower.set(key, prior === undefined ? text : `${prior}, ${text}`);
  }
  return { get: (n) => lower.get(n), status: undefined };
}

/**
 * A structured field list (RFC 9651), or `undefined` when the field is malformed: any syntax error
 * fails the whole field, so a half-understood header is never trusted.
 */
function parseStructuredList(text: string): Array<Item | InnerList> | undefined {
  try {
    return parseList(text);
  } catch {
    return undefined;
  }
}

const asNonNegativeInteger = (item: BareItem | undefined): number | undefined =>
  typeof item === 'number' && Number.isInteger(item) && item >= 0 ? item : undefined;
const asText = (item: BareItem | undefined): string | undefined => {
  if (typeof item === 'string') return item;
  if (item instanceof Token) return item.toString();
  if (item instanceof ArrayBuffer || ArrayBuffer.isView(item)) return arrayBufferToBase64(item);
  return undefined;
};

function memberName(member: Item | InnerList): string | undefined {
  if (isInnerList(member)) return undefined;
  const [item] = member;
  if (typeof item === 'string') return item;
  if (item instanceof Token) return item.toString();
  return undefined;
}

function parsePolicies(text: string | undefined, maxMs: number): RateLimitPolicyHint[] {
  if (text === undefined) return [];
  const members = parseStructuredList(text);
  if (members === undefined) return [];
  const out: RateLimitPolicyHint[] = [];
  for (const member of members) {
    const [item, params] = member;
    let name = memberName(member);
    let quota = asNonNegativeInteger(params.get('q'));
    // Drafts up to -07 wrote the quota as the item itself: `10;w=1`.
    const itemQuota = isInnerList(member) ? undefined : asNonNegativeInteger(item as BareItem);
    if (name === undefined && itemQuota !== undefined) {
      name = '';
      quota ??= itemQuota;
    }
    if (name === undefined || quota === undefined) continue;
    const w = asNonNegativeInteger(params.get('w'));
    out.push({
      name,
      quota,
      windowMs: w === undefined ? undefined : Math.min(w * 1000, maxMs),
      quotaUnit: asText(params.get('qu')),
      partitionKey: asText(params.get('pk')),
    });
  }
  return out;
}

function parseLimits(text: string | undefined, maxMs: number): RateLimitHint[] {
  if (text === undefined) return [];
  const members = parseStructuredList(text);
  if (members === undefined) return [];
  const out: RateLimitHint[] = [];
  for (const member of members) {
    const [, params] = member;
    const name = memberName(member);
    const remaining = asNonNegativeInteger(params.get('r'));
    if (name === undefined || remaining === undefined) continue;
    const t = asNonNegativeInteger(params.get('t'));
    out.push({
      name,
      remaining,
      resetMs: t === undefined ? undefined : Math.min(t * 1000, maxMs),
      partitionKey: asText(params.get('pk')),
    });
  }
  return out;
}

/** The leading non-negative number of a legacy header (`100`, `100, 100;w=60`, `599.0`), else undefined. */
function leadingNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:[,;]|$)/.exec(text);
  return m === null ? undefined : Number(m[1]);
}

// Thresholds for telling the three conventions of X-RateLimit-Reset apart: a delta of more than a
// billion seconds (31 years) is not a delta, and an epoch in seconds stays below 1e12 until the year
// 33658, while an epoch in milliseconds has been above it since 2001.
const EPOCH_SECONDS_FROM = 1e9;
const EPOCH_MS_FROM = 1e12;

/**
 * Reads a legacy reset value and returns milliseconds from `now`: GitHub and Twitter send epoch
 * seconds, others delta seconds (`60`), a few epoch milliseconds. Told apart by magnitude.
 */
function legacyResetMs(value: number, now: number, maxMs: number): number {
  let ms: number;
  if (value >= EPOCH_MS_FROM) ms = value - now;
  else if (value >= EPOCH_SECONDS_FROM) ms = value * 1000 - now;
  else ms = value * 1000;
  return Math.min(Math.max(0, Math.ceil(ms)), maxMs);
}

const PARSE_SERVER_HINTS_OPTIONS = knownOptions<ParseServerHintsOptions>('parseServerHints()', { now: [], maxHintMs: ['maxHint', 'maxWaitMs'] });

/**
 * Reads what a server said about its rate limits — from a Fetch `Response`, a `Headers` object or a
 * plain record of headers — into plain data: one parser shared by ratelimit, retry and http.
 *
 * It understands, in order of precedence:
 * 1. `Retry-After`: delay-seconds or an HTTP-date in all three RFC 9110 formats; malformed values
 *    are ignored (never trusted), waits clamped to `maxHintMs`.
 * 2. The IETF `RateLimit` and `RateLimit-Policy` fields (draft-ietf-httpapi-ratelimit-headers,
 *    Structured Field lists such as `"default";r=50;t=30` and `"burst";q=100;w=60`); an invalid
 *    list is ignored as a whole, as RFC 9651 requires. The earlier drafts' `RateLimit-Limit`,
 *    `RateLimit-Remaining` and `RateLimit-Reset` (delta seconds) count as this family too.
 * 3. Legacy `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (or Twitter's
 *    `x-rate-limit-*`), whose reset may be
 *    epoch seconds (GitHub), delta seconds or epoch milliseconds — told apart by magnitude — and
 *    `X-RateLimit-Reset-After` (delta seconds, Discord), preferred when present.
 *
 * When several quotas are reported, the summary (`remaining`, `limit`, `resetMs`) describes the most
 * constrained one: an exhausted quota with the longest reset, else the one with the fewest left.
 * A limit sent alone (`X-RateLimit-Limit` or `RateLimit-Limit` with no remaining count) is `limit`,
 * with `remaining` and `resetMs` undefined.
 *
 * @example
 * ```ts
 * declare const url: string;
 * const response = await fetch(url);
 * const hints = parseServerHints(response);
 * if (hints.waitMs !== undefined) await sleep(hints.waitMs);
 * ```
 */
export function parseServerHints(input: ServerHintsInput, options: ParseServerHintsOptions = {}): ServerHints {
  expectHintOptions(options, PARSE_SERVER_HINTS_OPTIONS);
  const { get, status } = reader(input);
  const now = options.now ?? Date.now();
  const maxMs = options.maxHintMs ?? DEFAULT_MAX_HINT_MS;

  const retryAfterMs = parseRetryAfterMs(get('retry-after'), now, maxMs);
  const policies = parsePolicies(get('ratelimit-policy'), maxMs);
  const limits = parseLimits(get('ratelimit'), maxMs);

  let remaining: number | undefined;
  let limit: number | undefined;
  let resetMs: number | undefined;
  let family: ServerHintSource = 'none';

  if (limits.length > 0) {
    let binding = limits[0]!;
    for (const l of limits) {
      const exhausted = l.remaining === 0;
      const bindingExhausted = binding.remaining === 0;
      if (exhausted && (!bindingExhausted || (l.resetMs ?? 0) > (binding.resetMs ?? 0))) binding = l;
      else if (!exhausted && !bindingExhausted && l.remaining < binding.remaining) binding = l;
    }
    remaining = binding.remaining;
    resetMs = binding.resetMs;
    limit = policies.find((p) => p.name === binding.name)?.quota;
    family = 'ratelimit';
  } else {
    const draftRemaining = leadingNumber(get('ratelimit-remaining'));
    // Twitter/X spells the legacy family with an extra dash: x-rate-limit-*.
    const x = get('x-ratelimit-remaining') !== undefined ? 'x-ratelimit' : 'x-rate-limit';
    const xRemaining = leadingNumber(get(`${x}-remaining`));
    if (draftRemaining !== undefined) {
      remaining = Math.floor(draftRemaining);
      limit = leadingNumber(get('ratelimit-limit'));
      const reset = leadingNumber(get('ratelimit-reset'));
      if (reset !== undefined) resetMs = Math.min(Math.ceil(reset * 1000), maxMs);
      family = 'ratelimit';
    } else if (xRemaining !== undefined) {
      remaining = Math.floor(xRemaining);
      limit = leadingNumber(get(`${x}-limit`));
      const after = leadingNumber(get(`${x}-reset-after`));
      const reset = leadingNumber(get(`${x}-reset`));
      if (after !== undefined) resetMs = Math.min(Math.ceil(after * 1000), maxMs);
      else if (reset !== undefined) resetMs = legacyResetMs(reset, now, maxMs);
      family = 'x-ratelimit';
    } else {
      // A limit sent alone, with no count of what is left: a quota whose window is not stated.
      const legacy = leadingNumber(get('x-ratelimit-limit')) ?? leadingNumber(get('x-rate-limit-limit'));
      const draft = leadingNumber(get('ratelimit-limit'));
      if (legacy !== undefined) {
        limit = legacy;
        family = 'x-ratelimit';
      } else if (draft !== undefined) {
        limit = draft;
        family = 'ratelimit';
      }
    }
  }
  if (limit === undefined && policies.length === 1) limit = policies[0]!.quota;

  let waitMs: number | undefined;
  let source: ServerHintSource = family;
  if (retryAfterMs !== undefined) {
    waitMs = retryAfterMs;
    source = 'retry-after';
  } else if (remaining === 0 && resetMs !== undefined) {
    waitMs = resetMs;
  }
  return { status, retryAfterMs, remaining, limit, resetMs, waitMs, policies, limits, source };
}
