/** What a redacted value is replaced with, in URLs, problem details and anything else shown. */
export const REDACTED = '[REDACTED]';

// Parts of a query parameter's name that mark its value as a credential: `api_key`, `apiKey`,
// `access_token`, `X-Amz-Signature`, `X-Amz-Credential`, `client_secret`, `password`, `sig`, ...
const SENSITIVE = /key|token|secret|pass|pwd|sig|auth|credential|session|jwt|bearer|cookie|private|otp/i;

/** A scheme and the user info after it, up to the `@`, of a URL with no host. */
const USER_INFO = /^[a-z][a-z\d+.-]*:[^/?#]*@/i;

/**
 * The default test of which query parameters carry credentials: a name containing `key`, `token`,
 * `secret`, `pass`, `pwd`, `sig`, `auth`, `credential`, `session`, `jwt`, `bearer`, `cookie`,
 * `private` or `otp` (any case), or the OAuth `code`. Errs on the side of hiding: `monkey=1` is
 * hidden too.
 */
export function isSensitiveParam(name: string): boolean {
  return SENSITIVE.test(name) || name.toLowerCase() === 'code';
}

/**
 * A URL as it may appear in an error, an event or a log line: without user name and password,
 * without the fragment (OAuth puts tokens there), and with the value of every query parameter that
 * `isSensitive` picks (default {@link isSensitiveParam}) replaced by `[REDACTED]`. Everything else,
 * the path included, is kept as it was sent.
 *
 * A string that is not an absolute URL is redacted as far as it can be read and never thrown on.
 *
 * @example
 * ```ts
 * redactUrl('https://user:pw@api.example.com/v1/rates?base=EUR&api_key=abc#frag'); // bulwark-allow-secret: example
 * // 'https://api.example.com/v1/rates?base=EUR&api_key=[REDACTED]'
 * ```
 */
export function redactUrl(url: string | URL, isSensitive: (name: string) => boolean = isSensitiveParam): string {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : new URL(url.href);
  } catch {
    // Not a URL: drop anything that looks like userinfo and the whole query, to be safe.
    const text = String(url);
    return text.replace(/\/\/[^/@?#]*@/, '//').replace(/[?#].*$/s, '');
  }
  parsed.username = '';
  parsed.password = '';
  parsed.hash = '';
  // `ada:pw@api.example.com`, written without a scheme, parses with `ada:` as its scheme and the
  // password in its path: everything before the `@` is user info.
  const head = parsed.host === '' && /^[^/?#]*@/.test(parsed.pathname) ? USER_INFO : undefined;
  const query = parsed.search;
  if (query.length <= 1) return head === undefined ? parsed.href : parsed.href.replace(head, `${REDACTED}@`);
  parsed.search = '';
  const pairs = query.slice(1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    let name = rawName;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
    } catch {
      // A malformed escape: judge the raw name.
    }
    return isSensitive(name) && eq !== -1 ? `${rawName}=${REDACTED}` : pair;
  });
  const href = head === undefined ? parsed.href : parsed.href.replace(head, `${REDACTED}@`);
  return `${href}?${pairs.join('&')}`;
}
