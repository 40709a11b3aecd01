/**
 * Credentials inside URLs, by the rule `@bulwark/telemetry` applies to health-check output (its
 * `internal/redact-credentials.ts`; the two copies are pinned by the same cases in both packages'
 * tests): the whole user information of a URL, and the value of every query or fragment parameter
 * whose name is credential-like.
 */

/** Words that make a parameter a credential wherever they are in its name (`sslpassword`). */
const SECRET_WORDS = /password|passwd|passphrase|secret|token|apikey|credential/i;
/** Name segments that do so as a whole segment only (`key` in `api_key`, not in `monkey`). */
const SECRET_SEGMENTS = new Set(['pass', 'pwd', 'auth', 'authorization', 'key', 'sig', 'signature', 'session', 'sessionid', 'jwt', 'bearer', 'cookie', 'otp']);

/**
 * Whether a parameter name names a credential: it holds a word of {@link SECRET_WORDS}, or one of its
 * segments (split at `_`, `-`, `.` and camelCase) is in {@link SECRET_SEGMENTS}. So `api_key`,
 * `apiKey`, `X-Api-Key`, `access_token`, `X-Amz-Signature` and `sig` do, and `monkey`, `keyspace`
 * and `TokenExpiredError` do not.
 */
function isSecretName(name: string): boolean {
  if (/(?:error|exception)$/i.test(name)) return false;
  if (SECRET_WORDS.test(name)) return true;
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .some((segment) => SECRET_SEGMENTS.has(segment.toLowerCase()));
}

const NAME_CACHE_LIMIT = 1024;
const names = new Map<string, boolean>();

function isSecretParameter(name: string): boolean {
  let secret = names.get(name);
  if (secret === undefined) {
    secret = isSecretName(name);
    if (names.size >= NAME_CACHE_LIMIT) names.clear();
    names.set(name, secret);
  }
  return secret;
}

/**
 * A parameter whose name holds a word that every credential-like name holds (each of
 * {@link SECRET_WORDS} and {@link SECRET_SEGMENTS} contains one): a string without one has no
 * credential parameter, and the name-by-name reading is skipped.
 */
const MAYBE_SECRET_PARAMETER = /[?&#;][\w.-]*(?:pass|pwd|auth|key|sig|session|jwt|bearer|cookie|otp|secret|token|credential)[\w.-]*=/i;

/** A parameter name as telemetry reads one: a letter or `_`, then letters, digits, `_`, `.`, `-`. */
function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 46 || c === 45;
}

/** What ends a parameter's value: whitespace and control characters, `"'&,;<>(){}[]`. */
function endsValue(c: number): boolean {
  return c <= 32 || c === 34 || c === 39 || c === 38 || c === 44 || c === 59 || c === 60 || c === 62 || c === 40 || c === 41 || c === 123 || c === 125 || c === 91 || c === 93;
}

/** A character of a host and port as a URL writes them: letters, digits, `-._~%`, `:`, `[` and `]`. */
function isHostChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 58) || c === 45 || c === 46 || c === 95 || c === 126 || c === 37 || c === 91 || c === 93;
}

/**
 * Whether `text` from `from` to `to` reads as a host with an optional port (`db`, `db:5432`,
 * `[::1]:8080`, `localhost:`): a colon there is followed by up to five digits. Anything else before a
 * `/`, `?` or `#` (`user:ab`, `:p`) is a user and a password holding that character.
 */
function isHostAndPort(text: string, from: number, to: number): boolean {
  let colon: number;
  if (text.charCodeAt(from) === 91) {
    const close = text.indexOf(']', from);
    if (close < 0 || close >= to) return false;
    colon = close + 1;
    if (colon === to) return true;
    if (text.charCodeAt(colon) !== 58) return false;
  } else {
    colon = text.indexOf(':', from);
    if (colon < 0 || colon >= to) return true;
    if (colon === from) return false;
  }
  if (to - colon - 1 > 5) return false;
  for (let i = colon + 1; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * The `@` that ends a password holding a `/`, `?` or `#` (`user:ab#cd@db`), searched from `from`:
 * the first `@` followed by a host that something other than another `@` ends. -1 when whitespace,
 * a control character, a quote, `<`, `>`, a backquote or `//` (the next URL) comes first: the text
 * was no password, and nothing of it is hidden.
 */
function passwordEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c === 34 || c === 39 || c === 60 || c === 62 || c === 96 || (c === 47 && text.charCodeAt(i + 1) === 47)) return -1;
    if (c === 64) {
      let j = i + 1;
      while (j < text.length && isHostChar(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) !== 64) return i;
      i = j - 1;
    }
  }
  return -1;
}

