import { expectFunction, invalidOption } from '@bulwark/core';
import { contextStorage } from './internal/context-store.js';
import type { LogFields } from './create-logger.js';

/**
 * Runs `fn` with `fields` added to every line logged inside it — however deep the call, across
 * awaits, timers and event callbacks (Node's `AsyncLocalStorage`). Nested calls add to the outer
 * fields, the inner winning on a clash. Returns what `fn` returns (a promise stays a promise).
 *
 * Gotcha: a line logged after `fn` returned, from work `fn` started but did not await, still
 * carries the fields: that is the point, but it means the context is captured, not scoped by time.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * const logger = createLogger({ service: 'gateway' });
 * createServer((req, res) =>
 *   withLogContext({ requestId: req.headers['x-request-id'] }, () => {
 *     logger.info('request received'); // {"requestId":"…", …}: every line written while handling it
 *     res.end();
 *   }),
 * );
 * ```
 */
export function withLogContext<T>(fields: LogFields, fn: () => T): T {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw invalidOption('fields', fields, 'an object of fields');
  }
  expectFunction('fn', fn);
  const outer = contextStorage.getStore();
  return contextStorage.run({ fields: outer === undefined ? { ...fields } : { ...outer.fields, ...fields }, redacted: {} }, fn);
}

/** The fields of the current log context (a copy), `{}` outside any {@link withLogContext}. */
export function getLogContext(): Record<string, unknown> {
  const store = contextStorage.getStore();
  return store === undefined ? {} : { ...store.fields };
}
