import { freeName } from './free-name.js';
import { isError } from './is-error.js';
import type { SecretMatcher } from './secret-matcher.js';
import { redactUrlCredentials } from './url-credentials.js';
import { secretMatcher } from './secret-registry.js';

/** The brand a Bulwark `Secret` carries (`Symbol.for('@bulwark/secret')` set to `true`). */
const SECRET_BRAND = Symbol.for('@bulwark/secret');
/** What a Bulwark `Secret` (and any well-behaved secret wrapper) serializes to. */
const SECRET_JSON = '[REDACTED]';

interface PathNode {
  readonly children: Map<string, PathNode>;
  wildcard: PathNode | undefined;
  terminal: boolean;
}

const newNode = (): PathNode => ({ children: new Map(), wildcard: undefined, terminal: false });

/** Field names compare case-insensitively and ignore `-` and `_`: `apiKey`, `api_key`, `API-KEY` are one. */
const normalizeKey = (key: string): string => key.toLowerCase().replace(/[-_]/g, '');

const ERROR_OWN = new Set(['name', 'message', 'stack', 'cause', 'errors', 'code']);
const KEY_CACHE_LIMIT = 4096;

/** What a field name means for redaction, worked out once per name (and again when the registered values change). */
interface KeyPlan {
  /** The name as written, registered secret values replaced. */
  readonly name: string;
  /** Whether the name is one of the line's own keys: at the top of a line, the field is renamed (see `placeRenamed`). */
  readonly reserved: boolean;
  /** The name compared with names and paths: lower case, without `-` and `_`. */
  readonly normalized: string;
  /** Whether the name alone redacts the value. */
  readonly censored: boolean;
}

/** A Buffer, a Uint8Array or another typed array of single bytes. */
function isByteView(value: object): value is ArrayBufferView {
  return ArrayBuffer.isView(value) && (value as { BYTES_PER_ELEMENT?: unknown }).BYTES_PER_ELEMENT === 1;
}

/** An array of at least `min` byte values (0 to 255, or -128 to -1 from an Int8Array): a Buffer's JSON `data`, say. */
function isByteArray(value: object, min: number): value is number[] {
  if (!Array.isArray(value) || value.length < min) return false;
  for (const item of value) {
    if (typeof item !== 'number' || !Number.isInteger(item) || item < -128 || item > 255) return false;
  }
  return true;
}

const toBytes = (value: ArrayBufferView | number[]): ArrayBufferView => (Array.isArray(value) ? Uint8Array.from(value) : value);

/**
 * Where the redacted fields of a layer that never changes (a log context, a child's bindings, a
 * logger's defaults) are kept once worked out: for one redactor and one set of registered values,
 * and only while every value is a primitive (a nested object could change between lines).
 */
export interface LayerCache {
  redactor?: Redactor;
  matcher?: SecretMatcher | null;
  /** Name, value, name, value, … as written; `null` when the layer holds an object and is redacted on every line. */
  entries?: unknown[] | null;
  /** Set by the first line: the cache is built by the second, so a layer used once costs one plain `assign`. */
  seen?: boolean;
}

/** Where `assign` keeps a line's fields named like the line's own keys, by name, until `placeRenamed` writes them. */
const RENAMED = Symbol('fields to rename');

function renamedOf(record: Record<string, unknown>): Map<string, unknown> {
  const holder = record as Record<symbol, Map<string, unknown> | undefined>;
  let renamed = holder[RENAMED];
  if (renamed === undefined) holder[RENAMED] = renamed = new Map();
  return renamed;
}

const isPrimitive = (value: unknown): boolean => value === null || (typeof value !== 'object' && typeof value !== 'function');

export interface RedactorOptions {
  /** Field names (anywhere) and dotted paths from the record's root (`*` for any one field). */
  readonly rules: readonly string[];
  readonly censor: string;
  readonly maxDepth: number;
  readonly errorStack: boolean;
  /** Names a field cannot take at the top of a line: it is written with a `_` prefix instead. @default none */
  readonly reserved?: ReadonlySet<string>;
}

/**
 * A precompiled redaction plan: names in a set, dotted paths in a trie, a plan per field name seen,
 * registered secret values in the {@link SecretMatcher} (binary values read as text for it).
 * `value()` and `assign()` return or write their input untouched when nothing in it needs redaction
 * and copies only the objects on the way to what changed (never a deep clone of the record).
 * Errors become plain objects (name, message, code, stack, own fields, cause, errors); cycles become
 * `[Circular]` and anything deeper than `maxDepth` becomes `[Truncated]`.
 */
