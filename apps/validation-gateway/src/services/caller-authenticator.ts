import { hash, timingSafeEqual } from 'node:crypto';
import { inject, injectable } from '../di.js';
import type { ApiKeyRecords, Scope } from '../ports/api-key-records.js';
import { TOKENS } from '../tokens.js';

/** An authenticated caller. */
export interface Caller {
  readonly id: string;
  readonly scopes: readonly Scope[];
}

/** Why a request was not let through. */
export type AuthOutcome =
  | { readonly ok: true; readonly caller: Caller }
  | { readonly ok: false; readonly problem: 'unauthenticated' | 'forbidden'; readonly detail: string };

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The key a request presents: `Authorization: Bearer <key>`, else `X-Api-Key`. */
export function presentedKey(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = BEARER.exec(authorization);
    if (match !== null) return match[1];
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey !== '' ? apiKey : undefined;
}

/**
 * SHA-256 of a key, as its record stores it. One-shot `crypto.hash` (no Hash object per request), as
 * hex turned into bytes: asking `crypto.hash` for a Buffer directly took twice as long on Node 24.
 */
export const hashApiKey = (key: string): Buffer => Buffer.from(hash('sha256', key, 'hex'), 'hex');

/**
 * Authenticates callers by API key. Keys are stored as SHA-256 digests only; the presented key's
 * digest is compared with every record's in constant time (no early exit, equal lengths), so
 * neither which record matched nor how much of it did shows in the timing.
 */
@injectable()
export class CallerAuthenticator {
  readonly #records: ApiKeyRecords;

  constructor(@inject(TOKENS.ApiKeys) records: ApiKeyRecords) {
    this.#records = records;
  }

  async authenticate(key: string | undefined, needed: Scope): Promise<AuthOutcome> {
    if (key === undefined) return { ok: false, problem: 'unauthenticated', detail: 'Send an API key: Authorization: Bearer <key>, or X-Api-Key.' };
    const digest = hashApiKey(key);
    let found: Caller | undefined;
    for (const record of await this.#records.current()) {
      const equal = record.sha256.length === digest.length && timingSafeEqual(record.sha256, digest);
      if (equal && found === undefined) found = { id: record.id, scopes: record.scopes };
    }
    if (found === undefined) return { ok: false, problem: 'unauthenticated', detail: 'The API key is not valid: unknown, or rotated out.' };
    if (!found.scopes.includes(needed)) return { ok: false, problem: 'forbidden', detail: `This key lacks the \`${needed}\` scope.` };
    return { ok: true, caller: found };
  }
}
