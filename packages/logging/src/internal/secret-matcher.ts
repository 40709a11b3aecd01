import { encodedForms, escapeRegExp, type Base64Fragment } from './encoded-forms.js';

const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const PLUS = 43;
const SLASH = 47;
const EQUALS = 61;

/** Whether `text` holds `%2B`/`%2F` (or `%3D` for `padding`), possibly encoded twice, at `at`: its length, else 0. */
function percentEncodedAt(text: string, at: number, padding: boolean): number {
  if (text.charCodeAt(at) !== 37 /* % */) return 0;
  const twice = text.startsWith('25', at + 1);
  const hex = text.slice(twice ? at + 3 : at + 1, twice ? at + 5 : at + 3).toUpperCase();
  return (padding ? hex === '3D' : hex === '2B' || hex === '2F') ? (twice ? 5 : 3) : 0;
}

/** The length of the base64 character (raw or percent-encoded) that ends at `end`, or 0. */
function base64CharBefore(text: string, end: number, slash: boolean): number {
  for (const length of [5, 3]) {
    if (end >= length && percentEncodedAt(text, end - length, false) === length) {
      return slash || text.slice(end - 2, end).toUpperCase() !== '2F' ? length : 0;
    }
  }
  const c = text.charCodeAt(end - 1);
  return isAlnum(c) || c === PLUS || c === 45 || c === 95 || (slash && c === SLASH) ? 1 : 0;
}

/** The length of the base64 character (raw or percent-encoded) that starts at `start`, or 0. */
function base64CharAt(text: string, start: number, slash: boolean): number {
  const encoded = percentEncodedAt(text, start, false);
  if (encoded > 0) return slash || text.slice(start + encoded - 2, start + encoded).toUpperCase() !== '2F' ? encoded : 0;
  const c = text.charCodeAt(start);
  return isAlnum(c) || c === PLUS || c === 45 || c === 95 || (slash && c === SLASH) ? 1 : 0;
}

/**
 * Grows a match of a base64 fragment to the token it is part of: first over the characters beside it
 * that carry some of the value's bits, then over the rest of the token (letters, digits, `+`, `-`,
 * `_`, but not `/`, so that a URL keeps its other path segments) and its `=` padding.
 */
function grow(text: string, start: number, end: number, fragment: Pick<Base64Fragment, 'partialBefore' | 'partialAfter'>): [number, number] {
  if (fragment.partialBefore) start -= base64CharBefore(text, start, true);
  if (fragment.partialAfter && end < text.length) end += base64CharAt(text, end, true);
  for (let n = base64CharBefore(text, start, false); start > 0 && n > 0; n = base64CharBefore(text, start, false)) start -= n;
  for (let n = base64CharAt(text, end, false); end < text.length && n > 0; n = base64CharAt(text, end, false)) end += n;
  for (;;) {
    if (text.charCodeAt(end) === EQUALS) end++;
    else {
      const encoded = percentEncodedAt(text, end, true);
      if (encoded === 0) break;
      end += encoded;
    }
  }
  return [start, end];
}

const ESCAPED_FRAGMENT = { partialBefore: true, partialAfter: true } as const;

/** Whether `text` has a character that starts an escaped spelling. */
const mayBeEscaped = (text: string): boolean => text.includes('%') || text.includes('\\');

/**
 * Finds and replaces registered values in every spelling of {@link encodedForms}. Literal spellings
 * share one regular expression (V8 scans an alternation of literals in one pass); escaped spellings
 * another, run only on text that holds a `%` or a `\`. One scan for the first literal spelling or
 * escape character clears most text; the literal search then starts where that scan stopped, since
 * no spelling starts before it.
 */
