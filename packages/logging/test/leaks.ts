// Finds a secret in logged text however it was encoded, by decoding rather than by knowing the
// encodings the logger redacts: what the tests call a leak.

const utf8 = (bytes: number[] | Buffer): string => Buffer.from(bytes).toString('utf8');

/** Percent-decodes every `%XX` (as UTF-8 bytes), optionally `+` as a space too. */
function percentDecode(text: string, plusIsSpace: boolean): string {
  const source = plusIsSpace ? text.replace(/\+/g, ' ') : text;
  return source.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => utf8(run.slice(1).split('%').map((h) => Number.parseInt(h, 16))));
}

/** Undoes JSON and JavaScript string escapes. */
function unescape(text: string): string {
  const short: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
  return text.replace(/\\(?:u([0-9A-Fa-f]{4})|(.))/gs, (_, hex: string | undefined, char: string | undefined) =>
    hex !== undefined ? String.fromCharCode(Number.parseInt(hex, 16)) : (short[char!] ?? char!),
  );
}

/** Every way the text could be read: as it is, percent-decoded (once and twice), unescaped. */
function readings(text: string): string[] {
  const plain = [text, unescape(text)];
  const out = new Set(plain);
  for (const t of plain) {
    for (const plus of [false, true]) {
      const once = percentDecode(t, plus);
      out.add(once);
      out.add(percentDecode(once, plus));
    }
  }
  return [...out];
}

/** The binary decodings of the text: base64 (either alphabet, any alignment), hex, byte lists. */
function decodings(text: string): string[] {
  const out: string[] = [];
  for (const [run] of text.matchAll(/[A-Za-z0-9+/_-]{6,}/g)) {
    for (let offset = 0; offset < 4; offset++) out.push(utf8(Buffer.from(run.slice(offset), 'base64')));
  }
  for (const [run] of text.matchAll(/(?:[0-9A-Fa-f]{2} ?){4,}/g)) {
    const hex = run.replace(/ /g, '');
    out.push(utf8(Buffer.from(hex, 'hex')), utf8(Buffer.from(hex.slice(1), 'hex')));
  }
  for (const [run] of text.matchAll(/\d{1,3}(?:,\s*\d{1,3}){3,}/g)) {
    const bytes = run.split(/,\s*/).map(Number);
    if (bytes.every((b) => b <= 255)) out.push(utf8(bytes));
  }
  return out;
}

/** Every string of a parsed line (keys too) and, for arrays and objects of byte values, their bytes as text. */
function strings(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (typeof value === 'object' && value !== null) {
    const items = Object.values(value);
    if (items.length >= 4 && items.every((b) => typeof b === 'number' && Number.isInteger(b) && b >= -128 && b <= 255)) {
      into.push(utf8(items.map((b) => (b as number) & 255)));
    }
    for (const [key, item] of Object.entries(value)) {
      into.push(key);
      strings(item, into);
    }
  }
  return into;
}

/** Whether `secret` can be read in `text`, decoding up to `depth` layers (base64 of JSON, say). */
function readable(text: string, secret: string, depth: number): boolean {
  for (const reading of readings(text)) {
    if (reading.includes(secret)) return true;
    if (depth > 0 && decodings(reading).some((decoded) => readable(decoded, secret, depth - 1))) return true;
  }
  return false;
}

/**
 * The places where `secret` can still be read in `output` (lines of JSON): empty when none.
 * Each string of each line is also read on its own, so JSON's escaping of the line hides nothing.
 */
export function leaks(output: string, secret: string): string[] {
  const texts = [output];
  for (const line of output.split('\n')) if (line !== '') texts.push(...strings(JSON.parse(line)));
  return texts.filter((text) => readable(text, secret, 2));
}
