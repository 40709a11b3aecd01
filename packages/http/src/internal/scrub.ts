import { REDACTED } from '../redact-url.js';

const MAX_DEPTH = 8;

/** The strings a credential header value may be quoted by: the whole value, and the part after its scheme. */
function needles(credential: string): string[] {
  const space = credential.indexOf(' ');
  const parts = space === -1 ? [credential] : [credential, credential.slice(space + 1).trim()];
  // Too short a string would blank out ordinary words; real credentials are longer.
  return parts.filter((part) => part.length >= 6);
}

function scrubValue(value: unknown, find: readonly string[], depth: number): unknown {
  if (typeof value === 'string') return find.reduce((text, needle) => text.split(needle).join(REDACTED), value);
  if (typeof value !== 'object' || value === null || depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, find, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = scrubValue(item, find, depth + 1);
  return out;
}

/**
 * `body` with every quotation of the credential sent with the request replaced by `[REDACTED]`: a
 * server that echoes the `Authorization` header into its problem details must not put it in an error.
 */
export function scrubCredential<T>(body: T, credential: string | undefined): T {
  if (credential === undefined || body === undefined) return body;
  const find = needles(credential);
  return find.length === 0 ? body : (scrubValue(body, find, 0) as T);
}
