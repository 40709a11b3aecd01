/** A credential shape the scanner looks for. */
export interface SecretRule {
  readonly id: string;
  readonly description: string;
  readonly pattern: RegExp;
  /** Rejects matches that are placeholders or too regular to be credentials. */
  readonly accept?: (match: RegExpExecArray) => boolean;
  /** A rendering of the match that shows where, never what. */
  readonly preview: (match: RegExpExecArray) => string;
}

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

const PLACEHOLDER =
  /^(?:\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|%s|%\([a-z_]+\)s|<[^>]*>|\{\{?[^}]*\}\}?|\*+|x+|\.+|password|passwd|pass|pwd|secret|changeme|change-me|example|redacted|\[redacted\]|user|username|token|your[_-]?\w*)$/i;

const isPlaceholder = (value: string): boolean =>
  PLACEHOLDER.test(value) || /^(?:your|my|some|example|dummy|fake|test|sample)[_-]/i.test(value) || /\$\{|\{\{/.test(value);

const classes = (value: string): number =>
  [/[a-z]/, /[A-Z]/, /[0-9]/].reduce((n, re) => n + (re.test(value) ? 1 : 0), 0);

const keep = (prefix: number) => (m: RegExpExecArray): string => {
  const value = m[1] ?? m[0];
  return `${value.slice(0, prefix)}${'*'.repeat(Math.min(8, Math.max(0, value.length - prefix)))} (${value.length} chars)`;
};

/** The rules, most specific first; a location reported by one rule is not reported again. */
export const SECRET_RULES: readonly SecretRule[] = [
  {
    id: 'private-key',
    description: 'PEM private key',
    pattern: /-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----/g,
    preview: (m) => m[0],
  },
  {
    id: 'aws-access-key-id',
    description: 'AWS access key id',
    pattern: /(?<![A-Z0-9])((?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})(?![A-Z0-9])/g,
    preview: keep(4),
  },
  {
    id: 'github-token',
    description: 'GitHub token',
    pattern: /(?<![A-Za-z0-9_])((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])/g,
    preview: keep(4),
  },
  {
    id: 'stripe-live-key',
    description: 'Stripe live secret or restricted key',
    pattern: /(?<![A-Za-z0-9_])((?:sk|rk)_live_[0-9A-Za-z]{16,247})(?![A-Za-z0-9])/g,
    preview: keep(8),
  },
  {
    id: 'slack-token',
    description: 'Slack token',
    pattern: /(?<![A-Za-z0-9])(xox[abposre]-[0-9A-Za-z-]{10,250})(?![A-Za-z0-9-])/g,
    preview: keep(5),
  },
  {
    id: 'google-api-key',
    description: 'Google API key',
    pattern: /(?<![A-Za-z0-9_-])(AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])/g,
    preview: keep(4),
  },
  {
    id: 'connection-string-password',
    description: 'connection string with a password',
    // A password may hold `/`, `?` or `#`. What comes before the first of them, read with the user,
    // may be a host and a port instead (`host:443/users/@ada`, `[::1]:8080/u/@ada`): then it is a
    // path holding an `@`, not a password.
    pattern: /\b([a-z][a-z0-9+.-]{1,30}):\/\/([^\s:/@'"`<>()]{0,256}):([^\s@'"`<>()]{1,256})@([^\s/'"`<>:?#()]{1,256})/gi,
    accept: (m) => {
      const password = m[3]!;
      const cut = password.search(/[/?#]/);
      if (cut >= 0 && /^(?:\[[^\]]*\]|[^:[\]]*)(?::\d{0,5})?$/.test(`${m[2]}:${password.slice(0, cut)}`)) return false;
      return !isPlaceholder(decodeURIComponentSafe(password));
    },
    preview: (m) => `${m[1]}://${m[2]}:****@${m[4]}`,
  },
  {
    id: 'bearer-token',
    description: 'bearer token',
    pattern: /\b[Bb]earer\s{1,10}([A-Za-z0-9\-._~+/]{20,4096}=*)/g,
    accept: (m) => !isPlaceholder(m[1]!) && entropy(m[1]!) >= 3.5 && classes(m[1]!) >= 2,
    preview: () => 'Bearer ****',
  },
  {
    id: 'generic-secret-assignment',
    description: 'credential-like value assigned to a secret-sounding name',
    pattern:
      /(?<![A-Za-z0-9])((?:[A-Za-z0-9]{1,40}[_.-]){0,6}(?:api[_-]?key|apikey|secret|token|passw(?:or)?d|pwd|passphrase|private[_-]?key|access[_-]?key|client[_-]?secret|credentials?)(?:[_.-][A-Za-z0-9]{1,40}){0,6})["']?\s*(?::=|=>|[:=])\s*["'`]([^"'`\s]{16,512})["'`]/gi,
    accept: (m) => {
      const value = m[2]!;
      return !isPlaceholder(value) && entropy(value) >= 3.5 && classes(value) >= 2 && !/^[A-Z0-9_]+$/.test(value);
    },
    preview: (m) => `${m[1]} = "****"`,
  },
];

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