export class SecretMatcher {
  /** UTF-8 length of the shortest value: fewer bytes cannot hold one. */
  readonly minBytes: number;
  /** Length of the shortest spelling: a shorter string (an id, a status, a short message) cannot hold one. */
  readonly #minLength: number;
  /** Any literal spelling, or a character that starts an escaped one: most text is cleared by this one scan. */
  readonly #suspect: RegExp;
  readonly #literal: RegExp;
  readonly #literalAll: RegExp;
  readonly #escaped: RegExp | null;
  readonly #escapedAll: RegExp | null;
  readonly #fragments = new Map<string, Pick<Base64Fragment, 'partialBefore' | 'partialAfter'>>();

  constructor(values: readonly string[]) {
    const literals = new Set<string>();
    const escapedValue: string[] = [];
    const escapedBase64: string[] = [];
    for (const value of values) {
      const forms = encodedForms(value);
      for (const literal of forms.literals) literals.add(literal);
      for (const { text, partialBefore, partialAfter } of forms.base64) {
        const known = this.#fragments.get(text);
        this.#fragments.set(text, {
          partialBefore: partialBefore || (known?.partialBefore ?? false),
          partialAfter: partialAfter || (known?.partialAfter ?? false),
        });
      }
      escapedValue.push(...forms.escapedValue);
      escapedBase64.push(...forms.escapedBase64);
    }
    // Longest first, so that a value containing another is replaced whole.
    const sorted = [...literals].sort((a, b) => b.length - a.length);
    // Every escaped spelling is at least as long as the literal it escapes.
    this.#minLength = sorted.at(-1)!.length;
    const literal = sorted.map(escapeRegExp).join('|');
    this.#literal = new RegExp(literal);
    this.#literalAll = new RegExp(literal, 'g');
    const groups = [
      escapedValue.length > 0 ? `(?<value>${escapedValue.join('|')})` : '',
      escapedBase64.length > 0 ? `(?<base64>${escapedBase64.join('|')})` : '',
    ].filter(Boolean);
    this.#escaped = groups.length === 0 ? null : new RegExp(groups.join('|'));
    this.#escapedAll = groups.length === 0 ? null : new RegExp(groups.join('|'), 'g');
    this.#suspect = groups.length === 0 ? this.#literal : new RegExp(`${literal}|[%\\\\]`);
    this.minBytes = Math.min(...values.map((value) => Buffer.byteLength(value)));
  }

  /** Whether `text` holds a value in any spelling. */
  test(text: string): boolean {
    const first = text.length < this.#minLength ? -1 : text.search(this.#suspect);
    if (first < 0) return false;
    const literal = this.#literalAll;
    literal.lastIndex = first;
    return literal.test(text) || (this.#escaped !== null && mayBeEscaped(text) && this.#escaped.test(text));
  }

  /** Whether bytes, read as UTF-8, hold a value in any spelling. */
  testBytes(bytes: ArrayBufferView): boolean {
    return bytes.byteLength >= this.minBytes && this.test(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  }

  /** `text` with every spelling of every value replaced by `censor` (as it is); `text` itself when none is in it. */
  redact(text: string, censor: string): string {
    const first = text.length < this.#minLength ? -1 : text.search(this.#suspect);
    if (first < 0) return text;
    const out = this.#replace(this.#literalAll, text, censor, false, first);
    return this.#escapedAll !== null && mayBeEscaped(out) ? this.#replace(this.#escapedAll, out, censor, true, 0) : out;
  }

  /** `text` with every match of `pattern` at or after `from` replaced; `text` itself when there is none. */
  #replace(pattern: RegExp, text: string, censor: string, escaped: boolean, from: number): string {
    pattern.lastIndex = from;
    let match = pattern.exec(text);
    if (match === null) return text;
    let out = '';
    let last = 0;
    for (; match !== null; match = pattern.exec(text)) {
      let start = match.index;
      let end = start + match[0].length;
      const fragment = escaped ? (match.groups?.base64 === undefined ? undefined : ESCAPED_FRAGMENT) : this.#fragments.get(match[0]);
      if (fragment !== undefined) [start, end] = grow(text, start, end, fragment);
      out += text.slice(last, Math.max(start, last)) + censor;
      last = end;
      pattern.lastIndex = end;
    }
    return out + text.slice(last);
  }
}
