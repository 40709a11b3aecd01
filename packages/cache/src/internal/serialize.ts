import { UnserializableValueError } from '../unserializable-value-error.js';

function describe(value: unknown): string {
  if (typeof value === 'number') return `the number ${String(value)}`;
  if (typeof value === 'bigint') return 'a bigint';
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'function') return 'a function';
  if (value === undefined) return 'undefined inside an array';
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
  return `an object of type ${ctor !== undefined && ctor !== '' ? ctor : tag}`;
}

function check(key: string, value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (Number.isFinite(value)) return;
      break;
    case 'object': {
      if (value === null) return;
      if (seen.has(value)) throw new UnserializableValueError(key, path, 'a circular reference');
      if (Array.isArray(value)) {
        seen.add(value);
        for (let i = 0; i < value.length; i++) check(key, value[i], `${path}[${i}]`, seen);
        seen.delete(value);
        return;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) break;
      seen.add(value);
      for (const k of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[k];
        // An undefined property reads back as undefined once dropped, so it round-trips.
        if (v !== undefined) check(key, v, `${path}.${k}`, seen);
      }
      seen.delete(value);
      return;
    }
    default:
      break;
  }
  throw new UnserializableValueError(key, path, describe(value));
}

/** Freezes a decoded value and everything in it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The JSON text of a value (`undefined` at the top for `undefined`), or an UnserializableValueError. */
export function serialize(key: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  check(key, value, '$', new Set());
  return JSON.stringify(value);
}

/** A frozen value decoded from JSON text, shared by every reader of the entry. */
export function deserialize(json: string | undefined): unknown {
  return json === undefined ? undefined : deepFreeze(JSON.parse(json) as unknown);
}
