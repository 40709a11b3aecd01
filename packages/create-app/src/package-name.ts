// npm's rules for a package name, as `npm publish` enforces them for a new package.
const MAX_LENGTH = 214;
const PART = /^[a-z0-9~-][a-z0-9._~-]*$/;
const RESERVED = new Set(['node_modules', 'favicon.ico']);

/**
 * Why `name` cannot be an npm package name, or `undefined` when it can: at most 214 characters,
 * lowercase, URL-safe (letters, digits, `-`, `.`, `_`, `~`), not starting with `.` or `_`, and an
 * optional `@scope/` prefix following the same rules.
 */
export function packageNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a name cannot be empty';
  if (name.length > MAX_LENGTH) return `a name is at most ${MAX_LENGTH} characters (this one is ${name.length})`;
  if (name.trim() !== name) return 'a name cannot start or end with spaces';
  if (name.toLowerCase() !== name) return 'a name is lowercase';
  const scoped = /^@([^/]+)\/([^/]+)$/.exec(name);
  if (name.startsWith('@') && scoped === null) return 'a scoped name is @scope/name';
  const parts = scoped === null ? [name] : [scoped[1]!, scoped[2]!];
  for (const part of parts) {
    if (part.startsWith('.') || part.startsWith('_')) return 'a name cannot start with "." or "_"';
    if (!PART.test(part)) return 'a name holds only lowercase letters, digits, "-", ".", "_" and "~"';
  }
  if (RESERVED.has(name)) return `"${name}" is reserved`;
  return undefined;
}
