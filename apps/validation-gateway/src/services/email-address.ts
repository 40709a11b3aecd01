/** An address split into its parts, lower-cased domain. */
export interface EmailAddress {
  readonly local: string;
  readonly domain: string;
}

// Dot-atom local parts (RFC 5322 §3.4.1), the form nearly every real address takes; quoted local
// parts are refused like most providers refuse them.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Parses `text` as an address: one `@`, a dot-atom local part of at most 64 characters, a domain of
 * at least two labels (letters, digits, hyphens, a top-level label that is not all digits), 254
 * characters in all. `undefined` when it is not one.
 */
export function parseEmailAddress(text: string): EmailAddress | undefined {
  if (text.length > 254) return undefined;
  const at = text.lastIndexOf('@');
  if (at <= 0 || at !== text.indexOf('@')) return undefined;
  const local = text.slice(0, at);
  const domain = text.slice(at + 1).toLowerCase();
  if (local.length > 64 || !LOCAL.test(local)) return undefined;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return undefined;
  if (/^\d+$/.test(labels.at(-1)!)) return undefined;
  return { local, domain };
}

/** The domain part of `text`, lower-cased, or `null` without an `@`. */
export function domainOf(text: string): string | null {
  const at = text.lastIndexOf('@');
  return at < 0 ? null : text.slice(at + 1).toLowerCase();
}
