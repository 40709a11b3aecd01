// The revealed values of registered secrets, shared by every copy of this package in the process
// (a value registered through one copy is redacted by loggers of another).
import { SecretMatcher } from './secret-matcher.js';

const KEY = Symbol.for('@bulwark/logging.secret-values');

// Only data is shared: each copy compiles its own matcher from it.
interface Registry {
  /** Value → how many registrations hold it. */
  readonly counts: Map<string, number>;
  /** Bumped on every change, so loggers rebuild their matcher only when needed. */
  version: number;
}

const globals = globalThis as unknown as Record<symbol, Registry | undefined>;
const registry: Registry = (globals[KEY] ??= { counts: new Map(), version: 0 });
let matcher: SecretMatcher | null = null;
let matcherVersion = 0;

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
 * The matcher of every registered value in every spelling it is searched for, or `null` when none
 * is registered; rebuilt only when the set changes.
 */
export function secretMatcher(): SecretMatcher | null {
  if (matcherVersion !== registry.version) {
    matcher = registry.counts.size === 0 ? null : new SecretMatcher([...registry.counts.keys()]);
    matcherVersion = registry.version;
  }
  return matcher;
}
