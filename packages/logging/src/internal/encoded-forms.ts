// The spellings a secret value takes on its way to a wire, as search patterns: what a registered
// value is searched for besides itself. See the README's "Registered values" for the list.

/**
 * Values shorter than this many UTF-8 bytes are searched for as they are only: the base64 and hex
 * of a few bytes are a few characters, which unrelated text would match.
 */
const MIN_ENCODED_BYTES = 6;

/** A fragment of a value's base64 at one alignment, and whether a character beside it carries some of the value's bits too. */
export interface Base64Fragment {
  readonly text: string;
  readonly partialBefore: boolean;
  readonly partialAfter: boolean;
}

export interface EncodedForms {
  /** Spellings searched for as they are. */
  readonly literals: readonly string[];
  /** Of the literals, the base64 fragments: a match grows to the whole base64 token around it. */
  readonly base64: readonly Base64Fragment[];
  /**
   * Regular-expression sources that also match the value (or its spaced hex, its byte lists), and a
   * standard base64 fragment of it, with any of their characters percent-encoded (once or twice,
   * either case of hex digits) or escaped as in JSON and JavaScript strings.
   */
  readonly escapedValue: readonly string[];
  readonly escapedBase64: readonly string[];
}

const ALNUM = /^[A-Za-z0-9]$/;
const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '/': '\\/',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** Escapes `text` for use inside a regular expression. */
export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A hex digit in either case: `a` → `[Aa]`. */
const hexDigit = (digit: string): string => (/[a-f]/i.test(digit) ? `[${digit.toUpperCase()}${digit.toLowerCase()}]` : digit);
const hexPattern = (code: number, width: number): string => [...code.toString(16).padStart(width, '0')].map(hexDigit).join('');

/** One character of a value, written as it is, percent-encoded or JSON-escaped. */
function characterPattern(char: string, bytes: Uint8Array): string {
  if (ALNUM.test(char)) return char;
  const ways = [escapeRegExp(char), [...bytes].map((byte) => `%(?:25)?${hexPattern(byte, 2)}`).join('')];
  const units = [...Array(char.length).keys()].map((i) => `\\\\u${hexPattern(char.charCodeAt(i), 4)}`);
  ways.push(units.join(''));
  const short = SHORT_ESCAPES[char];
  if (short !== undefined) ways.push(escapeRegExp(short));
  if (char === ' ') ways.push('\\+');
  return `(?:${ways.join('|')})`;
}

const encoder = new TextEncoder();

/** The pattern of `text` with each character in any of its escaped spellings, or null when none has one. */
function escapedPattern(text: string): string | null {
  const chars = [...text];
  if (chars.every((char) => ALNUM.test(char))) return null;
  return chars.map((char) => characterPattern(char, encoder.encode(char))).join('');
}

/**
 * The base64 characters that depend on the value's bytes alone, at each of the three alignments it
 * can have inside a longer payload (`user:password`, a JSON body): whatever surrounds the value,
 * its base64 contains one of them.
 */
function base64Fragments(bytes: Uint8Array): Base64Fragment[] {
  const out: Base64Fragment[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const shifted = Buffer.alloc(offset + bytes.length);
    shifted.set(bytes, offset);
    const encoded = shifted.toString('base64');
    const firstBit = 8 * offset;
    const endBit = firstBit + 8 * bytes.length;
    out.push({
      text: encoded.slice(Math.ceil(firstBit / 6), Math.floor(endBit / 6)),
      partialBefore: firstBit % 6 !== 0,
      partialAfter: endBit % 6 !== 0,
    });
  }
  return out;
}

/**
 * The value as text puts it before it is turned into bytes: itself, JSON-escaped, form- and
 * percent-encoded (a JSON or form body that is then base64-encoded holds one of these).
 */
function textSpellings(value: string): Set<string> {
  const spellings = new Set([value, value.replace(/ /g, '+'), JSON.stringify(value).slice(1, -1)]);
  try {
    spellings.add(encodeURIComponent(value));
    spellings.add(new URLSearchParams({ v: value }).toString().slice(2));
  } catch {
    // A lone surrogate cannot be percent-encoded (URIError): no encoder writes one.
  }
  return spellings;
}

/** Every spelling of `value` that is searched for. */
export function encodedForms(value: string): EncodedForms {
  const spellings = textSpellings(value);
  const literals = new Set(spellings);
  const base64: Base64Fragment[] = [];
  const escapedValue: string[] = [];
  const escapedBase64: string[] = [];
  const escaped = escapedPattern(value);
  if (escaped !== null) escapedValue.push(escaped);
  for (const spelling of spellings) {
    const bytes = encoder.encode(spelling);
    if (bytes.length < MIN_ENCODED_BYTES) continue;
    const hex = Buffer.from(bytes).toString('hex');
    const decimal = [...bytes].map(String);
    literals.add(hex).add(hex.toUpperCase());
    for (const form of [hex.replace(/(..)(?!$)/g, '$1 '), decimal.join(','), decimal.join(', ')]) {
      literals.add(form);
      escapedValue.push(escapedPattern(form)!);
    }
    for (const fragment of base64Fragments(bytes)) {
      const url = fragment.text.replace(/\+/g, '-').replace(/\//g, '_');
      for (const text of new Set([fragment.text, url])) base64.push({ ...fragment, text });
      const pattern = escapedPattern(fragment.text);
      if (pattern !== null) escapedBase64.push(pattern);
    }
  }
  for (const fragment of base64) literals.add(fragment.text);
  return { literals: [...literals], base64, escapedValue, escapedBase64 };
}
