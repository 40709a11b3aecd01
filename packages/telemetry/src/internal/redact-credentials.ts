import { isCredentialName, redactUrlUserInfo } from '@bulwark/core';

/** What stands in for a credential in a report. */
const REDACTED = '[REDACTED]';

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
    if (!isCredentialName(name) || value.startsWith(REDACTED)) {
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
  let out = redactUrlUserInfo(text, REDACTED);
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
