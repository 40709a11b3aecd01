/**
 * Whether `value` is an error: an `Error` of this realm, or one of another realm (a `vm` context, a
 * worker's structured clone) by its internal tag. Plain objects and arrays, most of what a line
 * carries, are answered without asking for the tag.
 */
export function isError(value: unknown): value is Error {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof Error) return true;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === Array.prototype || prototype === null) return false;
  return Object.prototype.toString.call(value) === '[object Error]';
}