/**
 * `text` with the user information of every URL from `firstAt`'s on replaced: after `//`, the
 * authority before its last `@`, and past a `/`, `?` or `#` that a password holds (see
 * {@link isHostAndPort}), up to the `@` before the host (see {@link passwordEnd}).
 */
function redactUserInfo(text: string, censor: string, firstAt: number): string {
  let found = text.lastIndexOf('//', firstAt);
  let out = '';
  let from = 0;
  while (found >= 0) {
    const start = found + 2;
    let end = start;
    let at = -1;
    for (; end < text.length; end++) {
      const c = text.charCodeAt(end);
      // '/', '?', '#', and whitespace or control characters end the authority.
      if (c === 47 || c === 63 || c === 35 || c <= 32) break;
      if (c === 64) at = end;
    }
    if (end < text.length && text.charCodeAt(end) > 32 && !isHostAndPort(text, at < 0 ? start : at + 1, end)) {
      const further = passwordEnd(text, end);
      if (further >= 0) at = end = further;
    }
    if (at >= 0) {
      out += text.slice(from, start) + censor;
      from = at;
    }
    found = text.indexOf('//', end);
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * `text` with the credentials of URLs replaced by `censor`. After each `//`, everything of the
 * authority (up to the first `/`, `?`, `#` or whitespace) before its last `@`
 * (`postgres://[REDACTED]@db`, `https://[REDACTED]@github.com`: a user alone is often a token), and
 * further when the authority so far is no host and port (`user:ab#cd@db`, `:p/ss@host`): up to the
 * first `@` followed by a host that no other `@` follows (`postgres://[REDACTED]@db`); and
 * after the first `//`, the value of each `name=value` parameter (`?`, `&`, `#` or `;` before its
 * name) whose name is credential-like (`?api_key=[REDACTED]&page=2`, `#access_token=[REDACTED]`),
 * up to whitespace or one of `"'&,;<>(){}[]`. Most strings hold no `//` and cost one search for
 * it; a URL without `@` or `=` one more search each; one with parameters, one regular expression
 * (`MAYBE_SECRET_PARAMETER`) before any name is read.
 */
export function redactUrlCredentials(text: string, censor: string): string {
  const first = text.indexOf('//');
  if (first < 0) return text;
  const firstAt = text.indexOf('@', first);
  const out = firstAt < 0 ? text : redactUserInfo(text, censor, firstAt);
  let eq = out.indexOf('=', first);
  // One search rules out most strings: a credential-like name holds one of these words.
  if (eq < 0 || !MAYBE_SECRET_PARAMETER.test(out)) return out;
  let result = '';
  let from = 0;
  while (eq >= 0) {
    let next = eq + 1;
    let nameStart = eq;
    while (nameStart > first && isNameChar(out.charCodeAt(nameStart - 1))) nameStart--;
    const before = out.charCodeAt(nameStart - 1);
    // '?', '&', '#', ';' before a name that starts as names do.
    if (nameStart < eq && nameStart >= from && isNameStart(out.charCodeAt(nameStart)) && (before === 63 || before === 38 || before === 35 || before === 59)) {
      if (isSecretParameter(out.slice(nameStart, eq))) {
        let end = eq + 1;
        while (end < out.length && !endsValue(out.charCodeAt(end))) end++;
        if (end > eq + 1 && out.slice(eq + 1, end) !== censor) {
          result += out.slice(from, eq + 1) + censor;
          from = end;
        }
        next = end;
      }
    }
    eq = out.indexOf('=', next);
  }
  return from === 0 ? out : result + out.slice(from);
}
