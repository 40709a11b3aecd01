/** `stripe.apiKey` → `STRIPE_API_KEY`; names already in that form are kept. */
export function toEnvName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

/** Strips one trailing line break, as files written by `echo` or editors end with one. */
export function stripTrailingNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

/** A name usable as one file in a directory: no separators, no dot-files, no traversal. */
export function isSafeFileName(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(name) && name.length <= 255;
}
