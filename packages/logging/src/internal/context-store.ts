import { AsyncLocalStorage } from 'node:async_hooks';
import type { LayerCache } from './redactor.js';

/** What `withLogContext` keeps for the code it runs: the merged fields, inner over outer, never changed. */
export interface ContextStore {
  readonly fields: Readonly<Record<string, unknown>>;
  /** The fields redacted, worked out by the first line logged in the context. */
  readonly redacted?: LayerCache;
}

// One storage per process, shared by every copy of this package, so a context set through one copy
// is seen by loggers of another.
const KEY = Symbol.for('@bulwark/logging.context');
const globals = globalThis as unknown as Record<symbol, AsyncLocalStorage<ContextStore> | undefined>;
export const contextStorage: AsyncLocalStorage<ContextStore> = (globals[KEY] ??= new AsyncLocalStorage<ContextStore>());