export class Redactor {
  readonly censor: string;
  readonly #maxDepth: number;
  readonly #errorStack: boolean;
  readonly #names = new Set<string>();
  readonly #root: PathNode | undefined;
  readonly #reserved: ReadonlySet<string>;
  readonly #keys = new Map<string, KeyPlan>();
  /** The matcher the plans in `#keys` were made with. */
  #keysMatcher: SecretMatcher | null = null;
  readonly #stack: object[] = [];

  constructor(options: RedactorOptions) {
    this.censor = options.censor;
    this.#maxDepth = options.maxDepth;
    this.#errorStack = options.errorStack;
    this.#reserved = options.reserved ?? new Set();
    let root: PathNode | undefined;
    for (const rule of options.rules) {
      if (!rule.includes('.')) {
        this.#names.add(normalizeKey(rule));
        continue;
      }
      root ??= newNode();
      let node = root;
      for (const segment of rule.split('.')) {
        if (segment === '*') node = node.wildcard ??= newNode();
        else {
          const key = normalizeKey(segment);
          let child = node.children.get(key);
          if (child === undefined) node.children.set(key, (child = newNode()));
          node = child;
        }
      }
      node.terminal = true;
    }
    this.#root = root;
  }

  /** Replaces registered secret values, in every spelling searched for, and the credentials of URLs inside `text`. */
  text(text: string): string {
    const matcher = secretMatcher();
    const out = matcher === null ? text : matcher.redact(text, this.censor);
    return redactUrlCredentials(out, this.censor);
  }

  /**
   * Writes the redacted fields of `layer` into `record`, over what an earlier layer wrote there; a
   * field named like one of the line's own keys is kept aside, over an earlier layer's of that name,
   * until {@link placeRenamed}. Never throws: a field that cannot be read becomes `[Unserializable]`.
   */
  assign(record: Record<string, unknown>, layer: Readonly<Record<string, unknown>>): void {
    for (const key of Object.keys(layer)) {
      let plan: KeyPlan | undefined;
      let redacted: unknown;
      try {
        plan = this.#plan(key);
        const value = layer[key];
        if (value === undefined) continue;
        redacted = this.#field(plan, value, this.#root, 0);
      } catch {
        this.#stack.length = 0;
        redacted = '[Unserializable]';
      }
      const name = plan?.name ?? this.text(key);
      if (plan?.reserved === true) renamedOf(record).set(name, redacted);
      else record[name] = redacted;
    }
  }

  /**
   * Writes the fields {@link assign} kept aside because the line's own keys hold their names, each
   * under its name with a `_` before it, and one more `_` while that name is taken by another field
   * of the line (a field `_message` of any layer keeps its own name and value).
   */
  placeRenamed(record: Record<string, unknown>): void {
    const holder = record as Record<symbol, Map<string, unknown> | undefined>;
    const renamed = holder[RENAMED];
    if (renamed === undefined) return;
    delete holder[RENAMED];
    for (const [name, value] of renamed) record[freeName(`_${name}`, (candidate) => Object.hasOwn(record, candidate))] = value;
  }

  /** The redacted form of any value (an error, an object, a string), from the record's root. */
  value(value: unknown): unknown {
    try {
      return this.#value(value, this.#root, 0);
    } catch {
      this.#stack.length = 0;
      return '[Unserializable]';
    }
  }

  /**
   * {@link assign} for a layer that never changes: its redacted fields are worked out on the second
   * line and kept in `cache` (see {@link LayerCache}); the first is written as by `assign`.
   */
  assignFixed(record: Record<string, unknown>, layer: Readonly<Record<string, unknown>>, cache: LayerCache): void {
    const matcher = secretMatcher();
    if (cache.redactor !== this || cache.matcher !== matcher) {
      // Many layers serve one line (a request's log context, a child logger made for one request).
      if (cache.seen !== true) {
        cache.seen = true;
        this.assign(record, layer);
        return;
      }
      const values = Object.values(layer);
      let entries: unknown[] | null = null;
      if (values.every(isPrimitive)) {
        const fixed: Record<string, unknown> = {};
        this.assign(fixed, layer);
        // A layer with a field to rename is assigned line by line: the name it gets depends on the others.
        if ((fixed as Record<symbol, unknown>)[RENAMED] === undefined) entries = Object.entries(fixed).flat();
      }
      Object.assign(cache, { redactor: this, matcher, entries });
    }
    const entries = cache.entries;
    if (entries === null || entries === undefined) this.assign(record, layer);
    else for (let i = 0; i < entries.length; i += 2) record[entries[i] as string] = entries[i + 1];
  }

