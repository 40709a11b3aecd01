import { SecretParseError, type SecretReader } from '@bulwark/secrets';
import type { ApiKeyRecord, ApiKeyRecords, Scope } from '../ports/api-key-records.js';

const SCOPES: ReadonlySet<string> = new Set<Scope>(['validate', 'admin']);

/** Whether `value` is a scope a key may hold; `hash-key` checks its SCOPES by the same rule. */
export const isScope = (value: unknown): value is Scope => SCOPES.has(value as string);

/** Whether `value` is a caller's id as the list takes it, 1 to 64 letters, digits, '.', '_' or '-'; `hash-key` checks its ID by the same rule. */
export const isCallerId = (value: string): boolean => /^[\w.-]{1,64}$/.test(value);

const ENTRY_FIELDS: ReadonlySet<string> = new Set(['id', 'scopes', 'sha256']);

/**
 * Parses the key list: a JSON array of `{ "id": "…", "scopes": ["validate"], "sha256": "<64 hex>" }`.
 * Throws a `SecretParseError` naming the entry and field at fault — never quoting a value — which
 * `load()` lists with the secret, so a start with a malformed list says what is wrong with it.
 */
export function parseApiKeyRecords(text: string): ApiKeyRecord[] {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    throw new SecretParseError('Expected `GATEWAY_API_KEYS` to be a JSON array of { id, scopes, sha256 }, got text that is not JSON.');
  }
  if (!Array.isArray(list)) throw new SecretParseError('Expected `GATEWAY_API_KEYS` to be a JSON array of { id, scopes, sha256 }.');
  // An empty list would start a gateway that refuses every request with 401.
  if (list.length === 0) throw new SecretParseError('Expected `GATEWAY_API_KEYS` to hold at least one { id, scopes, sha256 }, got an empty array: no caller could be let in.');
  return list.map((entry: unknown, i) => {
    const e = entry as { id?: unknown; scopes?: unknown; sha256?: unknown } | null;
    const at = `GATEWAY_API_KEYS[${i}]`;
    const unknown = typeof e === 'object' && e !== null ? Object.keys(e).find((field) => !ENTRY_FIELDS.has(field)) : undefined;
    if (unknown !== undefined) {
      // Named only when it reads as a field name: a key pasted in as a name must not be printed.
      const named = /^[A-Za-z_]{1,16}$/.test(unknown) ? ` \`${unknown}\`` : ' (not shown: it could be a key)';
      throw new SecretParseError(`Unknown field${named} of \`${at}\`: an entry holds only id, scopes and sha256 (\`validation-gateway hash-key\` prints one).`);
    }
    if (typeof e?.id !== 'string' || !isCallerId(e.id)) throw new SecretParseError(`Expected \`${at}.id\` to be 1 to 64 letters, digits, '.', '_' or '-'.`);
    if (!Array.isArray(e.scopes) || e.scopes.length === 0 || !e.scopes.every(isScope)) {
      throw new SecretParseError(`Expected \`${at}.scopes\` to be a non-empty array of "validate" and "admin".`);
    }
    if (typeof e.sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(e.sha256)) {
      throw new SecretParseError(`Expected \`${at}.sha256\` to be the key's SHA-256 as 64 hexadecimal digits (\`validation-gateway hash-key\` prints it).`);
    }
    return { id: e.id, scopes: e.scopes as Scope[], sha256: Buffer.from(e.sha256, 'hex') };
  });
}

/**
 * Adapter: {@link ApiKeyRecords} read through `@bulwark/secrets` (environment, a mounted file, or the
 * encrypted store). The manager re-reads the secret in the background; the list is parsed once per
 * value, so a rotation is picked up without a restart and without work per request.
 */
export class SecretApiKeyRecords implements ApiKeyRecords {
  readonly #secrets: SecretReader;
  readonly #name: string;
  readonly #now: () => number;
  readonly #recheckMs: number;
  #parsed: { readonly secret: object; readonly records: readonly ApiKeyRecord[]; readonly at: number } | undefined;

  /**
   * `recheckMs`: how long the list is used before the manager is asked again. The manager serves
   * from its own cache and refreshes in the background; asking it on every request would only add
   * an audit event per request.
   */
  constructor(secrets: SecretReader, options: { readonly name?: string; readonly now?: () => number; readonly recheckMs?: number } = {}) {
    this.#secrets = secrets;
    this.#name = options.name ?? 'GATEWAY_API_KEYS';
    this.#now = options.now ?? (() => performance.now());
    this.#recheckMs = options.recheckMs ?? 250;
  }

  async current(): Promise<readonly ApiKeyRecord[]> {
    const now = this.#now();
    if (this.#parsed !== undefined && now - this.#parsed.at < this.#recheckMs) return this.#parsed.records;
    const secret = await this.#secrets.get(this.#name);
    // The manager hands out the same Secret until the value changes: parse once per value.
    if (this.#parsed?.secret === secret) {
      this.#parsed = { ...this.#parsed, at: now };
      return this.#parsed.records;
    }
    const records = parseApiKeyRecords(secret.reveal());
    this.#parsed = { secret, records, at: now };
    return records;
  }
}
