/** What stands in for a credential in a report. */
const REDACTED = '[REDACTED]';

/** Words that make a `name=value` or `name: value` pair a credential wherever they are in the name (`sslpassword`). */
const SECRET_WORDS = /password|passwd|passphrase|secret|token|apikey|credential/i;
/** Name segments that do so as a whole segment only (`key` in `api_key`, not in `monkey`). */
const SECRET_SEGMENTS = new Set(['pass', 'pwd', 'auth', 'authorization', 'key', 'sig', 'signature', 'session', 'sessionid', 'jwt', 'bearer', 'cookie', 'otp']);

/**
 * Whether a field name names a credential: it holds a word of {@link SECRET_WORDS}, or one of its
 * segments (split at `_`, `-`, `.` and camelCase) is in {@link SECRET_SEGMENTS}. So `api_key`,
 * `apiKey`, `X-Api-Key`, `access_token`, `db.password` and `AWSSecretAccessKey` do, and `monkey`,
 * `keyspace` and `TokenExpiredError` (a class name) do not.
 */
function isSecretName(name: string): boolean {
  if (/(?:error|exception)$/i.test(name)) return false;
  if (SECRET_WORDS.test(name)) return true;
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .some((segment) => SECRET_SEGMENTS.has(segment.toLowerCase()));
}

/** Authorization schemes (RFC 9110 §11 and common ones); the credential is the word after them. */
const SCHEMES = 'Bearer|Basic|Digest|Negotiate|NTLM|ApiKey|Api-Key|Token|DPoP|Hawk|AWS4-HMAC-SHA256|PrivateToken';
/** `scheme credential`: the word after an authorization scheme. */
const SCHEME_CREDENTIAL = new RegExp(`\\b(${SCHEMES})([ \\t]+)([^\\s"',;)}\\]]+)`, 'gi');
/**
 * `name=value`, `name: value`, `"name": "value"`, and query parameters (`?api_key=…&token=…`). The
 * value is a quoted string, or an optional scheme and a word (`Authorization: Bearer abc`).
 */
const PAIR = new RegExp(
  `(?<![\\w.-])(["']?)([A-Za-z_][\\w.-]*)\\1([ \\t]*[:=][ \\t]*)("[^"]*"|'[^']*'|(?:(?:${SCHEMES})[ \\t]+)?[^\\s"'&,;<>(){}\\[\\]]+)`,
  'gi',
);
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
 * `text` with the user information of every URL (`scheme://user:password@host`, `https://token@host`)
 * replaced, whole: after `//`, the authority before its last `@`, and past a `/`, `?` or `#` that a
 * password holds (see {@link isHostAndPort}), up to the `@` before the host (see {@link passwordEnd}).
 * The rule of `@bulwark/logging`'s `internal/url-credentials.ts`; the same cases pin both copies.
 */
function redactUserInfo(text: string): string {
  const first = text.indexOf('//');
  if (first < 0) return text;
  const firstAt = text.indexOf('@', first);
  if (firstAt < 0) return text;
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
      out += text.slice(from, start) + REDACTED;
      from = at;
    }
    found = text.indexOf('//', end);
  }
  return from === 0 ? text : out + text.slice(from);
}

/** `Token` is a word as well as a scheme: after it, only what looks like a credential is hidden. */
const looksLikeCredential = (word: string): boolean => /[^a-z]/.test(word) || word.length >= 16;

/**
 * `text` with the value of every secret-like pair redacted. A pair whose name is not secret-like is
 * passed over by its name alone, so that its value (`Error: token=…`) is read as text again.
 */
function redactPairs(text: string): string {
  if (!/[:=]/.test(text)) return text;
  let out = '';
  let from = 0;
  PAIR.lastIndex = 0;
  for (let match = PAIR.exec(text); match !== null; match = PAIR.exec(text)) {
    const [whole, quote = '', name = '', separator = '', value = ''] = match;
    if (!isSecretName(name) || value.startsWith(REDACTED)) {
      PAIR.lastIndex = match.index + quote.length + name.length;
      continue;
    }
    const shown = value.startsWith('"') ? `"${REDACTED}"` : value.startsWith("'") ? `'${REDACTED}'` : REDACTED;
    out += `${text.slice(from, match.index)}${quote}${name}${quote}${separator}${shown}`;
    from = match.index + whole.length;
  }
  return out + text.slice(from);
}

/**
 * `text` with the common shapes of credentials replaced by `[REDACTED]`: URL user information,
 * `name=value` and `name: value` pairs (query parameters and JSON included) whose name is secret-like,
 * and the credential after an authorization scheme (`Bearer …`, `Basic …`).
 */
export function redactCredentials(text: string): string {
  let out = redactUserInfo(text);
  out = redactPairs(out);
  return out.replace(SCHEME_CREDENTIAL, (whole: string, scheme: string, space: string, credential: string) => {
    if (credential.startsWith(REDACTED)) return whole;
    if (scheme.toLowerCase() === 'token' && !looksLikeCredential(credential)) return whole;
    return `${scheme}${space}${REDACTED}`;
  });
}

/**
 * `value` with {@link redactCredentials} applied to every string `JSON.stringify` would write from it
 * (through `toJSON`, arrays and own enumerable properties); `value` itself when nothing changed.
 */
export function redactStrings<T>(value: T, path: Set<object> = new Set()): T {
  if (typeof value === 'string') return redactCredentials(value) as T;
  if (typeof value !== 'object' || value === null || path.has(value)) return value;
  path.add(value);
  try {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      const json: unknown = toJSON.call(value);
      const redacted = redactStrings(json, path);
      return (redacted === json ? value : redacted) as T;
    }
    if (Array.isArray(value)) {
      const items = value.map((item: unknown) => redactStrings(item, path));
      return (items.some((item, i) => item !== value[i]) ? items : value) as T;
    }
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const redacted = redactStrings(item, path);
      if (redacted !== item) changed = true;
      out[key] = redacted;
    }
    return (changed ? out : value) as T;
  } finally {
    path.delete(value);
  }
}
