// Every Redis command the cache sends touches keys of one hash slot (Redis Cluster's rule), so
// the keys are laid out around hash tags: an entry, its key-version counter and its lease share
// the tag `{<key>}`; each tag counter has a tag of its own; the namespace counter is one key.
//
//   <prefix>{<key>}     the entry (read and written through the keyv adapter)
//   <prefix>{<key>}:v   the key's version counter
//   <prefix>{<key>}:l   the recompute lease
//   <prefix>t:{<tag>}   a tag's version counter
//   <prefix>ns          the namespace's version counter
//   <prefix>invalidations  the pub/sub channel (a channel, not a key)
//
// Redis hashes the text between the first `{` and the first `}` after it. A key holding `{` or `}`
// (or `%`, the escape) is escaped, so the text we put between braces never holds a brace: the
// tag of `<prefix>{<key>}` and of `<prefix>{<key>}:v` is then the same whatever the key or the
// prefix holds (the first `}` after the first `{` is at the latest our own closing brace).

const SPECIAL = /[{}%]/;
const SPECIAL_ALL = /[{}%]/g;
const escapeChar = (c: string): string => (c === '{' ? '%7B' : c === '}' ? '%7D' : '%25');

/** A key or tag as it is written between braces: never holds `{` or `}`; distinct inputs stay distinct. */
function escapeTag(s: string): string {
  return SPECIAL.test(s) ? s.replace(SPECIAL_ALL, escapeChar) : s;
}

/** Names of the Redis keys of one cache. */
export class KeyLayout {
  readonly prefix: string;
  readonly namespace: string;
  readonly channel: string;

  constructor(prefix: string) {
    this.prefix = prefix;
    this.namespace = `${prefix}ns`;
    this.channel = `${prefix}invalidations`;
  }

  entry(key: string): string {
    return `${this.prefix}{${escapeTag(key)}}`;
  }

  /** The key-version counter of the entry named `entryKey` (same slot). */
  keyVersion(entryKey: string): string {
    return `${entryKey}:v`;
  }

  /** The lease of the entry named `entryKey` (same slot). */
  lease(entryKey: string): string {
    return `${entryKey}:l`;
  }

  tag(tag: string): string {
    return `${this.prefix}t:{${escapeTag(tag)}}`;
  }
}
