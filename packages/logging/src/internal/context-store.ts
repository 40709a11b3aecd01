import { AsyncLocalStorage } from 'node:async_hooks';

/** What `withLogContext` keeps for the code it runs: the merged fields, inner over outer. */
export interface ContextStore {
  readonly fields: Readonly<Record<string, unknown>>;
}

// One storage per process, shared by every copy of this package, so a context set through one copy
// is seen by loggers of another.
const KEY = Symbol.for('@bulwark/logging.context');
const globals = globalThis as unknown as Record<symbol, AsyncLocalStorage<ContextStore> | undefined>;
export const contextStorage: AsyncLocalStorage<ContextStore> = (globals[KEY] ??= new AsyncLocalStorage<ContextStore>());
