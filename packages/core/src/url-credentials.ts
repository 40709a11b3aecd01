/**
 * Credentials in text that may hold URLs, by one rule for every package that writes text out (log
 * lines, health reports): the whole user information of a URL, and the test of whether a name names
 * a credential.
 */

import { invalidOption } from './validate.js';

/** Words that make a name a credential wherever they are in its name (`sslpassword`). */
const SECRET_WORDS = /password|passwd|passphrase|secret|token|apikey|credential/i;
/** Name segments that do so as a whole segment only (`key` in `api_key`, not in `monkey`). */
const SECRET_SEGMENTS = new Set(['pass', 'pwd', 'auth', 'authorization', 'key', 'sig', 'signature', 'session', 'sessionid', 'jwt', 'bearer', 'cookie', 'otp']);

/**
 * Whether a parameter name names a credential: it holds a word of {@link SECRET_WORDS}, or one of its
 * segments (split at `_`, `-`, `.` and camelCase) is in {@link SECRET_SEGMENTS}. So `api_key`,
 * `apiKey`, `X-Api-Key`, `access_token`, `X-Amz-Signature` and `sig` do, and `monkey`, `keyspace`
 * and `TokenExpiredError` do not.
 */
export function isCredentialName(name: string): boolean {
  // Refused, not answered false: a caller deciding what to hide would show what it meant to hide.
  if (typeof name !== 'string') throw invalidOption('name', name, 'a parameter or field name (a string)');
  if (/(?:error|exception)$/i.test(name)) return false;
  if (SECRET_WORDS.test(name)) return true;
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .some((segment) => SECRET_SEGMENTS.has(segment.toLowerCase()));
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
 * `text` with the user information of every URL replaced by `censor`, whole
 * (`postgres://[REDACTED]@db`, `https://[REDACTED]@github.com`: a user alone is often a token): after
 * `//`, the authority before its last `@`, and past a `/`, `?` or `#` that a password holds
 * (`user:ab#cd@db`), up to the `@` before the host. A text without `//` followed by `@` costs two
 * searches and is returned as it is. A password of up to five digits before a `/`, `?` or `#`
 * (`user:1234/x@db`) reads exactly as `host:port/path` and is not hidden.
 */
export function redactUrlUserInfo(text: string, censor: string): string {
  // `text` is never shown: a string here is fine, and anything else is described by its kind alone.
  if (typeof text !== 'string') throw invalidOption('text', text, 'a string', { redact: true });
  if (typeof censor !== 'string') throw invalidOption('censor', censor, "a string to put in the user information's place (`'[REDACTED]'`)");
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
      out += text.slice(from, start) + censor;
      from = at;
    }
    found = text.indexOf('//', end);
  }
  return from === 0 ? text : out + text.slice(from);
}
