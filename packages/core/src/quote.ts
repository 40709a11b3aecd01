import { invalidOption } from './validate.js';

/** Names and keys longer than this are cut in messages (the error's own fields keep them whole). */
const MAX_QUOTED_LENGTH = 60;

/**
 * A name or key as an error message quotes it: in double quotes with JSON escapes (so a newline
 * or a quote in it cannot forge a log line), and cut to a sane length with its full length said,
 * so that a ten-million-character key makes a short message.
 *
 * @example
 * ```ts
 * quote('STRIPE_KEY');    // '"STRIPE_KEY"'
 * quote('k'.repeat(1e7)); // '"kkkk…kkk…" (10000000 characters)', about 70 characters in all
 * ```
 */
export function quote(text: string): string {
  if (typeof text !== 'string') throw invalidOption('text', text, 'a string');
  if (text.length <= MAX_QUOTED_LENGTH) return JSON.stringify(text);
  return `${JSON.stringify(`${cut(text, MAX_QUOTED_LENGTH - 10)}…`)} (${text.length} characters)`;
}

/** `text` cut to at most `max` UTF-16 units, never in the middle of a surrogate pair. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}
