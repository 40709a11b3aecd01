import { Entry } from './entry.js';
import { deepFreeze } from './serialize.js';

/** The text stored in Redis for an entry: its times, versions and tags around the value's JSON. */
export function encodeEntry(e: Entry): string {
  const head =
    `{"f":${e.freshUntil},"s":${e.staleUntil},"e":${e.errorUntil},"l":${e.loadMs},"n":${e.negative ? 1 : 0},` +
    `"k":${e.keyVersion},"g":${e.nsVersion},"t":${JSON.stringify(e.tags)},"w":${JSON.stringify(e.tagVersions)}`;
  return e.json === undefined ? `${head}}` : `${head},"d":${e.json}}`;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isEnvelope(o: Record<string, unknown>): boolean {
  if (typeof o !== 'object' || o === null) return false;
  if (!isNum(o.f) || !isNum(o.s) || !isNum(o.e) || !isNum(o.l) || !isNum(o.k) || !isNum(o.g)) return false;
  const t = o.t;
  const w = o.w;
  if (!Array.isArray(t) || !Array.isArray(w) || t.length !== w.length) return false;
  for (let i = 0; i < t.length; i++) if (typeof t[i] !== 'string' || !isNum(w[i])) return false;
  return true;
}

/** Decodes stored text back into an entry; throws a plain Error saying what is wrong, never quoting the text. */
export function decodeEntry(key: string, text: string): Entry {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // JSON.parse's message quotes the text it read, which may be anyone's value.
    throw new Error('it is not JSON');
  }
  if (!isEnvelope(o)) throw new Error('it is not a cache entry');
  let json: string | undefined;
  if ('d' in o) {
    // "d" is written last, and no field before it can hold `,"d":` outside a string: its text is
    // the value's JSON as stored, with no need to stringify it again.
    const at = text.indexOf(',"d":');
    json = at === -1 ? JSON.stringify(o.d) : text.slice(at + 5, -1);
  }
  return new Entry(
    key,
    deepFreeze(o.d),
    json,
    o.f as number,
    o.s as number,
    o.e as number,
    o.l as number,
    o.n === 1,
    o.t as string[],
    o.k as number,
    o.g as number,
    o.w as number[],
  );
}
