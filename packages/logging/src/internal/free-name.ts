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
