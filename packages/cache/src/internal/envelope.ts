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

/** Decodes stored text back into an entry; throws a plain Error saying what is wrong. */
export function decodeEntry(key: string, text: string): Entry {
  const o = JSON.parse(text) as Record<string, unknown>;
  if (
    typeof o !== 'object' ||
    o === null ||
    !isNum(o.f) ||
    !isNum(o.s) ||
    !isNum(o.e) ||
    !isNum(o.l) ||
    !isNum(o.k) ||
    !isNum(o.g) ||
    !Array.isArray(o.t) ||
    !Array.isArray(o.w) ||
    o.t.length !== o.w.length ||
    !o.t.every((t) => typeof t === 'string') ||
    !o.w.every(isNum)
  ) {
    throw new Error('it is not a cache entry');
  }
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
    o.f,
    o.s,
    o.e,
    o.l,
    o.n === 1,
    o.t as string[],
    o.k,
    o.g,
    o.w as number[],
  );
}
