// A parser for HTTP Structured Field Lists (RFC 9651, formerly RFC 8941), the syntax of the IETF
// `RateLimit` and `RateLimit-Policy` fields. It follows the RFC's parsing algorithm: any error fails
// the whole field, so a half-understood header is never trusted. Not exported from the package
// index: the server-hint parser is its only user.

/** A bare item: integer or decimal, string, token, byte sequence (base64 text kept as is), boolean. */
export type StructuredBareItem =
  | { readonly type: 'integer' | 'decimal'; readonly value: number }
  | { readonly type: 'string' | 'token' | 'bytes'; readonly value: string }
  | { readonly type: 'boolean'; readonly value: boolean };

/** An item (or an inner list) with its parameters, in order. */
export interface StructuredMember {
  readonly item: StructuredBareItem | readonly StructuredMember[];
  readonly params: ReadonlyMap<string, StructuredBareItem>;
}

class Input {
  pos = 0;
  constructor(readonly text: string) {}
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text[this.pos] ?? '';
  }
  skipSp(): void {
    while (this.peek() === ' ') this.pos++;
  }
  skipOws(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }
}

const fail = (): never => {
  throw new SyntaxError('malformed structured field');
};

const TOKEN_START = /[A-Za-z*]/;
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/;
const KEY_START = /[a-z*]/;
const KEY_CHAR = /[a-z0-9_\-.*]/;

function parseKey(input: Input): string {
  if (!KEY_START.test(input.peek())) fail();
  const start = input.pos;
  while (!input.done && KEY_CHAR.test(input.peek())) input.pos++;
  return input.text.slice(start, input.pos);
}

function parseNumber(input: Input): StructuredBareItem {
  const start = input.pos;
  if (input.peek() === '-') input.pos++;
  if (!/[0-9]/.test(input.peek())) fail();
  let decimal = false;
  while (!input.done) {
    const c = input.peek();
    if (c >= '0' && c <= '9') input.pos++;
    else if (c === '.' && !decimal) {
      decimal = true;
      input.pos++;
    } else break;
  }
  const text = input.text.slice(start, input.pos);
  const digits = text.replace('-', '');
  if (decimal) {
    const [whole, frac] = digits.split('.');
    if (whole!.length > 12 || frac!.length === 0 || frac!.length > 3) fail();
    return { type: 'decimal', value: Number(text) };
  }
  if (digits.length > 15) fail();
  return { type: 'integer', value: Number(text) };
}

function parseString(input: Input): StructuredBareItem {
  input.pos++; // opening quote
  let out = '';
  while (!input.done) {
    const c = input.text[input.pos++]!;
    if (c === '\\') {
      const next = input.text[input.pos++];
      if (next !== '"' && next !== '\\') fail();
      out += next;
    } else if (c === '"') {
      return { type: 'string', value: out };
    } else {
      const code = c.charCodeAt(0);
      if (code < 0x20 || code > 0x7e) fail();
      out += c;
    }
  }
  return fail();
}

function parseBareItem(input: Input): StructuredBareItem {
  const c = input.peek();
  if (c === '-' || (c >= '0' && c <= '9')) return parseNumber(input);
  if (c === '"') return parseString(input);
  if (c === ':') {
    const end = input.text.indexOf(':', input.pos + 1);
    if (end === -1) fail();
    const value = input.text.slice(input.pos + 1, end);
    if (!/^[A-Za-z0-9+/=]*$/.test(value)) fail();
    input.pos = end + 1;
    return { type: 'bytes', value };
  }
  if (c === '?') {
    const v = input.text[input.pos + 1];
    if (v !== '0' && v !== '1') fail();
    input.pos += 2;
    return { type: 'boolean', value: v === '1' };
  }
  if (TOKEN_START.test(c)) {
    const start = input.pos;
    input.pos++;
    while (!input.done && TOKEN_CHAR.test(input.peek())) input.pos++;
    return { type: 'token', value: input.text.slice(start, input.pos) };
  }
  return fail();
}

function parseParams(input: Input): Map<string, StructuredBareItem> {
  const params = new Map<string, StructuredBareItem>();
  while (input.peek() === ';') {
    input.pos++;
    input.skipSp();
    const key = parseKey(input);
    let value: StructuredBareItem = { type: 'boolean', value: true };
    if (input.peek() === '=') {
      input.pos++;
      value = parseBareItem(input);
    }
    params.set(key, value);
  }
  return params;
}

function parseMember(input: Input): StructuredMember {
  if (input.peek() === '(') {
    input.pos++;
    const items: StructuredMember[] = [];
    for (;;) {
      input.skipSp();
      if (input.peek() === ')') {
        input.pos++;
        return { item: items, params: parseParams(input) };
      }
      if (input.done) fail();
      items.push({ item: parseBareItem(input), params: parseParams(input) });
      const c = input.peek();
      if (c !== ' ' && c !== ')') fail();
    }
  }
  return { item: parseBareItem(input), params: parseParams(input) };
}

/**
 * Parses a Structured Field List. Returns `undefined` when the text is not a valid list (the RFC
 * says to ignore the whole field then); an empty field is an empty list.
 */
export function parseStructuredList(text: string): StructuredMember[] | undefined {
  const input = new Input(text);
  const members: StructuredMember[] = [];
  try {
    input.skipSp();
    while (!input.done) {
      members.push(parseMember(input));
      input.skipOws();
      if (input.done) break;
      if (input.peek() !== ',') fail();
      input.pos++;
      input.skipOws();
      if (input.done) fail(); // trailing comma
    }
  } catch {
    return undefined;
  }
  return members;
}
