import { isCredentialName, redactUrlUserInfo } from '@bulwark/core';

/**
 * Credentials inside URLs, by the rule `@bulwark/telemetry` applies to health-check output: the whole
 * user information of a URL (core's `redactUrlUserInfo`), and the value of every query or fragment
 * parameter whose name is credential-like (core's `isCredentialName`).
 */

const NAME_CACHE_LIMIT = 1024;
const names = new Map<string, boolean>();

function isSecretParameter(name: string): boolean {
  let secret = names.get(name);
  if (secret === undefined) {
    secret = isCredentialName(name);
    if (names.size >= NAME_CACHE_LIMIT) names.clear();
    names.set(name, secret);
  }
  return secret;
}

/**
 * A parameter whose name holds a word that every credential-like name holds (each word and segment of
 * core's `isCredentialName` contains one): a string without one has no
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
  const out = redactUrlUserInfo(text, censor);
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