  #plan(key: string): KeyPlan {
    const matcher = secretMatcher();
    if (matcher !== this.#keysMatcher) {
      this.#keys.clear();
      this.#keysMatcher = matcher;
    }
    let plan = this.#keys.get(key);
    if (plan === undefined) {
      const name = matcher === null ? key : matcher.redact(key, this.censor);
      const normalized = normalizeKey(key);
      plan = { name, reserved: this.#reserved.has(name), normalized, censored: this.#names.has(normalized) };
      if (this.#keys.size < KEY_CACHE_LIMIT) this.#keys.set(key, plan);
    }
    return plan;
  }

  #field(plan: KeyPlan, value: unknown, node: PathNode | undefined, depth: number): unknown {
    if (plan.censored) return value === undefined || value === null ? value : this.censor;
    const next = node === undefined ? undefined : (node.children.get(plan.normalized) ?? node.wildcard);
    if (next !== undefined && next.terminal) return value === undefined || value === null ? value : this.censor;
    return this.#value(value, next, depth);
  }

  #value(value: unknown, node: PathNode | undefined, depth: number): unknown {
    switch (typeof value) {
      case 'string':
        return this.text(value);
      case 'bigint':
        return value.toString();
      case 'object':
        return value === null ? null : this.#object(value, node, depth);
      default:
        return value;
    }
  }

  #object(value: object, node: PathNode | undefined, depth: number): unknown {
    if ((value as Record<symbol, unknown>)[SECRET_BRAND] === true) return this.censor;
    if (depth >= this.#maxDepth) return '[Truncated]';
    const stack = this.#stack;
    if (stack.includes(value)) return '[Circular]';
    if (isError(value)) return this.#error(value, node, depth);
    // Binary data is written as numbers, which no text search would see: read it as text.
    const matcher = secretMatcher();
    if (matcher !== null && (isByteView(value) || isByteArray(value, matcher.minBytes)) && matcher.testBytes(toBytes(value))) {
      return this.censor;
    }
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      const json: unknown = toJSON.call(value, '');
      if (json === SECRET_JSON) return this.censor;
      if (json !== value) {
        stack.push(value);
        const out = this.#value(json, node, depth + 1);
        stack.pop();
        return out;
      }
    }
    // JSON would write a Map or a Set as {}: write their contents instead.
    if (value instanceof Map) return this.#object(Object.fromEntries(value), node, depth);
    if (value instanceof Set) return this.#object([...value], node, depth);
    stack.push(value);
    let out: unknown[] | Record<string, unknown> | undefined;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        const redacted = this.#value(item, node, depth + 1);
        if (redacted !== item) ((out ??= value.slice()) as unknown[])[i] = redacted;
      }
    } else {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const item = record[key];
        const plan = this.#plan(key);
        const redacted = this.#field(plan, item, node, depth + 1);
        // A registered secret can be a key too (a map of usage per API key): rename such keys.
        const safeKey = plan.name;
        if (safeKey !== key) {
          const copy = (out ??= { ...record }) as Record<string, unknown>;
          delete copy[key];
          copy[safeKey] = redacted;
        } else if (redacted !== item) ((out ??= { ...record }) as Record<string, unknown>)[key] = redacted;
      }
    }
    stack.pop();
    return out ?? value;
  }

  #error(error: Error, node: PathNode | undefined, depth: number): Record<string, unknown> {
    this.#stack.push(error);
    const out: Record<string, unknown> = {
      name: this.text(String(error.name)),
      message: this.text(String(error.message)),
    };
    const record = error as unknown as Record<string, unknown>;
    if (record.code !== undefined) out.code = this.#value(record.code, undefined, depth + 1);
    if (this.#errorStack && typeof error.stack === 'string') out.stack = this.text(error.stack);
    for (const key of Object.keys(record)) {
      if (ERROR_OWN.has(key)) continue;
      const item = record[key];
      if (item === undefined) continue;
      const plan = this.#plan(key);
      out[plan.name] = this.#field(plan, item, node, depth + 1);
    }
    if (record.cause !== undefined) out.cause = this.#value(record.cause, undefined, depth + 1);
    if (Array.isArray(record.errors)) out.errors = record.errors.map((e: unknown) => this.#value(e, undefined, depth + 1));
    this.#stack.pop();
    return out;
  }
}
