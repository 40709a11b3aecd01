// The revealed values of registered secrets, shared by every copy of this package in the process
// (a value registered through one copy is redacted by loggers of another).

const KEY = Symbol.for('@bulwark/logging.secret-values');

interface Registry {
  /** Value → how many registrations hold it. */
  readonly counts: Map<string, number>;
  /** Bumped on every change, so loggers rebuild their matcher only when needed. */
  version: number;
  matcher: RegExp | null;
  matcherVersion: number;
}

const globals = globalThis as unknown as Record<symbol, Registry | undefined>;
const registry: Registry = (globals[KEY] ??= { counts: new Map(), version: 0, matcher: null, matcherVersion: 0 });

const escape = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function addSecretValue(value: string): void {
  registry.counts.set(value, (registry.counts.get(value) ?? 0) + 1);
  registry.version++;
}

export function removeSecretValue(value: string): void {
  const count = registry.counts.get(value);
  if (count === undefined) return;
  if (count <= 1) registry.counts.delete(value);
  else registry.counts.set(value, count - 1);
  registry.version++;
}

/**
 * One global regular expression matching any registered value, longest first (so a value that
 * contains another is replaced whole), or `null` when none is registered. V8 compiles the
 * alternation of literals into one automaton, scanned once per string.
 */
export function secretMatcher(): RegExp | null {
  if (registry.matcherVersion !== registry.version) {
    const values = [...registry.counts.keys()].sort((a, b) => b.length - a.length);
    registry.matcher = values.length === 0 ? null : new RegExp(values.map(escape).join('|'), 'g');
    registry.matcherVersion = registry.version;
  }
  return registry.matcher;
}
