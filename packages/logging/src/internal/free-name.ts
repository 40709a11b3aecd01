/**
 * `name` itself when `taken(name)` is false, else `name` with `_` put before it until it is free: the
 * rule by which a field keeps a name another field of the line already has (`message` →
 * `_message` → `__message`).
 */
export function freeName(name: string, taken: (candidate: string) => boolean): string {
  let candidate = name;
  while (taken(candidate)) candidate = `_${candidate}`;
  return candidate;
}

/**
 * Sets the line's own field `name` (`unknownLevel`, `afterClose`) to `value`; a field of the caller's
 * that already has the name is kept, under the first free name with `_` before it.
 */
export function claimField(record: Record<string | symbol, unknown>, name: string, value: unknown): void {
  if (Object.hasOwn(record, name)) record[freeName(`_${name}`, (candidate) => Object.hasOwn(record, candidate))] = record[name];
  record[name] = value;
}
